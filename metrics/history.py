"""修改历史: one audit trail read over the records each app already keeps, as Zulip reads its
RealmAuditLog. Four shapes of storage become one kind of row (when, who, kind, object, what,
old → new, why):

- django-simple-history: the figures (with the reasons the services write), the catalogue,
  the periods, the office's settings, and what the apps built on metrics register with
  `references.register_history` (the reports app's documents);
- the figures' comments (FigureComment): reviewers' reasons and clerks' answers;
- sources the apps built on metrics register with `references.register_history_source`
  (accounts: AccountEvent; reports: document imports, report builds, ReportEvent).

`keys(viewer, filters)` is one ordered UNION query over every source the viewer may read
(a page of it is one query, however many sources); `rows(keys)` turns a page of keys into
rows with a fixed number of queries per source on the page, never one per row. The page
(metrics.history_views) and the API (GET /api/v1/history/) both read through these two.

Retention: every record read here is kept at least 180 days and is never edited. Nothing in
the project changes or deletes them: historical rows have no admin of their own and no
service writes them; AccountEvent refuses updates and deletes (and the database refuses
deleting rows younger than 180 days); ReportEvent, DocumentImport and FigureComment have no
deleting service; the admin is read-only for them. A change to that is a change to the audit
trail, to be decided as such, not a cleanup.
"""

import datetime
from dataclasses import dataclass, field
from functools import cached_property

from django.core.exceptions import PermissionDenied
from django.db.models import CharField, F, Q, QuerySet, Value
from django.utils import timezone

from . import access, references
from .models import (
    DeadlineExtension,
    Department,
    Figure,
    FigureComment,
    Indicator,
    OfficeSettings,
    ReportingPeriod,
    Section,
    ValidationRule,
)
from .numbers import plain
from .periods import PeriodCode
from .services.catalogue import BASELINE_REASON


@dataclass(frozen=True)
class Filters:
    """What the reader asks for. `person` is a user (whose changes); `q` searches each kind's
    names and codes; `since`/`until` are local dates, both included; `departments` None for
    every department, else only these departments' figures (a clerk's own)."""

    person: object = None
    q: str = ""
    kind: str = ""
    since: datetime.date | None = None
    until: datetime.date | None = None
    departments: frozenset | None = None


@dataclass
class Row:
    kind: str
    label: str
    when: datetime.datetime
    who: str
    what: str
    action: str
    reason: str = ""
    fields: list = field(default_factory=list)  # (field label, old, new)


# ---------------------------------------------------------------------------------------
# Who reads what


def reads_everything(user) -> bool:
    """The office (reviewers, whoever keeps the catalogue, the calendar or the accounts) and
    whoever reads every department's figures read the whole trail."""
    return user.is_superuser or any(
        check(user)
        for check in (
            access.can_review,
            access.can_view_all_figures,
            access.can_manage_catalogue,
            access.can_manage_periods,
            access.can_manage_office_settings,
        )
    )


def departments_for(user) -> frozenset | None:
    """None: every department. A clerk: their own department's figures only. Anyone else
    reads no history (PermissionDenied)."""
    access._actor(user)
    if not user.is_authenticated or not user.is_active:
        raise PermissionDenied("请先登录。")
    if reads_everything(user):
        return None
    if user.department_id and access.can_enter_figures(user, user.department):
        return frozenset({user.department_id})
    raise PermissionDenied("您没有查看修改历史的权限。")


def sources_for(user, departments) -> dict:
    """The sources this reader may read, by kind, in the order the page lists them."""
    return {
        kind: source
        for kind, source in all_sources().items()
        if (departments is None or source.departmental)
        and (source.visible is None or source.visible(user))
    }


# ---------------------------------------------------------------------------------------
# Filtering, for every source alike


def filtered(
    rows: QuerySet,
    filters: Filters,
    *,
    at: str,
    person=None,
    searched=(),
    department: str | None = None,
) -> QuerySet:
    """`rows` narrowed by the filters: `at` names the time field, `person` a function of the
    user giving the Q for their records, `searched` the fields `q` looks in, `department` the
    department's id field (for a clerk's scope)."""
    zone = timezone.get_current_timezone()
    if filters.since:
        start = datetime.datetime.combine(filters.since, datetime.time.min, zone)
        rows = rows.filter(**{f"{at}__gte": start})
    if filters.until:
        end = datetime.datetime.combine(
            filters.until + datetime.timedelta(days=1), datetime.time.min, zone
        )
        rows = rows.filter(**{f"{at}__lt": end})
    if filters.person is not None:
        rows = rows.filter(person(filters.person)) if person else rows.none()
    if filters.q:
        matches = Q()
        for name in searched:
            matches |= Q(**{f"{name}__icontains": filters.q})
        rows = rows.filter(matches) if searched else rows.none()
    if filters.departments is not None:
        if department is None:
            return rows.none()
        rows = rows.filter(**{f"{department}__in": filters.departments})
    return rows


