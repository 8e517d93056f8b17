"""The site's URLs plus the plain DRF list the benchmark compares post.list with."""

from django.urls import path

from bench.views import PlainPostList
from config.urls import urlpatterns as site_urlpatterns

urlpatterns = [path("bench/plain-posts/", PlainPostList.as_view()), *site_urlpatterns]
