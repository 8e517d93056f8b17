"""The deploy checks warn when email would not reach anyone, or its links not the site."""

from django.core.checks import run_checks


def _ids() -> set[str]:
    return {message.id for message in run_checks(include_deployment_checks=True)} & {
        "inkwell.W020",
        "inkwell.W021",
    }


def test_console_email_and_an_http_site_address_are_warned_about(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
    settings.MAIL_SITE_URL = "http://127.0.0.1:8000"

    assert _ids() == {"inkwell.W020", "inkwell.W021"}


def test_smtp_and_an_https_site_address_pass(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.MAIL_SITE_URL = "https://blog.example"

    assert _ids() == set()
