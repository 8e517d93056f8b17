"""Service errors as HTML pages: the one mapping for the browser transport."""

from collections.abc import Iterator
from contextlib import contextmanager

from django.core.exceptions import PermissionDenied
from django.http import Http404

from api.errors import Forbidden, NotFound


@contextmanager
def as_http_errors() -> Iterator[None]:
    """NotFound becomes the 404 page, Forbidden the 403 page."""
    try:
        yield
    except NotFound as error:
        raise Http404(error.message) from None
    except Forbidden as error:
        raise PermissionDenied(error.message) from None
