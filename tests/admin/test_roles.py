"""Editors get exactly what moderation needs; the infrastructure tables are for superusers only,
whatever permissions a staff account has been given."""

import pytest
from django.contrib.auth.models import Group, Permission
from django.urls import reverse

from accounts import services
from tests.factories import ClientSessionFactory, MessageChunkFactory, UserFactory

pytestmark = pytest.mark.django_db

INFRASTRUCTURE = [
    ("sessions_app", "clientsession"),
    ("chunking", "messagechunk"),
    ("chunking", "chunkedcall"),
    ("api", "idempotencykey"),
    ("accounts", "deletedidentity"),
    # Followers' addresses: personal data moderation does not need.
    ("follows", "follow"),
    ("follows", "publication"),
]


@pytest.fixture
def group_editor(db):
    """An editor as the command makes one: staff, in the Editors group, not a superuser."""
    user = UserFactory(email="moderator@example.com")
    services.make_editor(user=user)
    return user


@pytest.fixture
def staff_with_every_permission(db):
    user = UserFactory(email="staff@example.com", is_staff=True)
    user.user_permissions.set(Permission.objects.all())
    return user


def _index_models(client, user):
    client.force_login(user)
    response = client.get(reverse("admin:index"))
    assert response.status_code == 200
    return {
        (app["app_label"], model["object_name"].lower())
        for app in response.context["available_apps"]
        for model in app["models"]
    }


def test_the_editors_group_holds_exactly_the_moderation_permissions():
    editors = Group.objects.get(name="Editors")
    assert set(editors.permissions.values_list("content_type__app_label", "codename")) == {
        ("blog", "view_post"),
        ("blog", "change_post"),
        ("blog", "view_comment"),
        ("blog", "change_comment"),
        ("blog", "delete_comment"),
        ("blog", "view_tag"),
        ("blog", "change_tag"),
        ("blog", "delete_tag"),
        ("accounts", "view_user"),
        ("accounts", "suspend_user"),
        ("moderation", "view_report"),
        ("moderation", "change_report"),
        ("moderation", "view_moderationaction"),
        # What was emailed, and what failed and why (mail 0002).
        ("mail", "view_outboundemail"),
        # Rotating the public read keys (realtime 0002): adding one is a rotation.
        ("realtime", "view_publicreadkey"),
        ("realtime", "add_publicreadkey"),
        ("realtime", "change_publicreadkey"),
    }


def test_an_editor_sees_moderation_models_and_no_infrastructure(client, group_editor):
    assert _index_models(client, group_editor) == {
        ("blog", "post"),
        ("blog", "comment"),
        ("blog", "tag"),
        ("accounts", "user"),
        ("moderation", "report"),
        ("moderation", "moderationaction"),
        ("mail", "outboundemail"),
        ("realtime", "publicreadkey"),
    }


@pytest.mark.parametrize("model", ["post", "comment", "tag"])
def test_an_editor_opens_the_moderation_changelists(client, group_editor, model):
    client.force_login(group_editor)
    assert client.get(reverse(f"admin:blog_{model}_changelist")).status_code == 200


@pytest.mark.parametrize(("app", "model"), INFRASTRUCTURE)
@pytest.mark.parametrize("user", ["group_editor", "staff_with_every_permission"])
def test_staff_who_are_not_superusers_are_refused_infrastructure_pages(
    client, request, user, app, model
):
    client.force_login(request.getfixturevalue(user))
    changelist = reverse(f"admin:{app}_{model}_changelist")
    assert client.get(changelist).status_code == 403
    assert client.get(reverse(f"admin:{app}_{model}_add")).status_code == 403
    # Nor is it linked from its app's page (missing when the app has nothing else to show).
    app_page = client.get(reverse("admin:app_list", args=[app]))
    assert app_page.status_code == 404 or changelist not in app_page.content.decode()


@pytest.mark.parametrize(
    ("app", "model", "factory"),
    [
        ("sessions_app", "clientsession", ClientSessionFactory),
        ("chunking", "messagechunk", MessageChunkFactory),
    ],
)
def test_staff_who_are_not_superusers_cannot_open_or_delete_an_infrastructure_row(
    client, staff_with_every_permission, app, model, factory
):
    row = factory()
    client.force_login(staff_with_every_permission)
    assert client.get(reverse(f"admin:{app}_{model}_change", args=[row.pk])).status_code == 403
    assert client.post(reverse(f"admin:{app}_{model}_delete", args=[row.pk])).status_code == 403
    assert type(row).objects.filter(pk=row.pk).exists()


def test_infrastructure_is_missing_from_the_index_of_staff_with_every_permission(
    client, staff_with_every_permission
):
    assert not _index_models(client, staff_with_every_permission) & set(INFRASTRUCTURE)


def test_a_superuser_sees_and_opens_the_infrastructure(client, editor):
    assert editor.is_superuser
    assert set(INFRASTRUCTURE) <= _index_models(client, editor)
    for app, model in INFRASTRUCTURE:
        assert client.get(reverse(f"admin:{app}_{model}_changelist")).status_code == 200
