"""Every page as every demo user: no template looks up an attribute that does not exist on a
real object (Django would print nothing, silently)."""

import pytest
from django.template import base as tbase
from django.urls import reverse

from metrics.models import Figure, FigureStatus


@pytest.fixture
def misses(monkeypatch):
    found = []
    original = tbase.Variable._resolve_lookup

    def spy(self, context):
        try:
            return original(self, context)
        except tbase.VariableDoesNotExist as exc:
            bit, current = exc.params
            if current is not None and not isinstance(current, (str, tbase.BaseContext)):
                found.append((self.var, type(current).__name__, bit))
            raise

    monkeypatch.setattr(tbase.Variable, "_resolve_lookup", spy)
    return found


PAGES = [
    ("home", []),
    ("entry", ["2026"]),
    ("review_queue", ["2026"]),
    ("review_department", ["2026", "sfj"]),
    ("review_department", ["2026", "gaj"]),
    ("figure_detail", ["2026", "biz_review_cases_received"]),
]


def test_no_template_uses_a_missing_attribute(client, demo_data, misses):
    # some returned figure with a comment so the branches show
    from metrics import services
    from metrics.models import User

    reviewer = User.objects.get(username="reviewer")
    f = Figure.objects.filter(period__code="2026", status=FigureStatus.SUBMITTED).first()
    if f:
        services.return_figure(figure=f, user=reviewer, reason="请核对")
    urls = []
    for name, args in PAGES:
        urls.append(reverse(name, args=args))
    urls += [
        reverse("dashboard:index") + "?period=2026",
        reverse("dashboard:department", args=["sfj"]) + "?period=2026",
        reverse("dashboard:indicator", args=[Figure.objects.first().indicator.code]),
    ]
    for username in ["reviewer", "leader", "clerk_sfj", "clerk_gaj", "admin"]:
        client.force_login(User.objects.get(username=username))
        for url in urls:
            client.get(url)
    real = sorted(set(misses))
    assert real == [], real
