"""Every page as every demo user: no template looks up an attribute that does not exist on a
real object (Django would print nothing, silently)."""

import logging

import pytest
from django.template import VariableDoesNotExist
from django.template.context import BaseContext
from django.urls import reverse

from metrics.models import Figure, FigureStatus


class MissedLookups(logging.Handler):
    """Django logs every failed variable lookup on the django.template logger (DEBUG, with
    the VariableDoesNotExist and its (bit, object)); this keeps those where a real object
    lacked the attribute, as (template, type, attribute). A name absent from the context, or
    a lookup on a string, is a template's ordinary `{% if %}` and is not kept."""

    def __init__(self):
        super().__init__(logging.DEBUG)
        self.found: list[tuple[str, str, str]] = []

    def emit(self, record):
        error = record.exc_info[1] if record.exc_info else None
        if not isinstance(error, VariableDoesNotExist) or len(error.params) != 2:
            return
        bit, current = error.params
        if current is not None and not isinstance(current, (str, BaseContext)):
            self.found.append((str(record.args[1]), type(current).__name__, str(bit)))


@pytest.fixture
def misses():
    logger = logging.getLogger("django.template")
    handler, level = MissedLookups(), logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    yield handler.found
    logger.removeHandler(handler)
    logger.setLevel(level)


PAGES = [
    ("home", []),
    ("entry", ["2026"]),
    ("review_queue", ["2026"]),
    ("review_department", ["2026", "sfj"]),
    ("review_department", ["2026", "gaj"]),
    ("figure_detail", ["2026", "biz_review_cases_received"]),
]


def test_no_template_uses_a_missing_attribute(client, demo_data, misses):
    # a returned figure with its comment, so that the pages' returned branches render
    from metrics import services
    from metrics.models import User

    reviewer = User.objects.get(username="reviewer")
    submitted = Figure.objects.filter(period__code="2026", status=FigureStatus.SUBMITTED).first()
    assert submitted is not None, "the demo data has a submitted figure to return"
    services.return_figure(figure=submitted, user=reviewer, reason="请核对")
    urls = []
    for name, args in PAGES:
        urls.append(reverse(name, args=args))
    urls += [
        reverse("dashboard:index") + "?period=2026",
        reverse("dashboard:department", args=["sfj"]) + "?period=2026",
        reverse("dashboard:indicator", args=[Figure.objects.first().indicator.code]),
    ]
    rendered = set()
    for username in ["reviewer", "leader", "clerk_sfj", "clerk_gaj", "admin"]:
        client.force_login(User.objects.get(username=username))
        for url in urls:
            if client.get(url).status_code == 200:
                rendered.add(url)
    assert rendered == set(urls)  # every page was drawn for someone
    real = sorted(set(misses))
    assert real == [], real


def test_a_missing_attribute_is_noticed(db, misses):
    """The watch above sees what it looks for (it would pass on nothing if Django stopped
    logging failed lookups)."""
    from django.template import Context, Template

    figure = Figure()
    Template("{{ figure.no_such_field }}{{ absent }}{{ text.upper.x }}").render(
        Context({"figure": figure, "text": "字"})
    )
    assert [(kind, bit) for _, kind, bit in misses] == [("Figure", "no_such_field")]
