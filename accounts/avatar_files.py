"""Stored avatars served by the site itself, for the file-system storage (MEDIA_ROOT): a
storage with its own address (S3 and the like) gives avatar URLs that never come here.

Only names ``avatars.replace_avatar`` writes answer; they change with the content, so an answer
may be cached for good.
"""

import re
from uuid import UUID

from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpRequest
from django.views.decorators.http import require_safe

_STORED_NAME = re.compile(r"^[0-9a-f]{20}(_[A-Za-z0-9]{7})?\.webp$")
_ONE_YEAR = 365 * 24 * 3600


@require_safe
def avatar_file(request: HttpRequest, user_id: UUID, name: str) -> FileResponse:
    if not _STORED_NAME.match(name):
        raise Http404("No such avatar.")
    try:
        stored = default_storage.open(f"avatars/{user_id}/{name}", "rb")
    except FileNotFoundError:
        raise Http404("No such avatar.") from None
    response = FileResponse(stored, content_type="image/webp")
    response["Cache-Control"] = f"public, max-age={_ONE_YEAR}, immutable"
    return response
