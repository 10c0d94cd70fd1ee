"""Settings for bench/submit.py only: the site's settings with the bench's URL conf, which adds
three bench views to measure the server against. Production never loads this module."""

from config.settings import *  # noqa: F403

ROOT_URLCONF = "bench.submit_urls"
