"""A still-valid token of a deleted account is refused and never re-creates the account;
only a provider's first sight of a new ``sub`` (Cognito) creates one."""

import pytest
from django.urls import reverse

from accounts import services
from accounts.models import DeletedIdentity, User
from accounts.providers import local
from accounts.tokens import TokenRejected, user_for_token


@pytest.mark.django_db
def test_local_token_of_a_deleted_user_is_refused_over_http_and_not_recreated(client, author):
    token = local.issue_token(user=author, kind="id")
    services.delete_user(user=author)

    answer = client.get("/api/trpc/user.me", HTTP_AUTHORIZATION=f"Bearer {token}")

    assert answer.status_code == 401
    assert not User.objects.filter(email=author.email).exists()


@pytest.mark.django_db
@pytest.mark.parametrize("kind", ["id", "access"])
def test_local_token_of_a_deleted_user_is_refused_by_the_validator(author, kind):
    token = local.issue_token(user=author, kind=kind)
    services.delete_user(user=author)

    with pytest.raises(TokenRejected, match="deleted"):
        user_for_token(token)

    assert not User.objects.exists()


@pytest.mark.django_db
def test_local_token_whose_sub_never_had_an_account_creates_none(author):
    token = local.issue_token(user=author, kind="id")
    # Gone without the service (e.g. a raw database delete): still never re-created.
    User.objects.filter(pk=author.pk).delete()

    with pytest.raises(TokenRejected):
        user_for_token(token)

    assert not User.objects.exists()


@pytest.mark.django_db
def test_cognito_token_of_a_deleted_user_is_refused_but_a_new_sub_still_signs_up(fake_issuer):
    user = user_for_token(fake_issuer.token("id", sub="sub-gone"))
    services.delete_user(user=user)

    with pytest.raises(TokenRejected, match="deleted"):
        user_for_token(fake_issuer.token("id", sub="sub-gone"))
    newcomer = user_for_token(fake_issuer.token("id", sub="sub-new", email="new@example.com"))

    assert list(User.objects.all()) == [newcomer]


@pytest.mark.django_db
def test_admin_deletion_remembers_the_deleted_sub(client, editor, author):
    sub = services.ensure_subject(user=author)
    client.force_login(editor)

    answer = client.post(reverse("admin:accounts_user_delete", args=[author.pk]), {"post": "yes"})

    assert answer.status_code == 302
    assert not User.objects.filter(pk=author.pk).exists()
    assert DeletedIdentity.objects.filter(sub=sub).exists()


@pytest.mark.django_db
def test_admin_bulk_deletion_remembers_every_deleted_sub(client, editor, author, reader):
    subs = [services.ensure_subject(user=author), services.ensure_subject(user=reader)]
    client.force_login(editor)

    client.post(
        reverse("admin:accounts_user_changelist"),
        {"action": "delete_selected", "_selected_action": [author.pk, reader.pk], "post": "yes"},
    )

    assert set(DeletedIdentity.objects.values_list("sub", flat=True)) == set(subs)
