"""Full-text search of posts: the stored search document, query building, ranking, snippets,
and the limits of a search.

On PostgreSQL, websearch matches read the ``search_document`` column (migration 0007), the
newest SEARCH_CANDIDATES of them ranked; on the embedded SQLite, every word as a substring.
"""

from typing import TYPE_CHECKING, Any, TypedDict

from django.contrib.postgres.search import (
    SearchHeadline,
    SearchQuery,
    SearchRank,
    SearchVectorField,
)
from django.db import connection
from django.db.models import Expression, Q, QuerySet
from django.db.models.functions import Left

from blog.models import Post
from blog.rendering import HIGHLIGHT_START, HIGHLIGHT_STOP

# The stored column is generated with these values (migration 0007): changing one takes a
# migration that regenerates it.
SEARCH_CONFIG = "english"
# to_tsvector refuses documents over 1 MiB; a post's first 100,000 characters are what we index.
INDEXED_CONTENT_CHARS = 100_000
# Ranking costs grow with the number of matches: only the newest matches are ranked.
SEARCH_CANDIDATES = 1000
SEARCH_QUERY_MAX_LENGTH = 200
# The embedded database's substring search looks for at most this many words.
_SUBSTRING_WORDS = 10
SNIPPET_CHARS = 200


class Headline(TypedDict):
    headline: str


if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations

    # A post found by a search, carrying its ``headline`` snippet. Type-checking only:
    # Python 3.11's typing cannot subscript WithAnnotations with two arguments at run time.
    SearchHit = WithAnnotations[Post, Headline]


class SearchDocument(Expression):
    """A post's stored search document: its title (weight A) and first INDEXED_CONTENT_CHARS
    of content (weight B) as a ``tsvector`` in SEARCH_CONFIG, the ``search_document`` column
    PostgreSQL generates (migration 0007). The model does not declare the column, so that no
    read of a post loads it; this reads it on the query's own table."""

    output_field = SearchVectorField()

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, list[Any]]:
        table = compiler.quote_name_unless_alias(compiler.query.get_initial_alias())
        return f"{table}.search_document", []


def matching_posts(
    posts: QuerySet[Post], *, query: str, offset: int, limit: int
) -> list["SearchHit"]:
    """Up to ``limit`` of ``posts`` matching ``query`` from ``offset``, best first, each with a
    ``headline`` whose matches are wrapped in HIGHLIGHT_START / HIGHLIGHT_STOP."""
    if connection.vendor == "postgresql":
        return _ranked_matches(posts, query, offset, limit)
    return _substring_matches(posts, query, offset, limit)


def _ranked_matches(
    posts: QuerySet[Post], query: str, offset: int, limit: int
) -> list["SearchHit"]:
    search_query = SearchQuery(query, config=SEARCH_CONFIG, search_type="websearch")
    candidates = (
        posts.alias(document=SearchDocument())
        .filter(document=search_query)
        .order_by("-published_at")
        .values("id")[:SEARCH_CANDIDATES]
    )
    return list(
        posts.filter(id__in=candidates)
        .annotate(
            rank=SearchRank(SearchDocument(), search_query),
            headline=SearchHeadline(
                # The indexed head only: a headline over 2 MiB of text costs seconds per row.
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
        .order_by("-rank", "-published_at", "-id")[offset : offset + limit]
    )


def _substring_matches(
    posts: QuerySet[Post], query: str, offset: int, limit: int
) -> list["SearchHit"]:
    """The embedded database's stand-in for full-text search: every word must appear."""
    words = query.split()[:_SUBSTRING_WORDS]
    for word in words:
        posts = posts.filter(Q(title__icontains=word) | Q(content__icontains=word))
    # The headline column first holds the searched text (content stays deferred); the
    # snippet made from it replaces it.
    items = list(
        posts.annotate(headline=Left("content", INDEXED_CONTENT_CHARS)).order_by(
            "-published_at", "-id"
        )[offset : offset + limit]
    )
    for post in items:
        post.headline = _substring_headline(post.headline, words)
        post.content = ""
    return items


def _substring_headline(text: str, words: list[str], width: int = SNIPPET_CHARS) -> str:
    lowered = text.lower()
    hits = [lowered.find(word.lower()) for word in words if word.lower() in lowered]
    start = max(0, min(hits) - width // 3) if hits else 0
    snippet = text[start : start + width]
    for word in words:
        snippet = _mark(snippet, word)
    return snippet


def _mark(text: str, word: str) -> str:
    lowered, needle, out, index = text.lower(), word.lower(), [], 0
    while (found := lowered.find(needle, index)) != -1:
        out += [
            text[index:found],
            HIGHLIGHT_START,
            text[found : found + len(needle)],
            HIGHLIGHT_STOP,
        ]
        index = found + len(needle)
    return "".join(out) + text[index:]
