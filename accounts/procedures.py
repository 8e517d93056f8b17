"""The user procedures: who am I, someone's public profile, and changing my own."""

from accounts.models import User
from accounts.selectors import active_user
from accounts.serializers import (
    UserByIdInput,
    UserProfileOutput,
    UserPublicOutput,
    UserUpdateProfileInput,
)
from accounts.services import update_profile
from api.registry import (
    AUTHENTICATED,
    MUTATION,
    PUBLIC,
    QUERY,
    Context,
    Data,
    SignedInContext,
    procedure,
)


@procedure("user.me", kind=QUERY, input=None, output=UserProfileOutput, access=AUTHENTICATED)
def user_me(ctx: SignedInContext, data: Data) -> User:
    """The caller's profile."""
    return ctx.user


@procedure("user.byId", kind=QUERY, input=UserByIdInput, output=UserPublicOutput, access=PUBLIC)
def user_by_id(ctx: Context, data: Data) -> User:
    """Someone's public profile (no email)."""
    return active_user(user_id=data["id"])


@procedure(
    "user.updateProfile",
    kind=MUTATION,
    input=UserUpdateProfileInput,
    output=UserProfileOutput,
    access=AUTHENTICATED,
)
def user_update_profile(ctx: SignedInContext, data: Data) -> User:
    """Change the caller's name, bio or avatar URL."""
    return update_profile(user=ctx.user, **data)
