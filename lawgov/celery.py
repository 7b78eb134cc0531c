import logging
import os

from celery import Celery
from celery.signals import worker_ready

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lawgov.settings")

app = Celery("lawgov")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

logger = logging.getLogger("lawgov.worker")


@worker_ready.connect
def warn_about_slow_pdf_rendering(**kwargs):
    # Without HarfBuzz's subsetter WeasyPrint silently falls back to fontTools and every
    # speech takes ~20 s instead of ~0.4 s; say so where operators look.
    from reports.rendering import harfbuzz_subset_available

    if not harfbuzz_subset_available():
        logger.warning(
            "libharfbuzz-subset0 is missing: each PDF report will take ~20 s. "
            "Install it: apt-get install libharfbuzz-subset0"
        )
