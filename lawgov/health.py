"""The container's health check: GET /healthz answers 200 "ok" while the web process serves
and reaches its database, 503 otherwise.

It is answered before any other middleware because the check comes from inside the container
(http://127.0.0.1:8000/healthz): that Host is not among the operator's ALLOWED_HOSTS, and the
production HTTPS redirect would send it to https, which gunicorn does not speak. Nothing else
is answered here, and the answer carries no detail.
"""

from django.db import DatabaseError, connection
from django.http import HttpResponse

HEALTH_PATH = "/healthz"


class HealthCheckMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path_info == HEALTH_PATH and request.method in ("GET", "HEAD"):
            return _health()
        return self.get_response(request)


def _health() -> HttpResponse:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError:
        return HttpResponse("database unavailable", status=503, content_type="text/plain")
    return HttpResponse("ok", content_type="text/plain")
