"""URLs of the API: the tRPC endpoint, the OpenAPI document and its docs page."""

from django.urls import path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView

from api.views import TrpcView

app_name = "api"
urlpatterns = [
    # Any path, even an empty one, gets a tRPC answer (NOT_FOUND for unknown procedures).
    re_path(r"^trpc/(?P<path>.*)$", TrpcView.as_view(), name="trpc"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularRedocView.as_view(url_name="api:schema"), name="docs"),
]
