"""A password hasher slow enough for tests to overlap hashes (MD5 plus a pause)."""

import threading
import time

from django.contrib.auth.hashers import MD5PasswordHasher
from django.db import connection

PAUSE_SECONDS = 0.3


class SlowHasher(MD5PasswordHasher):
    algorithm = "slow_md5"
    running = 0
    most_running = 0
    # Whether some hash ran while its thread held an open database connection.
    held_a_connection = False
    _lock = threading.Lock()

    def encode(self, password: str, salt: str) -> str:
        cls = type(self)
        with cls._lock:
            cls.running += 1
            cls.most_running = max(cls.most_running, cls.running)
            cls.held_a_connection |= connection.connection is not None
        try:
            time.sleep(PAUSE_SECONDS)
            return super().encode(password, salt)
        finally:
            with cls._lock:
                cls.running -= 1

    @classmethod
    def reset(cls) -> None:
        cls.running = cls.most_running = 0
        cls.held_a_connection = False


SLOW_HASHER = f"{__name__}.SlowHasher"
