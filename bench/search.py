"""Benchmark post.search as the corpus grows: rare, medium and common words at 10k to 1M posts.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/perf_search python bench/search.py \
        [--sizes 10000,100000,1000000] [--rounds 5] [--repeats 10] [--before-max-posts N] \
        [--no-before] [--results bench/results/search]

Each size has its own database beside DATABASE_URL's (``perf_search_10k``, ``…_1m``), created,
migrated and seeded on first use (one COPY; a million posts took about 45 minutes on the busy
2-core machine, mostly ``to_tsvector`` and the GIN index) and reused after.
The posts are made of words drawn from a Zipf distribution over a 50,000-word made-up
vocabulary, so a few words are in most posts and most words in few; the bench picks words by
the share of posts they appear in: rare (~0.05 %), medium (~1 %) and common (~30 %).

Each size runs in a child process; within it, every round times, for each word, the search as
it was before the stored column (the query on the expression index, kept here as the baseline,
with that index built once per database) and as it is now, on the same base queryset, then the
whole ``post.search`` procedure (input, query, output) as a caller gets it. Wall-clock time,
one client, in process: no HTTP server.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[1]
# The project root replaces this script's folder, whose markdown.py would shadow the package
# that Django REST framework imports.
sys.path.pop(0)
sys.path.insert(0, str(ROOT))
os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"

from bench.seeding import PostRow, copy_posts  # noqa: E402

VOCABULARY = 50_000
ZIPF_EXPONENT = 1.0
WORDS_PER_POST = (60, 400)
WORDS_PER_TITLE = (3, 8)
# Share of posts a word of each class appears in, and how many words of each class are searched.
TERM_CLASSES = {"rare": 0.0005, "medium": 0.01, "common": 0.30}
TERMS_PER_CLASS = 3
PAGE = 20
BEFORE_INDEX = "bench_search_before_idx"
VARIANTS = ("before", "after", "post.search")


def size_label(size: int) -> str:
    return f"{size // 1_000_000}m" if size % 1_000_000 == 0 else f"{size // 1000}k"


class Corpus:
    """A made-up vocabulary with Zipf word frequencies, and posts written from it; the same
    every run (fixed seeds), so a database seeded in pieces is seeded alike."""

    def __init__(self) -> None:
        import numpy as np

        self.np = np
        rng = np.random.default_rng(12)
        onsets = [*"bdfgklmnprstvz", "br", "kr", "st", "tr", "pl", "gl"]
        words: dict[str, None] = {}
        while len(words) < VOCABULARY:
            syllables = rng.integers(2, 5)
            word = "".join(
                onsets[rng.integers(len(onsets))] + "aeiou"[rng.integers(5)]
                for _ in range(syllables)
            )
            words[word + "n"] = None  # a final consonant: the stemmer leaves these words be
        self.words = np.array(list(words), dtype=object)
        weights = 1.0 / np.arange(1, VOCABULARY + 1) ** ZIPF_EXPONENT
        self.probabilities = weights / weights.sum()
        self.cumulative = np.cumsum(self.probabilities)

    def document_share(self) -> Any:
        """Each word's expected share of posts containing it (in their content)."""
        lengths = self.np.arange(*WORDS_PER_POST)
        misses = (1 - self.probabilities[:, None]) ** lengths[None, :]
        return 1 - misses.mean(axis=1)

    def terms(self) -> dict[str, list[str]]:
        shares = self.document_share()
        chosen = {}
        for name, share in TERM_CLASSES.items():
            nearest = self.np.argsort(self.np.abs(self.np.log(shares / share)))[:TERMS_PER_CLASS]
            chosen[name] = [str(self.words[rank]) for rank in sorted(nearest)]
        return chosen

    def rows(self, start: int, stop: int) -> Iterator[PostRow]:
        np = self.np
        rng = np.random.default_rng(start)
        for number in range(start, stop):
            length = int(rng.integers(*WORDS_PER_POST))
            title_length = int(rng.integers(*WORDS_PER_TITLE))
            ranks = self.cumulative.searchsorted(rng.random(length + title_length))
            drawn = self.words[np.minimum(ranks, VOCABULARY - 1)].tolist()
            title_words, drawn = drawn[:title_length], drawn[title_length:]
            sentences = [
                " ".join(drawn[at : at + 12]).capitalize() + "." for at in range(0, length, 12)
            ]
            paragraphs = [" ".join(sentences[at : at + 6]) for at in range(0, len(sentences), 6)]
            content = "\n\n".join(paragraphs)
            yield PostRow(
                number=number,
                title=" ".join(title_words).capitalize(),
                content=content,
                content_html="".join(f"<p>{p}</p>\n" for p in paragraphs),
                excerpt=content[:200],
                published=number % 10 != 0,
            )


