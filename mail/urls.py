"""The pages email links lead to."""

from django.urls import path

from mail import pages

app_name = "mail"
urlpatterns = [
    path("email/unsubscribe/<str:token>/", pages.unsubscribe_page, name="unsubscribe"),
]
