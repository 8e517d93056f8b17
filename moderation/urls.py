"""Pages of moderation: reporting a post or a comment."""

from django.urls import path

from moderation import pages

app_name = "moderation"
urlpatterns = [
    path("report/comments/<uuid:comment_id>/", pages.report_comment, name="report-comment"),
    path("report/posts/<uuid:post_id>/", pages.report_post, name="report-post"),
]
