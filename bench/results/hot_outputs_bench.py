"""CPU per call of the hot read procedures, in-process (no HTTP server, no threads).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/perfoutputs \
        python bench/results/hot_outputs_bench.py [--seed 20000] [--calls 300] [--rounds 5] \
        [--code DIR]

Runs what a request's application work is, for one anonymous caller: ``call_procedure``, then
the tRPC body (SuperJSON, as @trpc/client asks, and plain JSON) encoded by ``trpc.dumps``.
CPU time is ``time.process_time`` (this process only: PostgreSQL's own CPU is not counted);
each figure is the median of ``--rounds`` rounds of ``--calls`` calls, after a warm-up.

``--seed N`` seeds the database to N posts (bench.post_list.seed) and adds one post with 200
comments (threads, replies, placeholders, unicode): it writes, so never point it at a database
that is read-only for you. ``--list-only`` runs post.list alone (no view counts written).

``--code DIR`` runs the site's code of another checkout (an older commit, say ``git worktree
add --detach /tmp/reads-base 2f98923``) with this script, so that two versions are measured
the same way, one after the other, on the same database.
"""

import argparse
import os
import statistics
import sys
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# The code measured: this checkout's, or another's given with --code (read before argparse
# runs, since the site's modules are imported from it).
_CODE = sys.argv[sys.argv.index("--code") + 1] if "--code" in sys.argv[:-1] else str(ROOT)
sys.path.insert(0, _CODE)
os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"

THREAD_SLUG = "hot-outputs-200-comments"


def seed_thread() -> None:
    """One post with 200 comments: 40 threads, replies up to 6 deep, every 17th a placeholder."""
    from accounts.models import User
    from blog.models import Comment, Post

    if Post.objects.filter(slug=THREAD_SLUG).exists():
        return
    people = [
        User.objects.get_or_create(
            email=f"thread{n}@example.com",
            defaults={"name": ["Zoë Ünicode", "", "Ada"][n % 3], "avatar_url": ""},
        )[0]
        for n in range(12)
    ]
    post = Post.objects.create(
        title="Two hundred comments",
        slug=THREAD_SLUG,
        content="# Thread\n\nA post with **many** comments.",
        content_html="<h1>Thread</h1>\n<p>A post with <strong>many</strong> comments.</p>\n",
        excerpt="A post with many comments.",
        published=True,
        published_at=datetime(2025, 1, 1, tzinfo=UTC),
        author=people[0],
    )
    start = datetime(2025, 1, 1, tzinfo=UTC)
    comments: list[Comment] = []
    for number in range(200):
        parent = None
        depth = 0
        if number % 5 and comments:
            parent = comments[-1] if comments[-1].depth < 6 else comments[-7]
            depth = parent.depth + 1
        comment = Comment(
            id=uuid.uuid4(),
            content=f"Comment {number}: héllo — “quoted” ✓ " + "words " * (number % 30),
            post=post,
            author=people[number % len(people)],
            parent=parent,
            depth=depth,
            is_deleted=number % 17 == 0,
        )
        comments.append(comment)
    Comment.objects.bulk_create(comments)
    for number, comment in enumerate(comments):
        moment = start + timedelta(minutes=number, microseconds=number * 1234)
        Comment.objects.filter(id=comment.id).update(created_at=moment, updated_at=moment)


def median_cpu_us(work: Callable[[], object], calls: int, rounds: int) -> float:
    for _ in range(max(20, calls // 10)):
        work()
    per_call = []
    for _ in range(rounds):
        started = time.process_time()
        for _ in range(calls):
            work()
        per_call.append((time.process_time() - started) / calls * 1e6)
    return statistics.median(per_call)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--calls", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--list-only", action="store_true")
    parser.add_argument("--code", default=str(ROOT), help="the checkout whose code to measure")
    args = parser.parse_args()

    import django

    django.setup()
    from django.contrib.auth.models import AnonymousUser

    from api import trpc
    from api.dispatch import call_procedure
    from blog.models import Post

    if args.seed:
        from bench.post_list import seed

        seed(args.seed)
        seed_thread()

    anonymous = AnonymousUser()
    calls: dict[str, object] = {"post.list": {"limit": 20}}
    if not args.list_only:
        thread = Post.objects.get(slug=THREAD_SLUG)
        calls["post.bySlug"] = {"slug": THREAD_SLUG}
        calls["comment.list"] = {"postId": str(thread.id)}

    print(f"code: {args.code}")
    print(f"{'procedure':<14} {'call_procedure':>15} {'+ superjson body':>17} {'+ json body':>12}")
    for path, given in calls.items():

        def call(path: str = path, given: object = given) -> trpc.Outcome:
            outcome = call_procedure(path=path, kind="query", raw_input=given, user=anonymous)
            assert isinstance(outcome, trpc.Success), outcome
            return outcome

        def answer(uses_superjson: bool, call: Callable[[], trpc.Outcome] = call) -> bytes:
            body = trpc.http_body([call()], is_batch=False, uses_superjson=uses_superjson)
            return trpc.dumps(body)

        bare = median_cpu_us(call, args.calls, args.rounds)
        superjson_body = median_cpu_us(lambda: answer(True), args.calls, args.rounds)
        json_body = median_cpu_us(lambda: answer(False), args.calls, args.rounds)
        print(f"{path:<14} {bare:>12.0f} µs {superjson_body:>14.0f} µs {json_body:>9.0f} µs")


if __name__ == "__main__":
    main()
