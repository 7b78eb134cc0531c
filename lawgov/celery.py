"""The Celery app. Apps connect their own worker hooks (reports.worker: the report fonts)."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lawgov.settings")

app = Celery("lawgov")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
