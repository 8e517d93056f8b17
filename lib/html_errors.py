"""Service errors as HTML pages: the one mapping for the browser transport."""

from collections.abc import Iterator
from contextlib import contextmanager

from django.core.exceptions import BadRequest, PermissionDenied
from django.http import Http404

from lib.errors import Forbidden, InvalidInput, NotFound


@contextmanager
def as_http_errors() -> Iterator[None]:
    """NotFound becomes the 404 page, Forbidden the 403 page, InvalidInput (a forged cursor or
    parameter; forms handle their own) the 400 page."""
    try:
        yield
    except NotFound as error:
        raise Http404(error.message) from None
    except Forbidden as error:
        raise PermissionDenied(error.message) from None
    except InvalidInput as error:
        raise BadRequest(error.message) from None
