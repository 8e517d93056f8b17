"""Session ids: deterministic per user and browser, UUID v4-shaped, keyed by the site secret."""

import uuid

from hypothesis import given
from hypothesis import strategies as st

from sessions_app.ids import derive_session_id, session_key

KEY = session_key("a site secret")


@given(sub=st.text(max_size=80), client=st.uuids())
def test_the_same_user_and_browser_always_get_the_same_version_4_id(sub, client):
    first = derive_session_id(key=KEY, user_sub=sub, client_uuid=client)
    again = derive_session_id(key=session_key("a site secret"), user_sub=sub, client_uuid=client)
    assert first == again
    parsed = uuid.UUID(first)
    assert str(parsed) == first
    assert parsed.version == 4
    assert parsed.variant == uuid.RFC_4122


@given(
    subs=st.tuples(st.text(max_size=40), st.text(max_size=40)),
    clients=st.tuples(st.uuids(), st.uuids()),
)
def test_different_users_or_browsers_get_different_ids(subs, clients):
    pairs = {(subs[0], clients[0]), (subs[1], clients[1])}
    ids = {derive_session_id(key=KEY, user_sub=s, client_uuid=c) for s, c in pairs}
    assert len(ids) == len(pairs)


def test_the_id_depends_on_the_secret_and_is_not_the_plain_hash():
    client = uuid.uuid4()
    one = derive_session_id(key=session_key("one"), user_sub="sub", client_uuid=client)
    two = derive_session_id(key=session_key("two"), user_sub="sub", client_uuid=client)
    assert one != two
    assert session_key("one") != b"one"
