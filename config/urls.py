"""Top-level URL map."""

from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path

from config.health import healthz
from config.metrics import metrics

urlpatterns = [
    path("admin/", admin.site.urls),
    path("healthz", healthz, name="healthz"),
    path("metrics", metrics, name="metrics"),
    # --- API (api/): tRPC procedures, their OpenAPI document and its docs page
    path("api/", include("api.urls")),
    path("", include("blog.urls")),
    # Readers' reports of posts and comments (the queue itself is in the admin)
    path("", include("moderation.urls")),
    # Identity: sign-up/in pages, /auth/* token endpoints, /.well-known/jwks.json
    path("", include("accounts.urls")),
    # Where email links lead: /email/unsubscribe/<token>/
    path("", include("mail.urls")),
    # Following the site or an author by email: /follow/
    path("", include("follows.urls")),
]
# Uploaded images under MEDIA_ROOT, served by Django itself only with DEBUG on (make run); in
# production the proxy serves them (deploy/nginx), or the S3 bucket does.
urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
