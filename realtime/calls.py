"""The door from a session channel to the procedure registry: one call in, one tRPC answer out."""

from typing import Any

from accounts.models import User


def answer_call(message: object, *, user: User) -> dict[str, Any]:
    """The tRPC WebSocket answer (``{id, result}`` or ``{id, error}``) to one procedure call.

    The registry answers bad input itself, with the same codes as over HTTP.
    """
    # Imported here: the registry imports every app's procedures, which need the app registry.
    from api.dispatch import answer_ws_request

    return answer_ws_request(message, user=user)
