from django.conf import settings

from metrics.texts import limits


def site(request):
    # text_limits: each free-text field's maxlength, the limit the services enforce.
    return {"district_name": settings.DISTRICT_NAME, "text_limits": limits()}
