"""The OpenAPI document is generated from the registry: every procedure, typed both ways."""

import json

import pytest
from django.core.management import call_command

from api.registry import all_procedures


def _component_of(output):
    """The component an output serializer becomes (a list's is its item's)."""
    child = getattr(output, "child", None)
    return type(child).__name__ if child is not None else output.__name__


@pytest.fixture
def document(client, db):
    response = client.get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    return json.loads(response.content)


def test_every_procedure_is_an_operation_with_its_input_and_output(document):
    for proc in all_procedures():
        method = "post" if proc.kind == "mutation" else "get"
        operation = document["paths"][f"/api/trpc/{proc.name}"][method]
        assert operation["operationId"] == proc.name
        answer = operation["responses"]["200"]["content"]
        if proc.kind == "subscription":
            data = answer["text/event-stream"]["x-message-data"]
        else:
            data = answer["application/json"]["schema"]["properties"]["result"]["properties"]
        assert f"#/components/schemas/{_component_of(proc.output)}" in json.dumps(data)
        if proc.input is None:
            continue
        if method == "get":
            parameter = next(item for item in operation["parameters"] if item["name"] == "input")
            reference = parameter["content"]["application/json"]["schema"]["$ref"]
        else:
            # A procedure taking a file is called with FormData (api.form_data).
            media_type = "multipart/form-data" if proc.takes_files else "application/json"
            reference = operation["requestBody"]["content"][media_type]["schema"]["$ref"]
        assert reference == f"#/components/schemas/{proc.input.__name__}"


def test_the_types_carry_the_contract_s_fields_and_limits(document):
    schemas = document["components"]["schemas"]
    assert schemas["PostCreateInput"]["properties"]["title"]["maxLength"] == 200
    assert schemas["PostListInput"]["properties"]["limit"]["maximum"] == 50
    assert schemas["PostSummaryOutput"]["properties"]["createdAt"]["format"] == "date-time"
    replies = schemas["CommentNodeOutput"]["properties"]["replies"]
    assert replies["items"]["$ref"] == "#/components/schemas/CommentNodeOutput"
    assert "email" not in schemas["UserPublicOutput"]["properties"]


def test_subscriptions_are_event_streams_with_their_events_and_resume_rules(document):
    operation = document["paths"]["/api/trpc/comment.onAdd"]["get"]
    assert set(document["paths"]["/api/trpc/comment.onAdd"]) == {"get"}
    assert set(operation["responses"]["200"]["content"]) == {"text/event-stream"}
    error = operation["responses"]["default"]["content"]["application/json"]["schema"]
    assert error["$ref"] == "#/components/schemas/TrpcErrorEnvelope"
    parameters = {(item["in"], item["name"]) for item in operation["parameters"]}
    assert parameters == {
        ("query", "input"),
        ("header", "Last-Event-ID"),
        ("query", "lastEventId"),
        ("query", "connectionParams"),
    }
    for event in ("connected", "ping", "serialized-error", "return", "Last-Event-ID"):
        assert event in operation["description"]
    schemas = document["components"]["schemas"]
    assert schemas["CommentChangeOutputTypeEnum"]["enum"] == [
        "created",
        "updated",
        "removed",
    ]
    assert "lastEventId" in schemas["CommentOnAddInput"]["properties"]


def test_mutations_document_the_idempotency_key_header_and_queries_do_not(document):
    for proc in all_procedures():
        method = "post" if proc.kind == "mutation" else "get"
        operation = document["paths"][f"/api/trpc/{proc.name}"][method]
        headers = {item["name"]: item for item in operation.get("parameters", [])}
        if proc.kind == "mutation" and proc.takes_files:
            # A FormData call is refused with a key (api.form_data).
            assert "Idempotency-Key" not in headers
        elif proc.kind == "mutation":
            header = headers["Idempotency-Key"]
            assert header["in"] == "header"
            assert header["required"] is False
            assert header["schema"]["maxLength"] == 255
            assert "Idempotent-Replayed" in header["description"]
        else:
            assert "Idempotency-Key" not in headers


def test_the_docs_page_renders(client, db):
    response = client.get("/api/docs/")
    assert response.status_code == 200
    assert b"/api/schema/" in response.content


def test_export_schema_writes_the_same_document(tmp_path, document):
    target = tmp_path / "openapi.json"
    call_command("export_schema", "--format", "json", "--file", str(target))
    assert json.loads(target.read_text())["paths"] == document["paths"]
