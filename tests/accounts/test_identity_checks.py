"""System checks refuse an incomplete Cognito configuration and an unshared local key."""

from django.core.checks import run_checks


def _ids(**kwargs) -> set[str]:
    return {message.id for message in run_checks(**kwargs)}


def test_cognito_without_its_settings_is_reported(settings):
    settings.AUTH_PROVIDER = "cognito"
    settings.COGNITO_AWS_REGION = "eu-west-1"
    settings.COGNITO_USER_POOL = ""
    settings.COGNITO_APP_CLIENT_ID = ""

    messages = [message for message in run_checks() if message.id == "inkwell.E010"]

    assert len(messages) == 1
    assert "COGNITO_USER_POOL, COGNITO_APP_CLIENT_ID" in messages[0].msg


def test_complete_cognito_settings_pass(settings):
    settings.AUTH_PROVIDER = "cognito"
    settings.COGNITO_AWS_REGION = "eu-west-1"
    settings.COGNITO_USER_POOL = "eu-west-1_pool"
    settings.COGNITO_APP_CLIENT_ID = "app"

    assert "inkwell.E010" not in _ids()


def test_production_with_a_generated_local_key_is_reported(settings):
    settings.DEBUG = False
    settings.JWT_PRIVATE_KEY = ""

    assert "inkwell.E011" in _ids(include_deployment_checks=True)


def test_production_with_a_key_from_the_environment_passes(settings, local_key_pem):
    settings.DEBUG = False
    settings.JWT_PRIVATE_KEY = local_key_pem

    assert "inkwell.E011" not in _ids(include_deployment_checks=True)
