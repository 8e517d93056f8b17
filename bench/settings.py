"""Settings of the benchmark server: the site's, plus the comparison view's URLs, no throttling."""

from config.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
DEBUG = False
API_THROTTLE_RATES = {"anonymous": None, "user": None}
LOGGING = {"version": 1, "disable_existing_loggers": False, "root": {"level": "WARNING"}}
