"""Pages of the blog: reading, commenting, writing, feeds."""

from django.contrib.sitemaps import views as sitemap_views
from django.urls import path

from blog import account_pages, archive_pages, author_pages, history_pages, pages, tag_pages
from blog.feeds import AuthorPostsFeed, LatestPostsFeed, TagPostsFeed
from blog.sitemaps import SITEMAPS

app_name = "blog"
urlpatterns = [
    path("", pages.home, name="home"),
    path("search/", pages.search, name="search"),
    path("posts/<slug:slug>/", pages.post_detail, name="post"),
    path("posts/<slug:slug>/comments/", pages.comment_create, name="comment-create"),
    path("posts/<slug:slug>/card.png", pages.share_card_png, name="share-card"),
    path("comments/<uuid:comment_id>/edit/", pages.comment_edit, name="comment-edit"),
    path("comments/<uuid:comment_id>/delete/", pages.comment_delete, name="comment-delete"),
    path("authors/<uuid:user_id>/", pages.author_detail, name="author"),
    path("authors/<uuid:user_id>/feed/", AuthorPostsFeed(), name="author-feed"),
    path("tags/", tag_pages.tag_list, name="tags"),
    path("tags/<slug:slug>/", tag_pages.tag_detail, name="tag"),
    path("tags/<slug:slug>/feed/", TagPostsFeed(), name="tag-feed"),
    path("write/", author_pages.dashboard, name="dashboard"),
    path("write/new/", author_pages.new_post, name="new-post"),
    path("write/<uuid:post_id>/", author_pages.edit_post, name="edit-post"),
    path("write/<uuid:post_id>/images/", author_pages.upload_post_image, name="upload-image"),
    path("write/<uuid:post_id>/publish/", author_pages.set_published, name="set-published"),
    path("write/<uuid:post_id>/delete/", author_pages.delete_post, name="delete-post"),
    path("write/<uuid:post_id>/history/", history_pages.post_history, name="post-history"),
    path(
        "write/<uuid:post_id>/history/<uuid:revision_id>/",
        history_pages.post_history,
        name="post-revision",
    ),
    path(
        "write/<uuid:post_id>/history/<uuid:revision_id>/restore/",
        history_pages.restore_revision,
        name="restore-revision",
    ),
    path("profile/export/", account_pages.export, name="account-export"),
    path("profile/delete/", account_pages.delete_account, name="account-delete"),
    path("feed/", LatestPostsFeed(), name="feed"),
    path("robots.txt", pages.robots_txt, name="robots"),
    path("archive/", archive_pages.archive, name="archive"),
    path("archive/<int:year>/<int:month>/", archive_pages.archive_month, name="archive-month"),
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
