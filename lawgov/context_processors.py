from django.conf import settings

from metrics.texts import limits

from .navigation import groups_for


def site(request):
    # text_limits: each free-text field's maxlength, the limit the services enforce;
    # nav_groups: the header's links, grouped (lawgov.navigation).
    user = getattr(request, "user", None)
    return {
        "district_name": settings.DISTRICT_NAME,
        "text_limits": limits(),
        "nav_groups": groups_for(user) if user is not None else [],
    }
