"""Moderation's cast: an editor who is not a superuser (the Editors group) and a staff member
without the moderation permissions."""

import pytest

from accounts.services import make_editor
from tests.factories import UserFactory


@pytest.fixture
def moderator(db):
    user = UserFactory(email="moderator@example.com", name="Mo Derator")
    make_editor(user=user)
    return user


@pytest.fixture
def support_staff(db):
    return UserFactory(email="support@example.com", name="Sue Support", is_staff=True)
