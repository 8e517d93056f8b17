"""ASGI entry point: HTTP goes to Django (anonymous tRPC queries by a shorter way,
``api.anonymous_reads``; subscription streams without a request thread,
``api.subscription_streams``), WebSocket to the Channels consumers."""

import os

from config.http_handler import get_http_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
# Django must be set up before the consumers (and their models) are imported.
django_http = get_http_application()

from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.sessions import CookieMiddleware, SessionMiddleware  # noqa: E402

from api.anonymous_reads import AnonymousReads  # noqa: E402
from api.subscription_streams import SubscriptionStreams  # noqa: E402
from config.request_size import BodySizeLimit  # noqa: E402
from realtime.origin import OriginPolicy  # noqa: E402
from realtime.routing import websocket_urlpatterns  # noqa: E402

application = ProtocolTypeRouter(
    {
        # Bodies declared too large are refused before anything else reads them.
        "http": BodySizeLimit(
            SubscriptionStreams(
                AnonymousReads(django_http), django=django_http, threads=django_http.request_threads
            )
        ),
        # The Origin rule comes first: it decides whether the session cookie is read at all.
        "websocket": OriginPolicy(
            CookieMiddleware(SessionMiddleware(URLRouter(websocket_urlpatterns)))
        ),
    }
)
