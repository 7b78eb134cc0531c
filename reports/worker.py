"""What a Celery worker does as it starts, for reports: warn where PDFs would be slow, and load
the fonts in each pool process. Connected in ReportsConfig.ready."""

import logging

from django.conf import settings
from django.db import connection

from .models import ReportJob
from .rendering import harfbuzz_subset_available

logger = logging.getLogger("lawgov.worker")


def warn_about_slow_pdf_rendering(**kwargs):
    # Without HarfBuzz's subsetter WeasyPrint silently falls back to fontTools and every
    # speech takes ~20 s instead of ~0.4 s; say so where operators look.
    if not harfbuzz_subset_available():
        logger.warning(
            "libharfbuzz-subset0 is missing: each PDF report will take ~20 s. "
            "Install it: apt-get install libharfbuzz-subset0"
        )


def load_report_fonts(**kwargs):
    """Each pool process loads WeasyPrint, the speech's fonts and stylesheet and the title
    dictionary before it takes a job, so its first report is as fast as the later ones
    (a first render otherwise paid ~1 s for them). CELERY_WORKER_PROC_ALIVE_TIMEOUT gives
    it the time; a failure only leaves the first report slower."""
    # Imported here, not at the top: WeasyPrint is loaded by the worker, never by the web.
    from .rendering.pdf import warm_up

    try:
        seconds = warm_up(
            font_dir=settings.REPORT_FONT_DIR, font_cache_dir=settings.REPORT_FONT_CACHE_DIR
        )
    except Exception:  # noqa: BLE001 - a worker that cannot warm up still renders on demand
        logger.exception("could not preload the report fonts")
        return
    # The job's first query would otherwise open the database connection (and Django
    # would compile its first queries) inside the first report.
    try:
        ReportJob.objects.filter(pk=0).exists()
        connection.ensure_connection()
    except Exception:  # noqa: BLE001 - the job retries a database error itself
        logger.warning("database not reachable at worker start", exc_info=True)
    logger.info("report fonts and stylesheet loaded in %.2f s", seconds)