def keys(user, filters: Filters) -> QuerySet:
    """Every record the reader may read that matches `filters`, newest first, as dicts
    (row_id, row_at, row_kind): one UNION query, to be paginated."""
    departments = departments_for(user)
    if departments is not None:
        wanted = departments if filters.departments is None else departments & filters.departments
        filters = Filters(**{**filters.__dict__, "departments": frozenset(wanted)})
    sources = sources_for(user, departments)
    if filters.kind and filters.kind not in sources:
        return Figure.history.none().values("history_id")  # a kind this reader cannot read
    kinds = [filters.kind] if filters.kind else list(sources)
    parts = []
    for kind in kinds:
        source = sources[kind]
        parts.append(
            source.keys(filters)
            .order_by()
            .annotate(
                row_id=F(source.id_field),
                row_at=F(source.at_field),
                row_kind=Value(kind, output_field=CharField()),
            )
            .values("row_id", "row_at", "row_kind")
        )
    if not parts:
        return Figure.history.none().values("history_id")
    # One flat UNION of every part (chained unions nest, and SQLite's parser stack is short).
    union = parts[0].union(*parts[1:], all=True) if len(parts) > 1 else parts[0]
    return union.order_by("-row_at", "-row_id")


def rows(page_keys) -> list[Row]:
    """The rows of a page of `keys`, in its order: each source reads its own records at once."""
    wanted: dict[str, list] = {}
    for key in page_keys:
        wanted.setdefault(key["row_kind"], []).append(key["row_id"])
    sources = all_sources()
    found = {}
    for kind, ids in wanted.items():
        for pk, row in sources[kind].rows(ids).items():
            found[(kind, pk)] = row
    return [
        found[(key["row_kind"], key["row_id"])]
        for key in page_keys
        if (key["row_kind"], key["row_id"]) in found
    ]


def kinds_for(user) -> list[tuple[str, str]]:
    """(kind, label) of what the reader may filter by."""
    return [(kind, s.label) for kind, s in sources_for(user, departments_for(user)).items()]


# ---------------------------------------------------------------------------------------
# simple_history records: a row per save, old → new against the object's previous row

_TYPES = {"+": "新增", "~": "修改", "-": "删除"}
# Bookkeeping a person does not need to read (a save's version counter; who saved is 修改人).
NOT_SHOWN = {"version", "updated_by", "value_type"}


class _Names:
    """Names of what records refer to, read once per page and only when asked for."""

    @cached_property
    def section(self):
        return dict(Section.history.values_list("id", "name").order_by("history_date"))

    @cached_property
    def department(self):
        earlier = Department.history.values_list("id", "name").order_by("history_date")
        return dict(earlier) | dict(Department.objects.values_list("id", "name"))

    @cached_property
    def indicator(self):
        return dict(Indicator.objects.values_list("id", "name"))

    @cached_property
    def indicator_department(self):
        return dict(Indicator.objects.values_list("id", "department__name"))

    @cached_property
    def period(self):
        return {p.pk: p.label for p in ReportingPeriod.objects.only("code")}

    def of(self, field_name):
        table = {"left": "indicator", "right": "indicator"}.get(field_name, field_name)
        if table in ("section", "department", "indicator", "period"):
            return getattr(self, table)
        return None


def _shown(value, model_field, names: _Names) -> str:
    """A value as a person reads it: a related object's name, a choice's label (填报中, not
    open), 118 not 118.0000, （空） for nothing."""
    if value is None or value == "":
        return "（空）"
    if model_field.is_relation:
        table = names.of(model_field.name)
        return table.get(value, str(value)) if table is not None else str(value)
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return "是" if value else "否"
    if model_field.get_internal_type() == "DecimalField":
        return plain(value)
    return str(value)


def _described(kind, record, names: _Names) -> str:
    """What a history row is about, in words: 名称（代码）, a period's name, whose figure."""
    if kind == "period":
        return PeriodCode.parse(record.code).label
    if kind == "extension":
        department = names.department.get(record.department_id, "")
        return f"{department} · {names.period.get(record.period_id, '')}"
    if kind == "settings":
        return "系统设置"
    if kind == "figure":
        indicator = names.indicator.get(record.indicator_id, "")
        # The unit that reported it (a township's 司法所); rows older than the unit field, the
        # indicator's department, which reported every figure then.
        department = names.department.get(record.unit_id) or names.indicator_department.get(
            record.indicator_id, ""
        )
        return f"{indicator} · {department} · {names.period.get(record.period_id, '')}"
    what, code = getattr(record, "name", ""), getattr(record, "code", "")
    return f"{what}（{code}）" if code else what


