"""A procedure for the benchmarks only, registered when bench.jsonl_settings installs the bench
package as an app: a query as slow as asked, holding its database connection meanwhile, as a
slow search would (bench/jsonl.py)."""

import time

from django.db import connection
from rest_framework import serializers

from api.registry import PUBLIC, QUERY, Context, Data, procedure


class SlowInput(serializers.Serializer):
    milliseconds = serializers.IntegerField(min_value=0, max_value=60_000)


class SlowOutput(serializers.Serializer):
    milliseconds = serializers.IntegerField()


@procedure("bench.slow", kind=QUERY, input=SlowInput, output=SlowOutput, access=PUBLIC)
def slow(ctx: Context, data: Data) -> dict[str, int]:
    """Answers after ``milliseconds``, its database connection open all along."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    time.sleep(data["milliseconds"] / 1000)
    return {"milliseconds": data["milliseconds"]}
