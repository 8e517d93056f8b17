"""A tRPC caller over Django's test client, as @trpc/client's httpLink would call."""

import json
from typing import Any

import pytest

_NO_INPUT = object()


class Answer:
    """A tRPC HTTP answer: status, parsed body, and the data or error of a single call."""

    def __init__(self, response: Any) -> None:
        self.status = response.status_code
        self.headers = response.headers
        self.body = json.loads(response.content) if response.content else None

    @property
    def data(self) -> Any:
        assert "result" in self.body, self.body
        return self.body["result"]["data"]

    @property
    def error(self) -> dict[str, Any]:
        assert "error" in self.body, self.body
        return self.body["error"]

    @property
    def code(self) -> str:
        return self.error["data"]["code"]


class Trpc:
    def __init__(self, client: Any) -> None:
        self.client = client

    def query(
        self, path: str, input: Any = _NO_INPUT, *, batch: bool = False, headers: dict | None = None
    ) -> Answer:
        params = {} if input is _NO_INPUT else {"input": json.dumps(input)}
        if batch:
            params["batch"] = "1"
        return Answer(self.client.get(f"/api/trpc/{path}", params, headers=headers))

    def mutate(
        self, path: str, input: Any = _NO_INPUT, *, batch: bool = False, headers: dict | None = None
    ) -> Answer:
        body = "" if input is _NO_INPUT else json.dumps(input)
        query = "?batch=1" if batch else ""
        return Answer(
            self.client.post(
                f"/api/trpc/{path}{query}", body, content_type="application/json", headers=headers
            )
        )

    def login(self, user: Any) -> "Trpc":
        self.client.force_login(user)
        return self


@pytest.fixture
def trpc(client, db) -> Trpc:
    return Trpc(client)


@pytest.fixture
def as_user(db):
    """A tRPC caller signed in as the given user, each on its own test client."""
    from django.test import Client

    def make(user: Any) -> Trpc:
        return Trpc(Client()).login(user)

    return make
