"""Pages of the blog: reading, commenting, writing, feeds."""

from django.contrib.sitemaps import views as sitemap_views
from django.urls import path

from blog import author_pages, pages
from blog.feeds import LatestPostsFeed
from blog.sitemaps import SITEMAPS

app_name = "blog"
urlpatterns = [
    path("", pages.home, name="home"),
    path("search/", pages.search, name="search"),
    path("posts/<slug:slug>/", pages.post_detail, name="post"),
    path("posts/<slug:slug>/comments/", pages.comment_create, name="comment-create"),
    path("comments/<uuid:comment_id>/edit/", pages.comment_edit, name="comment-edit"),
    path("comments/<uuid:comment_id>/delete/", pages.comment_delete, name="comment-delete"),
    path("authors/<uuid:user_id>/", pages.author_detail, name="author"),
    path("write/", author_pages.dashboard, name="dashboard"),
    path("write/new/", author_pages.new_post, name="new-post"),
    path("write/<uuid:post_id>/", author_pages.edit_post, name="edit-post"),
    path("write/<uuid:post_id>/images/", author_pages.upload_post_image, name="upload-image"),
    path("write/<uuid:post_id>/publish/", author_pages.set_published, name="set-published"),
    path("write/<uuid:post_id>/delete/", author_pages.delete_post, name="delete-post"),
    path("feed/", LatestPostsFeed(), name="feed"),
    path(
        "sitemap.xml",
        sitemap_views.index,
        {"sitemaps": SITEMAPS, "sitemap_url_name": "blog:sitemap-section"},
        name="sitemap",
    ),
    path(
        "sitemap-<section>.xml",
        sitemap_views.sitemap,
        {"sitemaps": SITEMAPS},
        name="sitemap-section",
    ),
]
