"""The identity-specific failures of the sign-in services, on top of lib.errors' hierarchy."""

from lib.errors import InvalidInput, ServiceUnavailable, TooManyRequests, Unauthorized


class UnconfirmedUser(Unauthorized):
    """The account exists but its email address has not been confirmed with the code yet."""

    default_message = "Confirm your email address with the code we sent before signing in."


class TooManyAttempts(TooManyRequests):
    """Too many failed attempts for this account or address; try again later."""

    default_message = "Too many failed attempts. Wait a few minutes and try again."


class ProviderUnavailable(ServiceUnavailable):
    """The identity provider (its signing keys, or Cognito itself) could not be reached or
    answered unexpectedly."""

    default_message = "Sign-in is unavailable right now. Please try again in a moment."


class WrongCurrentPassword(InvalidInput):
    """A password change (or another step asking for it) was given a wrong current password."""

    def __init__(self) -> None:
        super().__init__({"currentPassword": ["Your current password is wrong."]})
