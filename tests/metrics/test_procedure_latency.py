"""Each procedure call is timed under its registry name, on every transport; errors count by
tRPC code; a name no procedure has never becomes a label value."""

import json

import pytest

from lib.metrics import UNKNOWN_PROCEDURE
from realtime.session_channel import answer_call

pytestmark = pytest.mark.django_db

CALLS = "inkwell_procedure_duration_seconds_count"
ERRORS = "inkwell_procedure_errors_total"


def test_an_http_call_is_timed_under_its_procedure(client, scrape):
    before = scrape()

    assert client.get("/api/trpc/post.list").status_code == 200

    after = scrape()
    assert (
        after.value(CALLS, procedure="post.list") == before.value(CALLS, procedure="post.list") + 1
    )
    assert after.value("inkwell_procedure_duration_seconds_sum", procedure="post.list") > 0
    assert after.value(ERRORS, procedure="post.list", code="NOT_FOUND") == before.value(
        ERRORS, procedure="post.list", code="NOT_FOUND"
    )


def test_a_call_over_the_session_channel_is_timed_like_an_http_one(author, scrape):
    before = scrape()

    answer = answer_call({"id": 1, "method": "query", "params": {"path": "post.list"}}, user=author)

    assert "result" in answer
    assert (
        scrape().value(CALLS, procedure="post.list")
        == before.value(CALLS, procedure="post.list") + 1
    )


def test_a_failed_call_counts_as_an_error_by_its_code(client, scrape):
    before = scrape()
    missing = "00000000-0000-0000-0000-000000000000"

    response = client.get("/api/trpc/post.byId", {"input": json.dumps({"id": missing})})

    assert response.status_code == 404
    after = scrape()
    labels = {"procedure": "post.byId", "code": "NOT_FOUND"}
    assert after.value(ERRORS, **labels) == before.value(ERRORS, **labels) + 1
    assert (
        after.value(CALLS, procedure="post.byId") == before.value(CALLS, procedure="post.byId") + 1
    )


def test_made_up_procedure_names_share_one_label_value(client, scrape):
    before = scrape()

    for number in range(5):
        assert client.get(f"/api/trpc/no.such.procedure{number}").status_code == 404

    after = scrape()
    assert (
        after.value(CALLS, procedure=UNKNOWN_PROCEDURE)
        == before.value(CALLS, procedure=UNKNOWN_PROCEDURE) + 5
    )
    assert after.label_values(CALLS, "procedure") - before.label_values(CALLS, "procedure") <= {
        UNKNOWN_PROCEDURE
    }
    assert "no.such.procedure" not in after.text
