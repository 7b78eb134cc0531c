"""Imported into a test's Celery worker only (`celery worker -I tests.slow_render`): each PDF
render first sleeps LAWGOV_TEST_RENDER_SECONDS, so that a test can kill the worker mid-job.
Never imported by the portal itself."""

import os
import time

from reports import rendering

_render_pdf = rendering.render_pdf
_render_pdf_and_ofd = rendering.render_pdf_and_ofd


def render_pdf(*args, **kwargs):
    time.sleep(float(os.environ.get("LAWGOV_TEST_RENDER_SECONDS", "0")))
    return _render_pdf(*args, **kwargs)


def render_pdf_and_ofd(*args, **kwargs):
    time.sleep(float(os.environ.get("LAWGOV_TEST_RENDER_SECONDS", "0")))
    return _render_pdf_and_ofd(*args, **kwargs)


rendering.render_pdf = render_pdf
rendering.render_pdf_and_ofd = render_pdf_and_ofd
