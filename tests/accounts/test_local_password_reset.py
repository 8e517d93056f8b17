"""Forgot password with the local provider: an emailed link sets a new password, once."""

import re

import pytest

from tests.conftest import PASSWORD
from tests.mail_outbox import deliver_queued

NEW_PASSWORD = "a sturdy new passphrase"


@pytest.mark.django_db
def test_emailed_link_sets_a_new_password(client, author):
    client.post("/password/forgot/", {"email": "AUTHOR@example.com"})
    (message,) = deliver_queued()
    link = re.search(r"http://testserver(/password/reset/\S+)", message.body).group(1)

    form = client.get(link, follow=True)
    answer = client.post(
        form.redirect_chain[-1][0],
        {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )

    assert answer["Location"] == "/sign-in/"
    author.refresh_from_db()
    assert author.check_password(NEW_PASSWORD)
    assert not author.check_password(PASSWORD)
    assert client.get(link, follow=True).context["validlink"] is False


@pytest.mark.django_db
def test_unknown_address_gets_the_same_answer_and_no_email(client):
    answer = client.post("/password/forgot/", {"email": "nobody@example.com"})

    assert answer["Location"] == "/password/forgot/sent/"
    assert deliver_queued() == []
