"""deploy/docker-compose.yml holds together without Docker: every service it names, file it
mounts, volume and variable exists, and every setting it passes is one the site reads."""

import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"


def _compose() -> dict:
    return yaml.safe_load((DEPLOY / "docker-compose.yml").read_text())


def _settings_read_by_the_site() -> set[str]:
    source = (ROOT / "config" / "settings.py").read_text()
    return set(re.findall(r'env_(?:str|bool|int|list|choice)\(\s*"([A-Z0-9_]+)"', source))


def test_the_stack_runs_daphne_behind_nginx_with_pgbouncer_postgres_and_redis():
    services = _compose()["services"]

    assert {"web", "migrate", "nginx", "pgbouncer", "postgres", "redis"} <= set(services)
    assert services["web"]["deploy"]["replicas"] == "${WEB_REPLICAS:-2}"
    assert "redis-shard-2" in services and services["redis-shard-2"]["profiles"] == ["sharded"]


def test_dependencies_builds_and_mounts_exist():
    compose = _compose()
    services = compose["services"]
    for name, service in services.items():
        for dependency in service.get("depends_on", []):
            assert dependency in services, f"{name} depends on unknown {dependency}"
        if "build" in service:
            context = DEPLOY / service["build"]["context"]
            assert (context / service["build"]["dockerfile"]).is_file(), name
        for mount in service.get("volumes", []):
            source = mount.split(":")[0]
            if source.startswith("."):
                assert (DEPLOY / source).is_file(), f"{name} mounts missing {source}"
            else:
                assert source in compose["volumes"], f"{name} uses undeclared volume {source}"


def test_every_site_variable_is_a_setting_the_site_reads():
    environment = _compose()["x-site-environment"]
    read = _settings_read_by_the_site()

    assert set(environment) - read == set()
    assert environment["DATABASE_PGBOUNCER"] == "true"
    assert "@pgbouncer:6432/" in environment["DATABASE_URL"]
    assert environment["AUTH_PROXY_COUNT"] == "1"


def test_every_variable_without_a_default_is_in_the_example_environment():
    text = (DEPLOY / "docker-compose.yml").read_text()
    example = {
        line.split("=", 1)[0]
        for line in (DEPLOY / "example.env").read_text().splitlines()
        if line and not line.startswith("#")
    }
    # ${NAME}, ${NAME:?message} and ${NAME:-default}; $$NAME is the container's own.
    without_default = {
        name for name, default in re.findall(r"(?<!\$)\$\{([A-Z0-9_]+)(:-)?", text) if not default
    }

    assert without_default - example == set()
