"""Boolean variables take the spellings deployment tools write; anything else stops start-up."""

import pytest
from django.core.exceptions import ImproperlyConfigured

from config.env import env_bool


@pytest.mark.parametrize("raw", ["true", "TRUE", "1", "yes", "Yes", "on", "ON"])
def test_true_spellings_are_true(monkeypatch, raw):
    monkeypatch.setenv("SOME_FLAG", raw)
    assert env_bool("SOME_FLAG", False) is True


@pytest.mark.parametrize("raw", ["false", "False", "0", "no", "NO", "off", "Off"])
def test_false_spellings_are_false(monkeypatch, raw):
    monkeypatch.setenv("SOME_FLAG", raw)
    assert env_bool("SOME_FLAG", True) is False


def test_an_unset_or_blank_boolean_is_its_default(monkeypatch):
    monkeypatch.delenv("SOME_FLAG", raising=False)
    assert env_bool("SOME_FLAG", True) is True
    monkeypatch.setenv("SOME_FLAG", "  ")
    assert env_bool("SOME_FLAG", False) is False


@pytest.mark.parametrize("raw", ["y", "2", "enabled", "truthy", "nope"])
def test_any_other_boolean_stops_start_up_naming_the_variable_and_the_spellings(monkeypatch, raw):
    monkeypatch.setenv("SOME_FLAG", raw)
    with pytest.raises(ImproperlyConfigured) as refused:
        env_bool("SOME_FLAG", False)
    assert "SOME_FLAG must be true/false, 1/0, yes/no or on/off" in str(refused.value)
    assert repr(raw) in str(refused.value)
