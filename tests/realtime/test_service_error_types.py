"""Service errors become AppSync errorTypes in one table: a rate refusal is a limit, a service
that cannot serve now an internal failure that clients retry, with the service's message."""

import pytest

from lib import errors
from realtime import protocol


@pytest.mark.parametrize(
    ("error", "error_type", "error_code"),
    [
        (errors.TooManyRequests(retry_after=5), "LimitExceededException", 429),
        (errors.ServiceUnavailable(), "InternalFailureException", 500),
        (errors.PayloadTooLarge(), "LimitExceededException", 429),
        (errors.Forbidden(), "UnauthorizedException", 401),
        (errors.InvalidInput({}), "BadRequestException", 400),
        (errors.NotFound(), "ResourceNotFoundException", 404),
    ],
)
def test_each_service_error_has_its_error_type(error, error_type, error_code):
    refusal = protocol.protocol_error_for(error)
    assert refusal.error_type == error_type
    assert refusal.message == error.message
    assert protocol.ERROR_CODES[refusal.error_type] == error_code


def test_an_unlisted_service_error_is_an_internal_failure():
    class Unlisted(errors.ServiceError):
        pass

    assert protocol.error_type_for(Unlisted()) == "InternalFailureException"
