"""Turning publications into followers' emails, in the worker and never in a request: one
email per post for those who chose it (``fan_out_publications``, a task of the email worker),
and daily or weekly digests (``send_digests``, from cron).

An address following both an author and the whole site gets one email per post, and one
digest listing each post once. Each email's one-click unsubscribe ends the follow it came by.
"""

from collections import defaultdict
from collections.abc import Iterable, Iterator
from itertools import groupby
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from follows import services
from follows.models import Cadence, Follow, Publication
from mail import unsubscribe, worker_tasks
from mail.models import OutboundEmail
from mail.services import enqueue_emails, rendered_email

FOLLOWS_LIST = "follows"


def register_with_mail() -> None:
    unsubscribe.register(
        unsubscribe.MailingList(FOLLOWS_LIST, "new posts you follow", services.leave)
    )
    worker_tasks.register("follows.fan_out_publications", fan_out_publications)


def _followers(publication: Publication, cadence: str) -> "Iterable[Follow]":
    """The confirmed follows of ``cadence`` that include the publication: its author's and
    the site's, an author's first, so the one kept per address is the more specific."""
    return (
        Follow.objects.filter(confirmed_at__isnull=False, cadence=cadence)
        .filter(Q(author_id=publication.author_id) | Q(author__isnull=True))
        .select_related("author")
        .order_by("email", F("author_id").asc(nulls_last=True))
        .iterator(chunk_size=2000)
    )


def _by_address(follows: "Iterable[Follow]") -> "Iterator[list[Follow]]":
    """``follows`` (ordered by address) grouped by address."""
    for _, group in groupby(follows, key=lambda follow: follow.email):
        yield list(group)


def fan_out_publications(*, limit: int = 20) -> int:
    """Queue the per-post emails of up to ``limit`` publications not yet told; each
    publication is taken by one worker (SKIP LOCKED) and its emails queued in the same
    transaction that marks it told. How many publications were told."""
    told = 0
    for _ in range(limit):
        with transaction.atomic():
            publication = (
                Publication.objects.select_for_update(skip_locked=True, of=("self",))
                .select_related("author")
                .filter(fanned_out_at__isnull=True)
                .order_by("published_at")
                .first()
            )
            if publication is None:
                break
            context = {"post": _post_context(publication)}
            # One email per address, whose unsubscribe link ends every follow it came by.
            enqueue_emails(
                [
                    _email(follows, "follows/email/new_post", context)
                    for follows in _by_address(_followers(publication, Cadence.POST))
                ]
            )
            publication.fanned_out_at = timezone.now()
            publication.save(update_fields=["fanned_out_at"])
        told += 1
    return told


def send_digests(*, cadence: str) -> int:
    """Queue one digest per address with confirmed ``cadence`` follows, listing the posts
    published since its last digest (none when nothing is new). Cron-safe: each address is
    taken by one run, and its follows move past what was listed in the transaction that
    queues the digest. How many digests were queued."""
    if cadence not in (Cadence.DAILY, Cadence.WEEKLY):
        raise ValueError(f"{cadence!r} is not a digest cadence.")
    emails = (
        Follow.objects.filter(confirmed_at__isnull=False, cadence=cadence)
        .order_by("email")
        .values_list("email", flat=True)
        .distinct()
    )
    queued = 0
    for email in list(emails):
        with transaction.atomic():
            follows = list(
                Follow.objects.select_for_update(skip_locked=True, of=("self",))
                .select_related("author")
                .filter(email=email, confirmed_at__isnull=False, cadence=cadence)
                .order_by("author_id")
            )
            if follows and _queue_digest(follows, cadence):
                queued += 1
    return queued


def _queue_digest(follows: list[Follow], cadence: str) -> bool:
    now = timezone.now()
    posts: dict[int, Publication] = {}
    for follow in follows:
        since = follow.digested_until or follow.confirmed_at
        matching = Publication.objects.filter(published_at__gt=since, published_at__lte=now)
        if follow.author_id is not None:
            matching = matching.filter(author_id=follow.author_id)
        for publication in matching.select_related("author")[: settings.FOLLOW_DIGEST_MAX_POSTS]:
            posts[publication.id] = publication
    Follow.objects.filter(id__in=[follow.id for follow in follows]).update(digested_until=now)
    if not posts:
        return False
    listed = sorted(posts.values(), key=lambda publication: publication.published_at)
    by_author: dict[str, list[dict[str, str]]] = defaultdict(list)
    for publication in listed[-settings.FOLLOW_DIGEST_MAX_POSTS :]:
        by_author[publication.author.display_name].append(_post_context(publication))
    context = {
        "period": "day" if cadence == Cadence.DAILY else "week",
        "count": len(listed),
        "authors": dict(by_author),
    }
    _email(follows, "follows/email/digest", context).save(force_insert=True)
    return True


def _post_context(publication: Publication) -> dict[str, str]:
    return {
        "title": publication.title,
        "author": publication.author.display_name,
        "excerpt": publication.excerpt,
        "url": settings.MAIL_SITE_URL + publication.path,
    }


def _email(follows: list[Follow], template: str, context: dict[str, Any]) -> OutboundEmail:
    """An email to the address of ``follows`` (the most specific first), whose unsubscribe
    link ends them all."""
    subscriber = ",".join(str(follow.id) for follow in follows)
    followed = follows[0].author.display_name if follows[0].author else None
    return rendered_email(
        to=follows[0].email,
        template=template,
        context={**context, "followed": followed},
        unsubscribe_url=unsubscribe.unsubscribe_url(list_name=FOLLOWS_LIST, subscriber=subscriber),
    )
