import os

from django.core.wsgi import get_wsgi_application

from lawgov import collector

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lawgov.settings")
application = get_wsgi_application()
collector.settle()  # after start-up: see lawgov/collector.py
