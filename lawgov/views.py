from django.shortcuts import redirect

from metrics import views as metrics_views
from metrics.roles import Role, role_of


def home(request):
    """Each role lands on its own page: the leader on the dashboard, everyone else on the
    metrics home (a clerk's department, a reviewer's queue)."""
    if role_of(request.user) == Role.LEADER:
        return redirect("dashboard:index")
    return metrics_views.home(request)
