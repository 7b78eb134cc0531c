"""指标管理: the history of changes (修改历史) to the catalogue, the speech's sections, the
departments, the rules, the periods and the settings. The other 指标管理 pages live in
metrics.indicator_views, metrics.organisation_views and metrics.rule_views."""

from dataclasses import dataclass

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import CharField, Q, Value
from django.shortcuts import render

from . import references
from .catalogue_pages import require_manager as _manager
from .models import (
    DeadlineExtension,
    Department,
    Indicator,
    OfficeSettings,
    ReportingPeriod,
    Section,
    User,
    ValidationRule,
)
from .periods import PeriodCode
from .services.catalogue import BASELINE_REASON

# ---------------------------------------------------------------------------------------
# The history of changes


KINDS = {
    "indicator": ("指标", Indicator),
    "section": ("讲话部分", Section),
    "department": ("部门", Department),
    "rule": ("校验规则", ValidationRule),
    "period": ("报告期", ReportingPeriod),
    "extension": ("部门延期", DeadlineExtension),
    "settings": ("系统设置", OfficeSettings),
}
# What the 名称或代码 filter searches in each kind's history rows.
SEARCHED = {
    "rule": ["name"],
    "period": ["code"],
    "extension": ["period__code", "department__name"],
    "settings": ["district_name"],
}
PER_PAGE = 30


def _kinds() -> dict:
    """The catalogue's own kinds, then those the apps built on metrics registered
    (metrics.references.register_history)."""
    registered = references.histories()
    return KINDS | {kind: (label, model) for kind, (label, model, _) in registered.items()}


def _searched(kind: str) -> list[str]:
    registered = references.histories()
    if kind in registered:
        return registered[kind][2]
    return SEARCHED.get(kind, ["name", "code"])


_TYPES = {"+": "新增", "~": "修改", "-": "删除"}


@dataclass
class Change:
    kind: str
    label: str
    when: object
    who: str
    what: str
    action: str
    reason: str
    fields: list  # (field label, old, new)


def _history_rows(kind, q, user_id):
    model = _kinds()[kind][1]
    rows = model.history.all()
    if q:
        matches = Q()
        for field in _searched(kind):
            matches |= Q(**{f"{field}__icontains": q})
        rows = rows.filter(matches)
    if user_id:
        rows = rows.filter(history_user_id=user_id)
    return (
        rows.order_by()
        .annotate(kind=Value(kind, output_field=CharField()))
        .values("history_id", "history_date", "kind")
    )


# Bookkeeping a person does not need to read in the history (a save's version counter).
NOT_SHOWN = {"version"}


def _shown(value, field, names, choices=None):
    """A value as a person reads it: a related object's name, a choice's label (填报中, not
    open), （空） for nothing."""
    if value is None or value == "":
        return "（空）"
    if field in names:
        return names[field].get(value, str(value))
    if choices:
        return str(choices.get(value, value))
    if isinstance(value, bool):
        return "是" if value else "否"
    return str(value)


def _described(kind, record, names) -> str:
    """What a history row is about, in words: 名称（代码）, a period's name, whose extension."""
    if kind == "period":
        return PeriodCode.parse(record.code).label
    if kind == "extension":
        department = names["department"].get(record.department_id, "")
        period = names["period"].get(record.period_id, "")
        return f"{department} · {period}"
    if kind == "settings":
        return "系统设置"
    what, code = getattr(record, "name", ""), getattr(record, "code", "")
    return f"{what}（{code}）" if code else what


def _changes_page(kinds, q, user_id, page_number):
    """One page of the merged history: one query for the page of (kind, id), one per kind for
    those rows and their objects' earlier rows (the diff's other side), two for names."""
    union = None
    for kind in kinds:
        rows = _history_rows(kind, q, user_id)
        union = rows if union is None else union.union(rows, all=True)
    union = union.order_by("-history_date", "-history_id")
    page = Paginator(union, PER_PAGE).get_page(page_number)
    wanted: dict[str, list[int]] = {}
    for row in page.object_list:
        wanted.setdefault(row["kind"], []).append(row["history_id"])
    records = {}
    previous = {}
    for kind, ids in wanted.items():
        history = _kinds()[kind][1].history
        fetched = list(history.filter(history_id__in=ids).select_related("history_user"))
        for record in fetched:
            records[(kind, record.history_id)] = record
        object_ids = {r.id for r in fetched}
        # Each object's rows up to this page, newest first: the row before each is its diff.
        chain: dict[int, list] = {}
        for older in history.filter(id__in=object_ids).order_by("history_date", "history_id"):
            chain.setdefault(older.id, []).append(older)
        for record in fetched:
            rows = chain.get(record.id, [])
            before = None
            for candidate in rows:
                if candidate.history_id == record.history_id:
                    break
                before = candidate
            previous[(kind, record.history_id)] = before
    names = {
        "section": dict(Section.history.values_list("id", "name").order_by("history_date")),
        "department": dict(Department.history.values_list("id", "name").order_by("history_date"))
        | dict(Department.objects.values_list("id", "name")),
    }
    names["left"] = names["right"] = dict(Indicator.objects.values_list("id", "name"))
    names["period"] = {p.pk: p.label for p in ReportingPeriod.objects.only("code")}
    changes = []
    for row in page.object_list:
        key = (row["kind"], row["history_id"])
        record = records.get(key)
        if record is None:
            continue
        model = _kinds()[row["kind"]][1]
        before = previous.get(key)
        fields = []
        if before is not None and record.history_type == "~":
            delta = record.diff_against(before)
            for change in delta.changes:
                if change.field in NOT_SHOWN:
                    continue
                field = model._meta.get_field(change.field)
                choices = dict(field.flatchoices) if field.choices else None
                fields.append(
                    (
                        field.verbose_name,
                        _shown(change.old, change.field, names, choices),
                        _shown(change.new, change.field, names, choices),
                    )
                )
        changes.append(
            Change(
                kind=row["kind"],
                label=_kinds()[row["kind"]][0],
                when=record.history_date,
                who=record.history_user.display_name if record.history_user else "系统",
                what=_described(row["kind"], record, names),
                action=(
                    "原有状态"
                    if record.history_change_reason == BASELINE_REASON
                    else _TYPES.get(record.history_type, record.history_type)
                ),
                reason=record.history_change_reason or "",
                fields=fields,
            )
        )
    return page, changes


@login_required
def changes(request):
    _manager(request)
    kind = request.GET.get("kind", "")
    known = _kinds()
    kinds = [kind] if kind in known else list(known)
    q = (request.GET.get("q") or "").strip()[:100]
    raw_user = request.GET.get("user", "")
    user_id = int(raw_user) if raw_user.isdigit() and len(raw_user) < 10 else None
    page, rows = _changes_page(kinds, q, user_id, request.GET.get("page"))
    people = (
        User.objects.filter(
            Q(
                groups__permissions__codename__in=[
                    "manage_catalogue",
                    "manage_periods",
                    "manage_accounts",
                ]
            )
            | Q(is_superuser=True)
        )
        .distinct()
        .order_by("username")
    )
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "metrics/catalogue/changes.html",
        {
            "page": page,
            "changes": rows,
            "kinds": [(key, label) for key, (label, _) in known.items()],
            "kind": kind if kind in known else "",
            "q": q,
            "user_id": user_id,
            "people": list(people),
            "query": query.urlencode(),
        },
    )
