"""REST_FRAMEWORK is declared once, whole: bearer tokens first."""

from pathlib import Path

from django.conf import settings

SETTINGS_FILE = Path(__file__).resolve().parents[2] / "config" / "settings.py"


def test_rest_framework_is_assigned_once_and_never_mutated():
    source = SETTINGS_FILE.read_text()
    assert source.count("REST_FRAMEWORK:") + source.count("REST_FRAMEWORK =") == 1
    assert "REST_FRAMEWORK[" not in source
    assert "SPECTACULAR_SETTINGS[" not in source


def test_rest_framework_authenticates_bearer_tokens_first():
    assert settings.REST_FRAMEWORK["DEFAULT_AUTHENTICATION_CLASSES"] == [
        "accounts.authentication.BearerTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ]
