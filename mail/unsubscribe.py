"""One-click unsubscribe (RFC 8058) for every kind of email a person may stop: the lists, the
signed links that name one list and one subscriber, and leaving a list.

An app that sends a kind of email declares its list once (``register``, in its AppConfig's
``ready``) with the function that takes a subscriber off it; every email of that kind carries
``unsubscribe_url(...)``, which ``mail.pages`` answers, with a button on GET and at once on a
POST (what mail clients send, without a CSRF token). Links never expire: a years-old email
must still unsubscribe. Leaving is idempotent.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.urls import reverse

from lib.errors import InvalidInput

_SALT = "mail.unsubscribe"
_BROKEN = "This unsubscribe link is not valid: copy the whole link from the email."


@dataclass(frozen=True)
class MailingList:
    """A kind of email: ``name`` (in links), ``title`` (shown: "replies to your comments"),
    and ``leave(subscriber)``, which stops it for that subscriber and answers whether
    anything changed (False when they had already left, or are gone)."""

    name: str
    title: str
    leave: Callable[[str], bool]


_lists: dict[str, MailingList] = {}


def register(mailing_list: MailingList) -> None:
    _lists[mailing_list.name] = mailing_list


def unsubscribe_url(*, list_name: str, subscriber: str) -> str:
    """The absolute link that takes ``subscriber`` (an id the list understands) off the list."""
    if list_name not in _lists:
        raise LookupError(f"No mailing list is registered as {list_name!r}.")
    token = signing.dumps({"list": list_name, "subscriber": subscriber}, salt=_SALT)
    return settings.MAIL_SITE_URL + reverse("mail:unsubscribe", kwargs={"token": token})


@dataclass(frozen=True)
class Subscription:
    """What a valid link names."""

    mailing_list: MailingList
    subscriber: str


def subscription(*, token: str) -> Subscription:
    """The list and subscriber ``token`` names; InvalidInput when it is broken or forged."""
    try:
        payload = signing.loads(token, salt=_SALT)
        mailing_list = _lists[payload["list"]]
        subscriber = str(payload["subscriber"])
    except (signing.BadSignature, KeyError, TypeError):
        raise InvalidInput({"token": [_BROKEN]}, _BROKEN) from None
    return Subscription(mailing_list=mailing_list, subscriber=subscriber)


def leave(*, token: str) -> tuple[Subscription, bool]:
    """Take the subscriber ``token`` names off its list: what it named, and whether anything
    changed (False the second time)."""
    named = subscription(token=token)
    return named, named.mailing_list.leave(named.subscriber)
