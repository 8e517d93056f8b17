"""The full-text search document of a post: one expression for the GIN index and the queries.

PostgreSQL only uses the index when the query repeats the indexed expression exactly, so both
take it from here.
"""

from django.contrib.postgres.search import SearchVector
from django.db.models.expressions import CombinedExpression
from django.db.models.functions import Left

SEARCH_CONFIG = "english"
# to_tsvector refuses documents over 1 MiB; a post's first 100,000 characters are what we index.
INDEXED_CONTENT_CHARS = 100_000


def search_document() -> CombinedExpression:
    """The weighted document: title (A) ranks above content (B), two SearchVectors combined
    (a CombinedSearchVector at run time)."""
    return SearchVector("title", weight="A", config=SEARCH_CONFIG) + SearchVector(
        Left("content", INDEXED_CONTENT_CHARS), weight="B", config=SEARCH_CONFIG
    )