def seed(size: int, corpus: Corpus) -> None:
    from django.core.management import call_command
    from django.db import connection

    from blog.models import Post

    call_command("migrate", verbosity=0)
    have = Post.objects.count()
    if have < size:
        began = time.monotonic()
        copy_posts(corpus.rows(have, size), slug_prefix="search-bench")
        print(f"seeded {size - have} posts in {time.monotonic() - began:.0f} s", file=sys.stderr)
        with connection.cursor() as cursor:
            # What autovacuum would have done by the time anyone searches: hint bits set, the
            # GIN pending list merged, statistics taken.
            cursor.execute("VACUUM ANALYZE blog_post")


def ensure_before_index() -> None:
    """The expression index the search used before the stored column (migration 0002's),
    so that the baseline runs as it did."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SET maintenance_work_mem = '1GB'")  # a GIN build flushes less often
        cursor.execute(
            f"CREATE INDEX IF NOT EXISTS {BEFORE_INDEX} ON blog_post USING gin (({_DOCUMENT}))"
        )


# The search document as an expression, as blog.search built it before migration 0007.
_DOCUMENT = (
    "setweight(to_tsvector('english'::regconfig, COALESCE(title, '')), 'A') || "
    "setweight(to_tsvector('english'::regconfig, COALESCE(LEFT(content, 100000), '')), 'B')"
)


def matching_posts_before(posts: Any, query: str, offset: int, limit: int) -> list:
    """blog.search.matching_posts on PostgreSQL as it was before the stored column (commit
    25309fa), the baseline: the document computed by the expression the index was built on."""
    from django.contrib.postgres.search import (
        SearchHeadline,
        SearchQuery,
        SearchRank,
        SearchVector,
    )
    from django.db.models.functions import Left

    from blog.rendering import HIGHLIGHT_START, HIGHLIGHT_STOP
    from blog.search import INDEXED_CONTENT_CHARS, SEARCH_CANDIDATES, SEARCH_CONFIG

    def document() -> Any:
        return SearchVector("title", weight="A", config=SEARCH_CONFIG) + SearchVector(
            Left("content", INDEXED_CONTENT_CHARS), weight="B", config=SEARCH_CONFIG
        )

    search_query = SearchQuery(query, config=SEARCH_CONFIG, search_type="websearch")
    candidates = (
        posts.annotate(document=document())
        .filter(document=search_query)
        .order_by("-created_at")
        .values("id")[:SEARCH_CANDIDATES]
    )
    return list(
        posts.filter(id__in=candidates)
        .annotate(
            rank=SearchRank(document(), search_query),
            headline=SearchHeadline(
                Left("content", INDEXED_CONTENT_CHARS),
                search_query,
                config=SEARCH_CONFIG,
                start_sel=HIGHLIGHT_START,
                stop_sel=HIGHLIGHT_STOP,
                max_words=35,
                min_words=15,
                max_fragments=2,
            ),
        )
        .order_by("-rank", "-created_at", "-id")[offset : offset + limit]
    )


@dataclass
class Searches:
    """The three ways a word is searched, each a call that returns what it found."""

    term: str

    def before(self) -> int:
        return len(matching_posts_before(self.base(), self.term, 0, PAGE + 1))

    def after(self) -> int:
        from blog.search import matching_posts

        return len(matching_posts(self.base(), query=self.term, offset=0, limit=PAGE + 1))

    def procedure(self) -> int:
        from django.contrib.auth.models import AnonymousUser

        from api import trpc
        from api.dispatch import call_procedure

        outcome = call_procedure(
            path="post.search",
            kind="query",
            raw_input={"query": self.term, "limit": PAGE},
            user=AnonymousUser(),
        )
        assert isinstance(outcome, trpc.Success), outcome
        trpc.dumps(trpc.http_body([outcome], is_batch=False, uses_superjson=True))
        return len(outcome.data["items"])

    @staticmethod
    def base() -> Any:
        """Published posts with their authors, the long text columns deferred."""
        from blog.models import Post

        return (
            Post.objects.filter(published=True)
            .select_related("author")
            .defer("content", "content_html")
        )


def measure(size: int, rounds: int, repeats: int, with_before: bool) -> dict:
    """Seed this process's database to ``size`` and time every word's searches, interleaved;
    with no rounds, only seed it."""
    import django

    django.setup()
    from django.db import connection

    corpus = Corpus()
    seed(size, corpus)
    if with_before:
        ensure_before_index()
    if not rounds:
        return {}
    variants = VARIANTS if with_before else VARIANTS[1:]
    terms = corpus.terms()
    matches = {}
    with connection.cursor() as cursor:
        for term in (term for chosen in terms.values() for term in chosen):
            cursor.execute(
                "SELECT count(*) FROM blog_post WHERE published AND search_document @@ "
                "websearch_to_tsquery('english', %s)",
                [term],
            )
            matches[term] = cursor.fetchone()[0]
    calls = {
        (name, term): {
            "before": Searches(term).before,
            "after": Searches(term).after,
            "post.search": Searches(term).procedure,
        }
        for name, chosen in terms.items()
        for term in chosen
    }
    for searches in calls.values():  # warm-up: caches, connections, plans
        for variant in variants:
            searches[variant]()
    latencies: dict[str, dict[str, list[float]]] = {
        name: {variant: [] for variant in variants} for name in terms
    }
    for _ in range(rounds):
        for (name, _term), searches in calls.items():
            for variant in variants:
                for _ in range(repeats):
                    began = time.perf_counter()
                    searches[variant]()
                    latencies[name][variant].append((time.perf_counter() - began) * 1000)
    return {"size": size, "terms": terms, "matches": matches, "latencies": latencies}


def database_url(base: str, size: int) -> str:
    parts = urlsplit(base)
    return urlunsplit(parts._replace(path=f"{parts.path.rstrip('/')}_{size_label(size)}"))


def ensure_database(url: str) -> None:
    import psycopg

    name = urlsplit(url).path.lstrip("/")
    admin = urlunsplit(urlsplit(url)._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as connection:
        exists = connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if exists.fetchone() is None:
            connection.execute(f'CREATE DATABASE "{name}"')


def percentile(values: list[float], share: int) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[share - 1]


def report(runs: list[dict], results: Path | None) -> str:
    lines = [
        "| posts | words | posts matching (published) | before p50 / p99 | after p50 / p99 "
        "| after/before (p99) | post.search p50 / p99 |",
        "|---|---|---|---|---|---|---|",
    ]
    for run in runs:
        for name, chosen in run["terms"].items():
            timed = run["latencies"][name]
            matched = ", ".join(f"{run['matches'][term]:,}" for term in chosen)

            def cell(variant: str, timed: dict = timed) -> str:
                if variant not in timed:
                    return "-"
                p50, p99 = (percentile(timed[variant], share) for share in (50, 99))
                return f"{p50:.1f} / {p99:.1f} ms"

            ratio = (
                f"{percentile(timed['after'], 99) / percentile(timed['before'], 99):.2f}x"
                if "before" in timed
                else "-"
            )
            lines.append(
                f"| {run['size']:,} | {name} | {matched} | {cell('before')} | {cell('after')} "
                f"| {ratio} | {cell('post.search')} |"
            )
    table = "\n".join(lines)
    if results is not None:
        plot(runs, results.with_suffix(".png"))
    return table


def plot(runs: list[dict], path: Path) -> None:
    """p50 and p99 against the corpus size, per word class: post.search now, and the query
    before the stored column where it was measured."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, panels = plt.subplots(1, 2, figsize=(11, 4.8), sharey=True)
    markers = {"rare": "o", "medium": "s", "common": "^"}
    colours = {"rare": "tab:blue", "medium": "tab:orange", "common": "tab:green"}
    for axes, share in zip(panels, (50, 99), strict=True):
        for name, marker in markers.items():
            for variant, line, label in (
                ("before", ":", "before (query)"),
                ("post.search", "-", "post.search"),
            ):
                points = [
                    (run["size"], percentile(run["latencies"][name][variant], share))
                    for run in runs
                    if variant in run["latencies"][name]
                ]
                if points:
                    sizes, values = zip(*points, strict=True)
                    axes.plot(sizes, values, line, marker=marker, color=colours[name],
                              label=f"{name}, {label}")  # fmt: skip
        axes.axhline(25, color="grey", linewidth=0.8)
        axes.text(runs[0]["size"], 27, "goal: p99 25 ms", color="grey")
        axes.set_xscale("log")
        axes.set_yscale("log")
        axes.set_xlabel("posts")
        axes.set_title(f"p{share}")
    panels[0].set_ylabel("latency (ms)")
    panels[1].legend(fontsize=8)
    figure.suptitle("post.search as the corpus grows (one client, in process)")
    figure.tight_layout()
    figure.savefig(path, dpi=110)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--repeats", type=int, default=10, help="calls per word per round")
    parser.add_argument("--no-before", action="store_true", help="skip the baseline query")
    parser.add_argument(
        "--before-max-posts",
        type=int,
        help="skip the baseline above this size (its index takes long to build, its calls seconds)",
    )
    parser.add_argument("--results", type=Path, help="write <results>.md and <results>.png")
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    base = os.environ.get("DATABASE_URL", "")
    if not base.startswith("postgres"):
        raise SystemExit("Set DATABASE_URL to a PostgreSQL database of your own.")
    if args.one:
        print(json.dumps(measure(args.one, args.rounds, args.repeats, not args.no_before)))
        return
    runs = []
    for size in (int(size) for size in args.sizes.split(",")):
        url = database_url(base, size)
        ensure_database(url)
        options = ["--rounds", str(args.rounds), "--repeats", str(args.repeats)]
        child = [sys.executable, __file__, "--one", str(size), *options]
        if args.no_before or (args.before_max_posts or size) < size:
            child.append("--no-before")
        done = subprocess.run(  # noqa: S603
            child, env={**os.environ, "DATABASE_URL": url}, capture_output=True, text=True
        )
        if done.returncode:
            raise SystemExit(f"{size} posts failed:\n{done.stderr}")
        runs.append(json.loads(done.stdout.splitlines()[-1]))
        print(f"{size:,} posts measured", file=sys.stderr)
    table = report(runs, args.results)
    print(table)
    if args.results is not None:
        words = "; ".join(
            f"{name}: {', '.join(chosen)}" for name, chosen in runs[0]["terms"].items()
        )
        samples = args.rounds * args.repeats * TERMS_PER_CLASS
        args.results.with_suffix(".md").write_text(
            f"# post.search as the corpus grows ({time.strftime('%Y-%m-%d')})\n\n"
            f"`python bench/search.py {' '.join(sys.argv[1:])}`: {samples} calls per word "
            "class and column at each size, interleaved; wall-clock milliseconds, one client, "
            "in process.\n"
            f"Words searched: {words}.\n\n{table}\n"
        )


if __name__ == "__main__":
    main()
