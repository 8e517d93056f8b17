"""ORM queries compiled once per shape and run again with new values.

Building a queryset and compiling it to SQL costs more CPU than PostgreSQL spends running a hot
read (on a page of posts: ~1.5 ms of ~2.5 ms per call, bench/results/compiled_queries.md). A
``CompiledQuery`` asks its ``build`` function for the queryset once per *shape* (the arguments
that change the SQL text: a slice's bounds, which filters apply), finds where each parameter's
value sits among the SQL parameters, and keeps the SQL, the positions and Django's converters.
Later calls of the same shape put their values in those positions and run the SQL on the
connection's cursor (so query logging, test query counts and execute wrappers still see it),
converting rows as ``QuerySet.values()`` would.

Positions are found by compiling with a sentinel value per parameter, then once more per
parameter with another sentinel: the positions whose values changed are that parameter's. A
parameter's value is prepared for the database by its model field, as a lookup on it is.
"""

import datetime
import itertools
import threading
import uuid
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Any

from django.db import connections, models, router
from django.db.models.sql.compiler import SQLCompiler

_sentinel_numbers = itertools.count(1)


@dataclass(frozen=True)
class _Compiled:
    sql: str
    params: tuple[Any, ...]
    positions: dict[str, tuple[int, ...]]
    names: tuple[str, ...]
    compiler: SQLCompiler
    converters: dict[int, Any]


class CompiledQuery:
    """``build(**arguments)`` (a ``.values()`` queryset) compiled once per shape.

    ``parameters`` maps the arguments that go into the SQL as parameters to the model field
    whose lookups they feed (the first field's model says which database reads go to, by the
    routers). Every other argument, and which parameters are None, make the shape: ``build``
    may change the SQL text by them (a None parameter is passed on as None).
    """

    def __init__(
        self,
        build: Callable[..., "models.QuerySet[Any, dict[str, Any]]"],
        parameters: dict[str, models.Field[Any, Any]],
    ) -> None:
        self._build = build
        self._parameters = parameters
        self._model = next(iter(parameters.values())).model
        self._shapes: dict[Hashable, _Compiled] = {}
        self._lock = threading.Lock()

    def rows(self, **arguments: Any) -> list[dict[str, Any]]:
        """The queryset's rows for ``arguments``, as ``.values()`` gives them."""
        given = {
            name: value
            for name, value in arguments.items()
            if name in self._parameters and value is not None
        }
        others = tuple(
            sorted((name, value) for name, value in arguments.items() if name not in given)
        )
        # Reads go where the database routers send the model's reads (a replica, say).
        using = router.db_for_read(self._model)
        shape = (using, tuple(sorted(given)), others)
        compiled = self._shapes.get(shape)
        if compiled is None:
            compiled = self._compile(using, arguments, given)
            with self._lock:
                self._shapes[shape] = compiled
        connection = connections[using]
        params = list(compiled.params)
        for name, value in given.items():
            prepared = self._parameters[name].get_db_prep_value(value, connection)
            for position in compiled.positions[name]:
                params[position] = prepared
        with connection.cursor() as cursor:
            cursor.execute(compiled.sql, params)
            rows: Any = cursor.fetchall()
        if compiled.converters:
            rows = compiled.compiler.apply_converters(rows, compiled.converters)
        return [dict(zip(compiled.names, row, strict=True)) for row in rows]

    def _compile(self, using: str, arguments: dict[str, Any], given: dict[str, Any]) -> _Compiled:
        sentinels = {name: _sentinel(self._parameters[name]) for name in given}

        def with_sentinels(**changed: Any) -> tuple[str, tuple[Any, ...], SQLCompiler]:
            queryset = self._build(**{**arguments, **sentinels, **changed})
            compiler = queryset.query.get_compiler(using)
            sql, params = compiler.as_sql()
            return sql, tuple(params), compiler

        sql, params, compiler = with_sentinels()
        positions: dict[str, tuple[int, ...]] = {}
        for name in given:
            other_sql, other_params, _ = with_sentinels(**{name: _sentinel(self._parameters[name])})
            if other_sql != sql or len(other_params) != len(params):
                raise ValueError(f"The SQL of {self._build.__name__} changes with {name}'s value.")
            positions[name] = tuple(
                index
                for index, (a, b) in enumerate(zip(params, other_params, strict=True))
                if a != b
            )
            if not positions[name]:
                raise ValueError(f"{name} is not a parameter of {self._build.__name__}'s SQL.")
        query = compiler.query
        names = (*query.extra_select, *query.values_select, *query.annotation_select)
        columns = [column for column, _, _ in compiler.select[: compiler.col_count]]
        converters = compiler.get_converters(columns)
        return _Compiled(sql, params, positions, names, compiler, converters)


def _sentinel(field: models.Field[Any, Any]) -> Any:
    """A value for ``field`` that no other sentinel has."""
    if isinstance(field, models.ForeignKey):
        return _sentinel(field.target_field)
    number = next(_sentinel_numbers)
    if isinstance(field, models.DateTimeField):
        return datetime.datetime(2000, 1, 1, tzinfo=datetime.UTC) + datetime.timedelta(
            microseconds=number
        )
    if isinstance(field, models.UUIDField):
        return uuid.UUID(int=number)
    if isinstance(field, models.IntegerField):
        return 1_000_000_000 + number
    if isinstance(field, models.CharField | models.TextField):
        return f"sentinel-{number}"
    raise TypeError(f"No sentinel for {type(field).__name__}.")
