"""Running the unmodified @trpc/client scripts of tests/node against a live server: the packages
(installed once from the lock file), a seeded site, its tokens, and a script's JSON summary."""
# ruff: noqa: S603, S607 (fixed command lines built here; node and npm come from PATH)

import json
import subprocess
import sys

import pytest

from tests.live_server import ROOT, Site

NODE_DIR = ROOT / "tests" / "node"
# Every package the scripts import: one missing means the lock file was not installed yet.
_PACKAGES = ("@trpc/client", "@trpc/server", "superjson", "eventsource", "aws-amplify", "ws")


def run(args: list[str], env: dict[str, str]) -> str:
    done = subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


@pytest.fixture(scope="module")
def node_packages():
    if not all((NODE_DIR / "node_modules" / package).exists() for package in _PACKAGES):
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund"], cwd=NODE_DIR, check=True)
    return NODE_DIR


def seed(site: Site) -> dict:
    """The site seeded for the scripts (seed_server.py): its users, posts and session headers."""
    return json.loads(run([sys.executable, str(NODE_DIR / "seed_server.py")], site.env))


def token(site: Site, email: str) -> str:
    """A Bearer token from the local identity provider's command (its last line)."""
    return site.manage("issue_token", email).strip().splitlines()[-1]


def summary(script: str, env: dict[str, str]) -> dict:
    """Run ``script``; the JSON summary it prints last."""
    output = run(["node", str(NODE_DIR / script)], env)
    return json.loads(output.strip().splitlines()[-1])
