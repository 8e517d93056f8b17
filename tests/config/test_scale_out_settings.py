"""The scale-out settings as a process reads them from its environment: PgBouncer mode, read
replicas and the channel layer's Redis shards, and the refusals of what cannot work."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PRIMARY = "postgres://inkwell@db.invalid:5432/inkwell"
REDIS = "redis://cache.invalid:6379/0"
# What the parent's environment must not decide for the process under test.
OWN = ("DATABASE_URL", "REDIS_URL", "REDIS_URLS", "DATABASE_REPLICA_URLS", "DATABASE_PGBOUNCER")
PRINT_SETTINGS = """
import json
import django
from django.conf import settings
django.setup()
print(json.dumps({
    "databases": settings.DATABASES,
    "routers": settings.DATABASE_ROUTERS,
    "middleware": settings.MIDDLEWARE,
    "layer": settings.CHANNEL_LAYERS["default"],
}, default=str))
"""


def _settings(tmp_path: Path, **env: str) -> subprocess.CompletedProcess:
    clean = {key: value for key, value in os.environ.items() if key not in OWN}
    return subprocess.run(  # noqa: S603 (our own interpreter and code)
        [sys.executable, "-c", PRINT_SETTINGS],
        cwd=ROOT,
        env={
            **clean,
            "STATE_DIR": str(tmp_path),
            "DJANGO_SETTINGS_MODULE": "config.settings",
            **env,
        },
        capture_output=True,
        text=True,
        timeout=60,
    )


def _read(tmp_path: Path, **env: str) -> dict:
    done = _settings(tmp_path, **env)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_without_scale_out_settings_there_is_one_database_and_no_router(tmp_path):
    read = _read(tmp_path, DATABASE_URL=PRIMARY, REDIS_URL=REDIS)

    assert list(read["databases"]) == ["default"]
    assert read["databases"]["default"]["DISABLE_SERVER_SIDE_CURSORS"] is False
    assert read["routers"] == []
    assert "config.database_router.ReplicaReadsMiddleware" not in read["middleware"]
    assert [host["address"] for host in read["layer"]["CONFIG"]["hosts"]] == [REDIS]


def test_pgbouncer_mode_turns_server_side_cursors_off_everywhere(tmp_path):
    read = _read(
        tmp_path,
        DATABASE_URL=PRIMARY,
        DATABASE_REPLICA_URLS="postgres://inkwell@replica.invalid:5432/inkwell",
        DATABASE_PGBOUNCER="true",
    )

    for database in read["databases"].values():
        assert database["DISABLE_SERVER_SIDE_CURSORS"] is True
        # psycopg 3 with Django: no prepared statements unless OPTIONS asks for them.
        assert "prepare_threshold" not in database["OPTIONS"]


def test_replicas_become_pooled_databases_mirrored_in_tests_with_the_router(tmp_path):
    read = _read(
        tmp_path,
        DATABASE_URL=PRIMARY,
        DATABASE_REPLICA_URLS=(
            "postgres://reader@replica-a.invalid:5432/inkwell, "
            "postgres://reader@replica-b.invalid:6432/inkwell"
        ),
        DATABASE_POOL_MAX="4",
    )

    databases = read["databases"]
    assert list(databases) == ["default", "replica1", "replica2"]
    assert (databases["replica1"]["HOST"], databases["replica2"]["PORT"]) == (
        "replica-a.invalid",
        6432,
    )
    assert databases["replica2"]["OPTIONS"]["pool"]["max_size"] == 4
    assert databases["replica1"]["CONN_MAX_AGE"] == 0
    assert databases["replica1"]["TEST"]["MIRROR"] == "default"
    assert read["routers"] == ["config.database_router.ReplicaRouter"]
    middleware = read["middleware"]
    replica_reads = middleware.index("config.database_router.ReplicaReadsMiddleware")
    assert replica_reads < middleware.index("django.contrib.sessions.middleware.SessionMiddleware")


def test_redis_urls_shard_the_channel_layer_and_leave_the_cache_on_redis_url(tmp_path):
    shards = ["redis://shard-a.invalid:6379/0", "rediss://:secret@shard-b.invalid:6380/0"]

    read = _read(tmp_path, REDIS_URL=REDIS, REDIS_URLS=",".join(shards), REDIS_SOCKET_TIMEOUT="20")

    hosts = read["layer"]["CONFIG"]["hosts"]
    assert [host["address"] for host in hosts] == shards
    assert {host["socket_timeout"] for host in hosts} == {20}
    assert read["layer"]["CONFIG"]["prefix"].startswith("inkwell-")


def test_bad_scale_out_settings_stop_the_start_up_with_a_reason(tmp_path):
    cases = {
        "DATABASE_REPLICA_URLS must be a postgres:// URL": {
            "DATABASE_URL": PRIMARY,
            "DATABASE_REPLICA_URLS": "mysql://reader@replica.invalid/inkwell",
        },
        "DATABASE_REPLICA_URLS lists a replica twice": {
            "DATABASE_URL": PRIMARY,
            "DATABASE_REPLICA_URLS": f"{PRIMARY}x,{PRIMARY}x",
        },
        "need DATABASE_URL": {"DATABASE_REPLICA_URLS": PRIMARY},
        "DATABASE_PGBOUNCER must be true/false": {
            "DATABASE_URL": PRIMARY,
            "DATABASE_PGBOUNCER": "transaction",
        },
        "REDIS_URLS needs REDIS_URL": {"REDIS_URLS": REDIS},
        "REDIS_URLS lists a Redis twice": {"REDIS_URL": REDIS, "REDIS_URLS": f"{REDIS},{REDIS}"},
        "entry 2 is not": {
            "REDIS_URL": REDIS,
            "REDIS_URLS": f"{REDIS},http://:hunter2@shard.invalid:6379",
        },
    }
    for reason, env in cases.items():
        done = _settings(tmp_path, **env)

        assert done.returncode != 0, reason
        assert reason in done.stderr, done.stderr[-600:]
        assert "hunter2" not in done.stderr
