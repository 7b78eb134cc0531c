from django.http import HttpResponsePermanentRedirect
from django.shortcuts import redirect
from django.templatetags.static import static

from metrics import views as metrics_views
from metrics.roles import Role, role_of


def home(request):
    """Each role lands on its own page: the leader on the dashboard, everyone else on the
    metrics home (a clerk's department, a reviewer's queue)."""
    if role_of(request.user) == Role.LEADER:
        return redirect("dashboard:index")
    return metrics_views.home(request)


def favicon(request):
    # Resolved per request: the hashed static name exists only once collectstatic has run.
    return HttpResponsePermanentRedirect(static("img/favicon.svg"))
