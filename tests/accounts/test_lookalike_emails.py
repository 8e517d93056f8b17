"""A look-alike address (a dotless i, U+0131, for an i) is another account and never locks
out the real one: signing in compares emails the way the unique constraint does."""

import pytest
from django.contrib.auth import authenticate

from accounts.models import User
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery staple"


def test_the_real_account_still_signs_in_beside_a_lookalike():
    real = UserFactory(email="writer2@example.com")
    UserFactory(email="wr\u0131ter2@example.com")
    assert authenticate(username="Writer2@Example.com", password=PASSWORD) == real


def test_the_lookalike_signs_in_as_itself_only():
    UserFactory(email="writer2@example.com")
    lookalike = UserFactory(email="wr\u0131ter2@example.com")
    assert authenticate(username="wr\u0131ter2@example.com", password=PASSWORD) == lookalike


def test_token_sign_in_of_the_real_account_is_not_a_server_error(client):
    UserFactory(email="writer2@example.com")
    UserFactory(email="wr\u0131ter2@example.com")
    response = client.post(
        "/auth/token",
        {"email": "writer2@example.com", "password": PASSWORD},
        content_type="application/json",
    )
    assert response.status_code == 200
    assert User.objects.count() == 2
