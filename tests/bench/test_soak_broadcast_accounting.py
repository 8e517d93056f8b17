"""The soak's broadcast accounting: a subscriber is owed every comment sent after it was
subscribed and answered a grace period before it closed; one it was owed and never got is
missing, one at the edges of its stay is counted apart, one of another post is misrouted."""

from bench.soak_report import Subscription, WrittenComment, account_broadcasts

GRACE = 5.0


def _comment(comment_id: str, sent_at: float, post_id: str = "p1") -> WrittenComment:
    return WrittenComment(post_id, comment_id, sent_at=sent_at, answered_at=sent_at + 0.1)


def _stay(subscribed_at: float, closed_at: float, *received: str) -> Subscription:
    return Subscription("p1", subscribed_at, closed_at, frozenset(received))


def test_every_owed_comment_received_is_complete():
    written = [_comment("a", 12), _comment("b", 20)]

    deliveries = account_broadcasts(written, [_stay(10, 40, "a", "b")], grace_seconds=GRACE)

    assert (deliveries.expected, deliveries.received, deliveries.missing) == (2, 2, 0)
    assert deliveries.is_complete


def test_an_owed_comment_never_received_is_missing():
    written = [_comment("a", 12), _comment("b", 20)]

    deliveries = account_broadcasts(written, [_stay(10, 40, "a")], grace_seconds=GRACE)

    assert deliveries.missing == 1
    assert not deliveries.is_complete


def test_comments_at_the_edges_of_a_stay_are_not_owed():
    # sent before the subscription, and answered within the grace period before closing
    written = [_comment("before", 9), _comment("late", 37)]

    deliveries = account_broadcasts(written, [_stay(10, 40, "before")], grace_seconds=GRACE)

    assert (deliveries.expected, deliveries.missing, deliveries.at_edges) == (0, 0, 1)
    assert deliveries.is_complete


def test_a_comment_of_another_post_received_is_misrouted():
    written = [_comment("a", 12), _comment("elsewhere", 12, post_id="p2")]

    deliveries = account_broadcasts(written, [_stay(10, 40, "a", "elsewhere")], grace_seconds=GRACE)

    assert deliveries.misrouted == 1
    assert not deliveries.is_complete


def test_comments_of_other_posts_are_not_owed():
    written = [_comment("elsewhere", 12, post_id="p2")]

    deliveries = account_broadcasts(written, [_stay(10, 40)], grace_seconds=GRACE)

    assert deliveries.expected == 0
    assert deliveries.is_complete
