"""The site through PgBouncer in transaction mode, with deploy/pgbouncer/pgbouncer.ini and
DATABASE_PGBOUNCER=true: reads and writes from many concurrent requests share two server
connections, and a bulk read (QuerySet.iterator) survives PgBouncer giving its server connection
to another client between transactions, which a server-side cursor would not."""

import json
import os
import shutil
import subprocess
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import quote, urlsplit

import psycopg
import pytest
import requests

from tests.live_server import Site, free_port, fresh_postgres_database, wait_for_port

pgbouncer_binary = shutil.which("pgbouncer") or "/usr/sbin/pgbouncer"
pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(not Path(pgbouncer_binary).exists(), reason="needs pgbouncer"),
]
ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "pgbouncer-tests-only"
SERVER_CONNECTIONS = 2


def _start_pgbouncer(folder: Path, database: str, port: int) -> subprocess.Popen:
    """PgBouncer with the deployment's configuration, pointed at ``database`` on the test
    server, listening on ``port``, at most SERVER_CONNECTIONS connections to PostgreSQL."""
    server = urlsplit(os.environ["DATABASE_URL"])
    config = (ROOT / "deploy" / "pgbouncer" / "pgbouncer.ini").read_text()
    replacements = {
        "inkwell = host=postgres port=5432 dbname=inkwell": (
            f"inkwell = host={server.hostname} port={server.port or 5432} dbname={database}"
        ),
        "listen_addr = 0.0.0.0": "listen_addr = 127.0.0.1",
        "listen_port = 6432": f"listen_port = {port}",
        "auth_file = /tmp/pgbouncer-userlist.txt": f"auth_file = {folder}/userlist.txt",
        "default_pool_size = 20": f"default_pool_size = {SERVER_CONNECTIONS}",
        "reserve_pool_size = 5": "reserve_pool_size = 0",
        "stats_users = inkwell": f"stats_users = {server.username}",
    }
    for deployed, here in replacements.items():
        assert deployed in config, f"deploy/pgbouncer/pgbouncer.ini lost {deployed!r}"
        config = config.replace(deployed, here)
    (folder / "pgbouncer.ini").write_text(config + f"unix_socket_dir = {folder}\n")
    (folder / "userlist.txt").write_text(f'"{server.username}" "{PASSWORD}"\n')
    # PgBouncer refuses to run as root: it then runs as PostgreSQL's user.
    as_user = ["-u", "postgres"] if os.geteuid() == 0 else []
    process = subprocess.Popen(  # noqa: S603 (a fixed binary and our own configuration)
        [pgbouncer_binary, *as_user, str(folder / "pgbouncer.ini")],
        stdout=subprocess.DEVNULL,
        stderr=(folder / "pgbouncer.log").open("a"),
    )
    wait_for_port(port, process, f"PgBouncer (log: {folder / 'pgbouncer.log'})")
    return process


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    direct = fresh_postgres_database(os.environ["DATABASE_URL"], suffix="pgbouncer")
    site = Site(tmp_path_factory.mktemp("pgbouncer-site"), DEBUG="true", DATABASE_URL=direct)
    [site.token] = site.tokens("author@pgbouncer.example")
    folder = Path(tempfile.mkdtemp(prefix="inkwell-pgbouncer-"))
    folder.chmod(0o755)  # readable by PgBouncer's user
    port = free_port()
    pgbouncer = _start_pgbouncer(folder, urlsplit(direct).path.lstrip("/"), port)
    user = urlsplit(os.environ["DATABASE_URL"]).username
    site.env |= {
        "DATABASE_URL": f"postgres://{user}:{PASSWORD}@127.0.0.1:{port}/inkwell",
        "DATABASE_PGBOUNCER": "true",
        "DATABASE_POOL_MAX": "8",
    }
    site.admin_console = f"postgres://{user}:{PASSWORD}@127.0.0.1:{port}/pgbouncer"
    try:
        with site.daphne() as server:
            site.url = server.http_url
            yield site
    finally:
        pgbouncer.terminate()
        pgbouncer.wait(timeout=10)
        shutil.rmtree(folder, ignore_errors=True)


def _pool_connections(site) -> tuple[int, int, str]:
    """(client connections, server connections, pool mode) of the site's pool in PgBouncer."""
    with psycopg.connect(site.admin_console, autocommit=True) as console:
        cursor = console.execute("SHOW POOLS")
        names = [column.name for column in cursor.description]
        pools = [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
    [pool] = [pool for pool in pools if pool["database"] == "inkwell"]
    clients = pool["cl_active"] + pool["cl_waiting"]
    servers = sum(pool[key] for key in names if key.startswith("sv_") and key != "sv_login")
    return clients, servers, pool["pool_mode"]


def test_concurrent_writes_and_reads_share_a_few_server_connections(site):
    def create(number: int) -> requests.Response:
        return requests.post(
            f"{site.url}/api/trpc/post.create",
            json={"title": f"Pooled {number}", "content": "Body.", "published": True},
            headers={"Authorization": f"Bearer {site.token}"},
            timeout=60,
        )

    def list_page(_: int) -> requests.Response:
        query = quote(json.dumps({"limit": 50, "published": True, "cursor": None}))
        return requests.get(f"{site.url}/api/trpc/post.list?input={query}", timeout=60)

    with ThreadPoolExecutor(16) as pool:
        created = list(pool.map(create, range(16)))
        listed = list(pool.map(list_page, range(48)))

    assert [answer.status_code for answer in created + listed] == [200] * 64
    clients, servers, mode = _pool_connections(site)
    assert mode == "transaction"
    assert servers <= SERVER_CONNECTIONS < clients
    final = list_page(0).json()["result"]["data"]["items"]
    assert {f"Pooled {number}" for number in range(16)} <= {item["title"] for item in final}


def _bulk_read_while_another_client_takes_a_connection(site) -> str:
    """Shell code: iterate over the posts two rows at a time while, after the first rows,
    another client opens a transaction through PgBouncer and keeps it open; prints the count."""
    return site.shell(
        "import psycopg\n"
        "from blog.models import Post\n"
        f"other = psycopg.connect({site.env['DATABASE_URL']!r})\n"
        "count = 0\n"
        "for _ in Post.objects.only('id').iterator(chunk_size=2):\n"
        "    count += 1\n"
        "    if count == 3:\n"
        "        other.execute('SELECT 1')  # a transaction holding the last-used connection\n"
        "print(count)"
    )


def test_a_bulk_read_survives_pgbouncer_handing_its_connection_to_another_client(site):
    counted = _bulk_read_while_another_client_takes_a_connection(site)

    assert int(counted) >= 16


def test_without_pgbouncer_mode_the_same_read_loses_its_cursor(site):
    # A named cursor lives on one server connection; the next FETCH is sent down another.
    site.env["DATABASE_PGBOUNCER"] = "false"
    try:
        # FETCH finds no cursor, or the portal behind it is gone: which one depends on where
        # the connection changed hands.
        with pytest.raises(RuntimeError, match=r"(cursor|portal) .* does not exist"):
            _bulk_read_while_another_client_takes_a_connection(site)
    finally:
        site.env["DATABASE_PGBOUNCER"] = "true"
