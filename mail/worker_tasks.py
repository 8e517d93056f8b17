"""Work the email worker does before each sending pass, registered by the apps that need it
(follows expands a publication into its emails there, out of the publishing request)."""

import logging
from collections.abc import Callable

logger = logging.getLogger(__name__)

_tasks: dict[str, Callable[[], object]] = {}


def register(name: str, task: Callable[[], object]) -> None:
    _tasks[name] = task


def run_all() -> None:
    """Run every task once; one that fails is logged and the others (and sending) go on."""
    for name, task in _tasks.items():
        try:
            task()
        except Exception:
            logger.exception("The email worker's task %s failed", name)
