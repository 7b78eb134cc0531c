"""修改历史: one page of every change (figures, comments, the catalogue, periods, settings,
accounts, documents, imports), read through metrics.history. The office reads all of it; a
clerk reads their own department's figures' changes. Thin: it parses the filters and pages."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils.dateparse import parse_date

from . import history
from .models import User

PER_PAGE = 30


def _date(raw):
    try:
        return parse_date(raw or "")
    except ValueError:  # a well-formed but impossible date (2026-02-30)
        return None


def _person(raw):
    raw = raw or ""
    if raw.isdigit() and len(raw) < 10:
        return User.objects.filter(pk=int(raw)).first()
    return None


@login_required
def changes(request):
    departments = history.departments_for(request.user)
    kinds = history.kinds_for(request.user)
    kind = request.GET.get("kind", "")
    kind = kind if kind in dict(kinds) else ""
    person = _person(request.GET.get("user"))
    filters = history.Filters(
        person=person,
        q=(request.GET.get("q") or "").replace("\x00", "").strip()[:100],
        kind=kind,
        since=_date(request.GET.get("since")),
        until=_date(request.GET.get("until")),
    )
    page = Paginator(history.keys(request.user, filters), PER_PAGE).get_page(
        request.GET.get("page")
    )
    people = User.objects.order_by("username")
    if departments is not None:
        people = people.filter(department_id__in=departments)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "metrics/catalogue/changes.html",
        {
            "page": page,
            "changes": history.rows(page.object_list),
            "kinds": kinds,
            "kind": kind,
            "q": filters.q,
            "since": filters.since,
            "until": filters.until,
            "user_id": person.pk if person else None,
            "people": list(people),
            "query": query.urlencode(),
            "whole_office": departments is None,
        },
    )
