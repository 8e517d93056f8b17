"""tRPC's FormData inputs over HTTP (``multipart/form-data``, spec/trpc-streaming.md §1.4): a
mutation alone (never batched), whose raw input is the form's fields and files, for procedures
whose input takes a file. The rest of the call is the JSON path's: the same dispatch, and the
same non-batched envelope in answer.

The body is parsed by Django's multipart parser, which spools files past
FILE_UPLOAD_MAX_MEMORY_SIZE to disk; one whose Content-Length is over API_MAX_UPLOAD_BYTES is
refused (413) before any of it is read.
"""

from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent
from rest_framework import exceptions
from rest_framework.parsers import DataAndFiles, MultiPartParser
from rest_framework.request import Request

from api import trpc
from api.registry import get_procedure

MEDIA_TYPE = "multipart/form-data"


class PayloadTooLarge(exceptions.APIException):
    status_code = 413
    default_code = "payload_too_large"


def is_form_data(content_type: str) -> bool:
    return content_type.split(";")[0].strip().lower() == MEDIA_TYPE


class FormDataParser(MultiPartParser):
    """DRF's multipart parser, refusing a body over API_MAX_UPLOAD_BYTES before reading it."""

    def parse(
        self, stream: Any, media_type: str | None = None, parser_context: Any = None
    ) -> "DataAndFiles[Any, Any]":
        request = (parser_context or {})["request"]
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        limit = settings.API_MAX_UPLOAD_BYTES
        if length > limit:
            raise PayloadTooLarge(f"The body is over {limit} bytes.")
        try:
            return super().parse(stream, media_type, parser_context)
        except (RequestDataTooBig, TooManyFieldsSent) as error:
            # The form's fields other than files (DATA_UPLOAD_MAX_MEMORY_SIZE, ..._NUMBER_FIELDS).
            raise PayloadTooLarge(str(error)) from None


def form_data_input(request: Request, path: str, *, is_batch: bool) -> Any:
    """The raw input of a FormData call to ``path`` (its fields and files by name, the last
    value of a repeated one), or the TrpcError refusing it before it runs. Reading the body
    may raise ``PayloadTooLarge`` or DRF's ParseError, which the view answers."""
    if is_batch:
        return trpc.TrpcError("BAD_REQUEST", "A FormData input cannot be batched: send it alone.")
    procedure = get_procedure(path)
    if procedure is not None and not procedure.takes_files:
        return trpc.TrpcError(
            "UNSUPPORTED_MEDIA_TYPE",
            f'"{path}" takes no files: send its input as application/json.',
            path,
        )
    data = request.data
    return {key: data.get(key) for key in data}
