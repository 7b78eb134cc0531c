from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from . import selectors
from .roles import Role, role_of


@login_required
def home(request):
    role = role_of(request.user)
    period = selectors.current_period()
    context = {"role": role, "period": period}
    if period is not None:
        if role == Role.CLERK and request.user.department_id:
            context["progress"] = selectors.department_progress(
                department=request.user.department, period=period
            )
        else:
            context["departments"] = selectors.progress_by_department(period=period)
    return render(request, "metrics/home.html", context)
