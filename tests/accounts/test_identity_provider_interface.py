"""Both providers implement one interface, and only accounts.providers reads AUTH_PROVIDER at
run time (pages, endpoints and services ask the provider, never which one it is)."""

from pathlib import Path

import pytest

from accounts import providers
from accounts.providers import cognito, local

ACCOUNTS = Path(providers.__file__).resolve().parent.parent
# Start-up checks and commands that only make sense for one provider may name it.
ALLOWED = {"providers/__init__.py", "checks.py", "management/commands"}


@pytest.mark.parametrize("name, module", [("local", local), ("cognito", cognito)])
def test_current_provider_follows_the_setting(settings, name, module):
    settings.AUTH_PROVIDER = name

    assert providers.current() is module


@pytest.mark.parametrize("module", [local, cognito])
def test_each_provider_has_every_member_of_the_interface(module):
    members = [
        name
        for name in dir(providers.IdentityProvider)
        if not name.startswith("_") or name in providers.IdentityProvider.__annotations__
    ]
    members += list(providers.IdentityProvider.__annotations__)

    assert [name for name in members if not hasattr(module, name)] == []


def test_no_runtime_module_branches_on_the_provider_setting():
    offenders = [
        str(path.relative_to(ACCOUNTS))
        for path in ACCOUNTS.rglob("*.py")
        if "AUTH_PROVIDER" in path.read_text()
        and not any(str(path.relative_to(ACCOUNTS)).startswith(allowed) for allowed in ALLOWED)
    ]

    assert offenders == []
