"""Migration 0004: every account that existed before email confirmation counts as confirmed."""

import pytest

from tests.blog.migration_states import migrate, migrated_to

pytestmark = pytest.mark.django_db(transaction=True)


def test_existing_accounts_are_confirmed_from_their_creation():
    with migrated_to([("accounts", "0004_user_suspension")]) as old_apps:
        old_apps.get_model("accounts", "User").objects.create(email="old@example.com")

        new_apps = migrate([("accounts", "0005_user_email_confirmed_at")])

        user = new_apps.get_model("accounts", "User").objects.get(email="old@example.com")
        assert user.email_confirmed_at == user.created_at
