"""A burst of sign-ins from one address is refused fast (429/503), never with a 500, and
does not starve anyone else's reads."""

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.chaos.site import READER, call

pytestmark = [pytest.mark.postgres, pytest.mark.redis]


def sign_in(url: str, email: str, password: str) -> int:
    return call(
        "POST", f"{url}/auth/token", json={"email": email, "password": password}
    ).status_code


def test_200_concurrent_sign_ins_get_no_500_and_a_bystander_keeps_reading(chaos_site):
    token = chaos_site.token(READER)
    stop = threading.Event()
    bystander: list[int] = []

    with chaos_site.serving() as server:

        def read() -> None:
            while not stop.is_set():
                bystander.append(
                    call("GET", f"{server.url}/api/trpc/post.list", token=token).status_code
                )
                time.sleep(0.05)  # a reader's pace, not a measurement

        reader = threading.Thread(target=read)
        reader.start()
        try:
            with ThreadPoolExecutor(200) as pool:
                statuses = list(
                    pool.map(
                        lambda n: sign_in(server.url, f"nobody{n}@chaos.example", "a guess"),
                        range(200),
                    )
                )
        finally:
            stop.set()
            reader.join()

    assert 500 not in statuses
    assert set(statuses) <= {401, 429, 503}, statuses
    assert bystander, "the bystander made no request"
    assert set(bystander) == {200}, bystander
