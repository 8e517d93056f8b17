"""The errors services raise; each transport maps them once (tRPC envelope, AppSync errors, HTML).

Every error carries a message safe to show to the caller; nothing here holds internals.
"""


class ServiceError(Exception):
    """Base of the expected failures of a service or selector."""

    default_message = "The request failed."

    def __init__(self, message: str | None = None) -> None:
        self.message = message or self.default_message
        super().__init__(self.message)


class InvalidInput(ServiceError):
    """The input broke a rule; ``field_errors`` maps input field names to messages."""

    default_message = "The input is not valid."

    def __init__(self, field_errors: dict[str, list[str]], message: str | None = None) -> None:
        self.field_errors = field_errors
        super().__init__(message)


class Unauthorized(ServiceError):
    default_message = "You must sign in to do this."


class Forbidden(ServiceError):
    default_message = "You may not do this."


class NotFound(ServiceError):
    default_message = "Not found."


class Conflict(ServiceError):
    default_message = "This conflicts with the current state."


class PayloadTooLarge(ServiceError):
    default_message = "The request is too large."
