"""The identity-specific failures of the sign-in services, on top of api.errors' hierarchy."""

from api.errors import ServiceError, Unauthorized


class UnconfirmedUser(Unauthorized):
    """The account exists but its email address has not been confirmed with the code yet."""

    default_message = "Confirm your email address with the code we sent before signing in."


class TooManyAttempts(ServiceError):
    """Too many failed attempts for this account or address; try again later."""

    default_message = "Too many failed attempts. Wait a few minutes and try again."

    def __init__(self, message: str | None = None, *, retry_after: int = 60) -> None:
        self.retry_after = retry_after
        super().__init__(message)


class ProviderUnavailable(ServiceError):
    """The identity provider could not be reached or answered unexpectedly."""

    default_message = "Sign-in is unavailable right now. Please try again in a moment."
