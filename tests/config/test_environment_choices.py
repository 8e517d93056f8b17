"""Every setting with a fixed set of values is read by env_choice: any case, else refused."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from config.env import env_choice

ROOT = Path(__file__).resolve().parents[2]


def test_a_choice_is_matched_in_any_case_and_given_as_declared(monkeypatch):
    monkeypatch.setenv("SOME_CHOICE", "Cognito")
    assert env_choice("SOME_CHOICE", ("local", "cognito"), "local") == "cognito"


def test_a_value_outside_the_choices_is_refused_with_the_choices(monkeypatch):
    monkeypatch.setenv("SOME_CHOICE", "ldap")
    with pytest.raises(ImproperlyConfigured, match="SOME_CHOICE must be one of local, cognito"):
        env_choice("SOME_CHOICE", ("local", "cognito"), "local")


@pytest.mark.parametrize(
    ("name", "choices"),
    [
        ("AUTH_PROVIDER", "local, cognito"),
        ("REALTIME_CHANNEL_LAYER", "pubsub, core"),
        ("API_TRPC_TRANSFORMER", "auto, json, superjson"),
    ],
)
def test_settings_refuse_an_unknown_choice_at_start_up(tmp_path, name, choices):
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=ROOT,
        env={
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "STATE_DIR": str(tmp_path),
            name: "bogus",
        },
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert f"{name} must be one of {choices}, not 'bogus'" in result.stderr
