"""The errors services raise, below every app; each transport maps them once, in its own table
(tRPC envelope, AppSync ``errorType``, HTML page, Cognito-shaped JSON).

Every error carries a message safe to show to the caller and says whether retrying may help;
none carries a status code or anything internal.
"""


class ServiceError(Exception):
    """Base of the expected failures of a service or selector."""

    default_message = "The request failed."
    # Whether the same request, sent again later, may succeed (after ``retry_after`` seconds
    # when that is known).
    retryable = False

    def __init__(self, message: str | None = None, *, retry_after: int | None = None) -> None:
        self.message = message or self.default_message
        self.retry_after = retry_after
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


class TooManyRequests(ServiceError):
    """The caller went over a rate; ``retry_after`` says when it may try again."""

    default_message = "Too many requests. Wait a moment and try again."
    retryable = True


class ServiceUnavailable(ServiceError):
    """Something the request needs (the identity provider, the database pool, a bounded
    resource) cannot serve it right now; nothing was changed."""

    default_message = "This is unavailable for a moment. Please try again shortly."
    retryable = True
