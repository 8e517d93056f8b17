"""URLs of the API: the tRPC endpoint, the OpenAPI document and its docs page."""

from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView

from api.views import TrpcView

app_name = "api"
urlpatterns = [
    path("trpc/<path:path>", TrpcView.as_view(), name="trpc"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularRedocView.as_view(url_name="api:schema"), name="docs"),
]
