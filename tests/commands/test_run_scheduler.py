"""manage.py run_scheduler publishes scheduled posts as their time comes, in a process of its
own beside the site's, and stops cleanly on SIGTERM (a deploy's stop)."""

import signal
import subprocess
import sys
import time

import pytest

from tests.live_server import ROOT, Site

SETUP = """
from datetime import timedelta
from django.utils import timezone
from accounts.models import User
from blog.models import Post
from blog.services import create_post
author = User.objects.create_user(email="sched@example.com", password="x" * 16, name="Sched")
post = create_post(author=author, title="Timed", content="Words.",
                   publish_at=timezone.now() + timedelta(hours=1))
Post.objects.filter(id=post.id).update(publish_at=timezone.now() + timedelta(seconds=2))
"""
IS_PUBLISHED = "from blog.models import Post; print(Post.objects.get(title='Timed').published)"


@pytest.fixture
def site(tmp_path):
    return Site(tmp_path, DATABASE_URL="", REDIS_URL="")


def test_the_scheduler_publishes_when_the_time_comes_and_stops_on_sigterm(site):
    site.shell(SETUP)
    scheduler = subprocess.Popen(
        [sys.executable, "manage.py", "run_scheduler", "--interval", "1"],
        cwd=ROOT,
        env=site.env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 30
        while site.shell(IS_PUBLISHED) != "True":
            assert time.monotonic() < deadline, "the scheduled post was never published"
            time.sleep(0.5)
        scheduler.send_signal(signal.SIGTERM)
        out, err = scheduler.communicate(timeout=15)
    finally:
        if scheduler.poll() is None:
            scheduler.kill()
    assert scheduler.returncode == 0, err
    assert "Published “Timed”" in out
    assert out.count("Published “Timed”") == 1  # later runs find nothing due
    assert out.rstrip().endswith("Stopped.")


def test_a_bad_interval_is_refused(site):
    with pytest.raises(RuntimeError, match="--interval must be a whole number"):
        site.manage("run_scheduler", "--interval", "0")