def _previous(history, fetched) -> dict:
    """Each record's previous row of the same object (None for its first): one query."""
    chain: dict = {}
    objects = {r.id for r in fetched}
    latest = max((r.history_date for r in fetched), default=None)
    earlier = history.filter(id__in=objects, history_date__lte=latest)
    for older in earlier.order_by("history_date", "history_id"):
        chain.setdefault(older.id, []).append(older)
    previous = {}
    for record in fetched:
        before = None
        for candidate in chain.get(record.id, []):
            if candidate.history_id == record.history_id:
                break
            before = candidate
        previous[record.history_id] = before
    return previous


def _fields(model, record, before, names) -> list:
    if before is None or record.history_type != "~":
        return []
    shown = []
    for change in record.diff_against(before).changes:
        if change.field in NOT_SHOWN:
            continue
        model_field = model._meta.get_field(change.field)
        shown.append(
            (
                model_field.verbose_name,
                _shown(change.old, model_field, names),
                _shown(change.new, model_field, names),
            )
        )
    return shown


def simple_history_source(kind, label, model, searched, *, department=None, visible=None):
    """A source over a model's django-simple-history records."""

    def keys_of(filters):
        return filtered(
            model.history.all(),
            filters,
            at="history_date",
            person=lambda user: Q(history_user_id=user.pk),
            searched=searched,
            department=department,
        )

    def rows_of(ids):
        history = model.history
        fetched = list(history.filter(history_id__in=ids).select_related("history_user"))
        previous = _previous(history, fetched)
        names = _Names()
        found = {}
        for record in fetched:
            reason = record.history_change_reason or ""
            found[record.history_id] = Row(
                kind=kind,
                label=label,
                when=record.history_date,
                who=record.history_user.display_name if record.history_user else "系统",
                what=_described(kind, record, names),
                action=(
                    "原有状态"
                    if reason == BASELINE_REASON
                    else _TYPES.get(record.history_type, record.history_type)
                ),
                reason=reason,
                fields=_fields(model, record, previous[record.history_id], names),
            )
        return found

    return references.HistorySource(
        kind=kind,
        label=label,
        keys=keys_of,
        rows=rows_of,
        id_field="history_id",
        at_field="history_date",
        departmental=department is not None,
        visible=visible,
    )


# ---------------------------------------------------------------------------------------
# The figures' comments


def _comment_keys(filters):
    return filtered(
        FigureComment.objects.all(),
        filters,
        at="created_at",
        person=lambda user: Q(author_id=user.pk),
        searched=["text", "figure__indicator__name", "figure__indicator__code"],
        department="figure__unit_id",  # the unit that reported it (a township's own)
    )


def _comment_rows(ids):
    comments = FigureComment.objects.filter(pk__in=ids).select_related(
        "author", "figure__indicator", "figure__unit", "figure__period"
    )
    found = {}
    for comment in comments:
        figure = comment.figure
        found[comment.pk] = Row(
            kind="comment",
            label="数据意见",
            when=comment.created_at,
            who=comment.author.display_name if comment.author else "系统",
            what=f"{figure.indicator.name} · {figure.unit.name} · {figure.period.label}",
            action=comment.get_kind_display(),
            reason=comment.text,
        )
    return found


# ---------------------------------------------------------------------------------------
# The sources, metrics' own first

_OWN = (
    (
        "figure",
        "填报数据",
        Figure,
        ["indicator__name", "indicator__code"],
        "unit_id",  # the unit that reported the figure, not the indicator's owner
    ),
    ("indicator", "指标", Indicator, ["name", "code"], None),
    ("section", "讲话部分", Section, ["name", "code"], None),
    ("department", "部门", Department, ["name", "code"], None),
    ("rule", "校验规则", ValidationRule, ["name"], None),
    ("period", "报告期", ReportingPeriod, ["code"], None),
    ("extension", "部门延期", DeadlineExtension, ["period__code", "department__name"], None),
    ("settings", "系统设置", OfficeSettings, ["district_name"], None),
)


def all_sources() -> dict:
    """metrics' own sources, then the simple_history models and the sources the apps built on
    metrics registered (metrics.references)."""
    sources = {}
    for kind, label, model, searched, department in _OWN:
        sources[kind] = simple_history_source(kind, label, model, searched, department=department)
    sources["comment"] = references.HistorySource(
        kind="comment",
        label="数据意见",
        keys=_comment_keys,
        rows=_comment_rows,
        at_field="created_at",
        departmental=True,
    )
    for kind, (label, model, searched) in references.histories().items():
        sources[kind] = simple_history_source(kind, label, model, searched)
    return sources | references.history_sources()
