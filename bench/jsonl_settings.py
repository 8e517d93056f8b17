"""Settings of the streamed-batch benchmark's server: bench.settings, plus the bench package
as an app so that its slow procedure (bench/procedures.py) is registered."""

from bench.settings import *  # noqa: F403
from bench.settings import INSTALLED_APPS

INSTALLED_APPS = [*INSTALLED_APPS, "bench"]
