"""Settings for the benchmark: the app's own settings, plus the floor view's URL and template.

The harness sets the environment before Django starts (DEBUG off, a throwaway SECRET_KEY, no
HTTPS redirect on loopback, the database under test); everything else — middleware, sessions,
templates, the database connection — is exactly what the app runs with.
"""

from adoptboard.settings import *  # noqa: F403
from adoptboard.settings import BASE_DIR, STORAGES, TEMPLATES

ROOT_URLCONF = "bench.urls"
TEMPLATES = [{**TEMPLATES[0], "DIRS": [*TEMPLATES[0]["DIRS"], BASE_DIR / "bench" / "templates"]}, *TEMPLATES[1:]]
# The bench serves no static files and runs no collectstatic: the manifest storage would refuse
# every {% static %} without a manifest, so use the plain storage (a URL join; no cost difference).
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
