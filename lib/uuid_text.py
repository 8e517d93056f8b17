"""A UUID column as the text ``str(uuid)`` gives, in SQL, on every database Inkwell runs on."""

from typing import Any

from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import CharField, Func
from django.db.models.sql.compiler import SQLCompiler

# SQLite keeps a UUIDField as 32 hex digits: put the dashes back (8-4-4-4-12).
_SQLITE_DASHED = "||'-'||".join(
    f"substr(%(expressions)s, {start}, {length})"
    for start, length in ((1, 8), (9, 4), (13, 4), (17, 4), (21, 12))
)


class UUIDText(Func):
    """``str(uuid)`` of a UUID column: lower-case, dashed. Channel names and other keys built in
    Python from an id can then be matched in the query that reads the id."""

    output_field = CharField()

    def as_postgresql(
        self, compiler: SQLCompiler, connection: BaseDatabaseWrapper, **extra: Any
    ) -> tuple[str, Any]:
        return self.as_sql(compiler, connection, template="(%(expressions)s)::text", **extra)

    def as_sqlite(
        self, compiler: SQLCompiler, connection: BaseDatabaseWrapper, **extra: Any
    ) -> tuple[str, Any]:
        sql, params = self.as_sql(
            compiler, connection, template=f"lower({_SQLITE_DASHED})", **extra
        )
        return sql, params * 5  # the column appears five times (a column has no parameters)
