"""The public read keys' settings refuse values that would make them meaningless, at start-up
with a message naming the setting."""

import pytest

from tests.config.test_settings import _deploy_check


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"REALTIME_PUBLIC_KEY_RATE": "lots"}, "REALTIME_PUBLIC_KEY_RATE is a rate such as"),
        ({"REALTIME_PUBLIC_KEY_ADDRESS_RATE": "5/fortnight"}, "REALTIME_PUBLIC_KEY_ADDRESS_RATE"),
        (
            {
                "REALTIME_PUBLIC_KEY_LIFETIME_SECONDS": "3600",
                "REALTIME_PUBLIC_KEY_GRACE_SECONDS": "3600",
            },
            "more than twice the grace period",
        ),
        ({"REALTIME_PUBLIC_KEY_MAX_CONNECTIONS": "0"}, "at least 1"),
    ],
)
def test_a_meaningless_public_key_setting_stops_the_start(env, message, tmp_path):
    result = _deploy_check(env, tmp_path)
    assert result.returncode != 0
    assert message in result.stderr
