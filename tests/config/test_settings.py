"""Production settings pass the deploy checks; inkwell.* checks catch misconfiguration."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from django.core.exceptions import ImproperlyConfigured

from config.env import env_int, env_list

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION = {
    "DEBUG": "false",
    "SECRET_KEY": "x" * 64 + "-not-a-real-secret-but-long-and-random-enough-0123456789",
    "ALLOWED_HOSTS": "inkwell.example",
    "CSRF_TRUSTED_ORIGINS": "https://inkwell.example",
    "HTTPS": "true",
    "DATABASE_URL": "postgres://inkwell@db.invalid:5432/inkwell",
    "REDIS_URL": "redis://cache.invalid:6379/0",
    "JWT_PRIVATE_KEY": "",
    "EMAIL_HOST": "smtp.invalid",
    "MAIL_SITE_URL": "https://inkwell.example",
}


def _private_key_pem() -> str:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()


def _deploy_check(env: dict[str, str], tmp_path: Path) -> subprocess.CompletedProcess:
    clean = {key: value for key, value in os.environ.items() if key not in PRODUCTION}
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env={**clean, "STATE_DIR": str(tmp_path), **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_production_settings_pass_check_deploy_with_no_warnings(tmp_path):
    result = _deploy_check({**PRODUCTION, "JWT_PRIVATE_KEY": _private_key_pem()}, tmp_path)
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_deploy_check_names_the_missing_services_and_secret(tmp_path):
    env = {key: PRODUCTION[key] for key in ("DEBUG", "ALLOWED_HOSTS", "HTTPS")}
    result = _deploy_check(env, tmp_path)
    assert result.returncode == 1
    for check_id in (
        "inkwell.E001",
        "inkwell.E002",
        "inkwell.E011",
        "inkwell.W001",
        "inkwell.W020",
    ):
        assert check_id in result.stderr


def test_a_number_must_be_whole(monkeypatch):
    monkeypatch.setenv("SOME_NUMBER", "ten")
    with pytest.raises(ImproperlyConfigured):
        env_int("SOME_NUMBER", 1)


def test_lists_are_comma_separated_without_blanks(monkeypatch):
    monkeypatch.setenv("SOME_LIST", "a.example, b.example,,")
    assert env_list("SOME_LIST", []) == ["a.example", "b.example"]


def test_a_database_url_that_is_not_postgres_is_refused(tmp_path):
    result = _deploy_check({"DATABASE_URL": "mysql://x@y/z"}, tmp_path)
    assert result.returncode != 0
    assert "DATABASE_URL must be a postgres:// URL" in result.stderr
