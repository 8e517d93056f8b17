"""Following the site or an author by email."""

from django.urls import path

from follows import pages

app_name = "follows"
urlpatterns = [
    path("follow/", pages.follow, name="follow"),
    path("follow/confirm/<str:token>/", pages.confirm, name="confirm"),
]
