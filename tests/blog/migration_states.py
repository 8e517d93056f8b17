"""The database at an earlier migration, for the tests of data migrations: the historical models
of that state, and every app migrated forward again afterwards (apps whose migrations depend on
blog's, such as accounts' Editors group, come back too)."""

from collections.abc import Iterator
from contextlib import contextmanager

from django.apps.registry import Apps
from django.db import connection
from django.db.migrations.executor import MigrationExecutor


def migrate(targets: list[tuple[str, str]]) -> Apps:
    """Migrate to ``targets``; the models as they were there."""
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@contextmanager
def migrated_to(targets: list[tuple[str, str]]) -> Iterator[Apps]:
    """The models at ``targets`` for the block; every app at its latest migration after it."""
    try:
        yield migrate(targets)
    finally:
        migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
