"""Reader-facing pages of the blog."""

from django.urls import path

from blog import pages

app_name = "blog"
urlpatterns = [
    path("", pages.home, name="home"),
    path("posts/<slug:slug>/", pages.post_detail, name="post"),
    path("authors/<uuid:user_id>/", pages.author_detail, name="author"),
]
