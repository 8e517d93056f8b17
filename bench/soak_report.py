"""What a soak run found: whether the server's memory stayed flat after warm-up, whether every
broadcast a subscriber was sure to be owed reached it, and the results as Markdown and a plot.

Pure functions of what `bench/soak.py` recorded, so the verdicts are tested without a server.
"""

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class Interval:
    """One sampling interval, ending at ``seconds`` into the run, when the RSS was read."""

    seconds: float
    rss_kib: int
    requests: int = 0
    server_errors: int = 0  # HTTP 5xx
    other_failures: int = 0  # any other non-2xx answer, or no answer at all
    sockets_opened: int = 0
    broadcasts_received: int = 0


@dataclass(frozen=True)
class MemoryVerdict:
    """The RSS after warm-up against its first reading after warm-up (the baseline)."""

    baseline_kib: int
    lowest_kib: int
    highest_kib: int
    largest_deviation: float  # the farthest reading from the baseline, as a fraction of it
    tolerance: float

    @property
    def is_flat(self) -> bool:
        return self.largest_deviation <= self.tolerance


def memory_verdict(
    intervals: Sequence[Interval], *, warm_up_seconds: float, tolerance: float = 0.10
) -> MemoryVerdict | None:
    """Whether every reading from ``warm_up_seconds`` on stays within ``tolerance`` of the
    first of them; None when fewer than two readings come after warm-up (nothing to compare)."""
    judged = [interval.rss_kib for interval in intervals if interval.seconds >= warm_up_seconds]
    if len(judged) < 2:
        return None
    baseline = judged[0]
    return MemoryVerdict(
        baseline_kib=baseline,
        lowest_kib=min(judged),
        highest_kib=max(judged),
        largest_deviation=max(abs(rss - baseline) for rss in judged) / baseline,
        tolerance=tolerance,
    )


@dataclass(frozen=True)
class WrittenComment:
    """A comment.create that succeeded: when it was sent and when its answer came (monotonic)."""

    post_id: str
    comment_id: str
    sent_at: float
    answered_at: float


@dataclass(frozen=True)
class Subscription:
    """One subscriber's stay on a post's comments channel, and the comment ids it was sent."""

    post_id: str
    subscribed_at: float  # subscribe_success received
    closed_at: float  # the subscriber began to close
    received: frozenset[str] = field(default_factory=frozenset)


@dataclass(frozen=True)
class Deliveries:
    """Broadcasts owed to subscribers against those they received.

    A subscriber is owed a comment sent after its subscription was confirmed and answered at
    least the grace period before it closed; a comment at the edges of its stay may or may not
    reach it, and is counted apart (``at_edges``), never as missing.
    """

    expected: int
    received: int
    missing: int
    at_edges: int
    misrouted: int  # received on a post's channel, but not a comment of that post

    @property
    def is_complete(self) -> bool:
        return self.missing == 0 and self.misrouted == 0


def account_broadcasts(
    written: Iterable[WrittenComment],
    subscriptions: Iterable[Subscription],
    *,
    grace_seconds: float,
) -> Deliveries:
    comments_of_post: dict[str, list[WrittenComment]] = defaultdict(list)
    for comment in written:
        comments_of_post[comment.post_id].append(comment)
    expected = received = at_edges = misrouted = 0
    for subscription in subscriptions:
        comments = comments_of_post[subscription.post_id]
        owed = {
            comment.comment_id
            for comment in comments
            if comment.sent_at >= subscription.subscribed_at
            and comment.answered_at + grace_seconds <= subscription.closed_at
        }
        of_this_post = {comment.comment_id for comment in comments}
        expected += len(owed)
        received += len(owed & subscription.received)
        at_edges += len((subscription.received & of_this_post) - owed)
        misrouted += len(subscription.received - of_this_post)
    return Deliveries(
        expected=expected,
        received=received,
        missing=expected - received,
        at_edges=at_edges,
        misrouted=misrouted,
    )


def intervals_table(intervals: Sequence[Interval]) -> list[str]:
    """Markdown rows: time → RSS, and what happened in the interval that ended then."""
    rows = [
        "| time | RSS (MiB) | requests | HTTP 5xx | other failures | sockets opened "
        "| broadcasts received |",
        "|---|---|---|---|---|---|---|",
    ]
    for interval in intervals:
        minutes, seconds = divmod(round(interval.seconds), 60)
        rows.append(
            f"| {minutes}:{seconds:02d} | {interval.rss_kib / 1024:.1f} | {interval.requests} "
            f"| {interval.server_errors} | {interval.other_failures} "
            f"| {interval.sockets_opened} | {interval.broadcasts_received} |"
        )
    return rows


def plot_rss(intervals: Sequence[Interval], *, warm_up_seconds: float, path: Path) -> bool:
    """Draw the RSS curve to ``path`` (PNG); False when matplotlib is not installed."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        from matplotlib import pyplot
    except ImportError:
        return False
    minutes = [interval.seconds / 60 for interval in intervals]
    mebibytes = [interval.rss_kib / 1024 for interval in intervals]
    figure, axes = pyplot.subplots(figsize=(8, 4), dpi=100)
    axes.plot(minutes, mebibytes, marker="o")
    axes.axvline(warm_up_seconds / 60, linestyle="--", color="grey", label="end of warm-up")
    verdict = memory_verdict(intervals, warm_up_seconds=warm_up_seconds)
    if verdict is not None:
        for bound, label in ((1 - verdict.tolerance, None), (1 + verdict.tolerance, "flat band")):
            axes.axhline(
                verdict.baseline_kib * bound / 1024, linestyle=":", color="tab:red", label=label
            )
    axes.set_xlabel("minutes into the run")
    axes.set_ylabel("Daphne RSS (MiB)")
    axes.set_ylim(bottom=0)
    axes.set_title("Soak: one Daphne process under mixed traffic")
    axes.legend(loc="lower right")
    figure.tight_layout()
    figure.savefig(path)
    pyplot.close(figure)
    return True
