"""An over-deep JSON body on the token endpoints is a 400 in Cognito's shape, never a 500."""

import pytest


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/auth/token", "/auth/token/refresh"])
@pytest.mark.parametrize("depth", [1_000, 100_000])
def test_deeply_nested_body_is_refused_as_an_invalid_parameter(client, path, depth):
    answer = client.post(path, "[" * depth, content_type="application/json")

    assert answer.status_code == 400
    assert answer.json()["__type"] == "InvalidParameterException"
