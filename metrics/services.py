"""Write operations on figures. Each runs in one transaction, takes the acting user and leaves
its audit trail (django-simple-history) with a reason."""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from . import access, evidence, selectors
from .models import (
    CommentKind,
    Department,
    Evidence,
    Figure,
    FigureComment,
    FigureStatus,
    Indicator,
    Notice,
    PeriodState,
    Reminder,
    ReportingPeriod,
)
from .rules import department_findings, evaluate_all
from .validation import parse_value, plain

EDITABLE_BY_CLERK = (FigureStatus.DRAFT, FigureStatus.RETURNED)


class FigureConflict(Exception):
    """The figure changed since the editor loaded it; `figure` holds what is stored now."""

    def __init__(self, figure: Figure):
        self.figure = figure
        super().__init__(f"figure {figure.pk} is at version {figure.version}")


def _record(figure: Figure, *, user, reason: str) -> None:
    """Name the acting user and the reason in the history row the next save writes."""
    figure._history_user = user if user is not None and user.is_authenticated else None
    figure._change_reason = reason


def _ensure_open(period: ReportingPeriod) -> None:
    if period.is_locked:
        raise ValidationError(f"{period.label}已锁定，不能再修改数据。")


@transaction.atomic
def save_figure(
    *,
    indicator: Indicator,
    period: ReportingPeriod,
    value: object,
    remark: str = "",
    user,
    expected_version: int | None = None,
    reason: str = "填报",
    explanation: str | None = None,
) -> Figure:
    """A clerk saves one figure of their department as a draft (a returned figure stays
    returned until it is submitted again). `value` is what was typed or sent (text, a number,
    a Decimal or None for "not filled yet"), parsed here after the permission check, so that a
    foreign figure is refused whatever the value. `explanation` None leaves 上报说明 as it is."""
    access.require(
        access.can_enter_figures(user, indicator.department),
        f"您不能填报{indicator.department.name}的数据。",
    )
    _ensure_open(period)
    value = parse_value(indicator, value)
    figure = (
        Figure.objects.select_for_update(of=("self",))
        .filter(indicator=indicator, period=period)
        .first()
    )
    if figure is None:
        if expected_version not in (None, 0):
            raise FigureConflict(Figure(indicator=indicator, period=period, version=0))
        figure = Figure(
            indicator=indicator, period=period, value_type=indicator.value_type, version=0
        )
    else:
        if expected_version is not None and expected_version != figure.version:
            raise FigureConflict(figure)
        if figure.status not in EDITABLE_BY_CLERK:
            raise ValidationError(
                f"{indicator.name}{figure.get_status_display()}，不能再修改；如需更正请联系审核员退回。"
            )
    if explanation is None:
        explanation = figure.explanation
    if (
        figure.pk
        and figure.value == value
        and figure.remark == remark
        and figure.explanation == explanation
    ):
        return figure
    figure.value = value
    figure.remark = remark
    figure.explanation = explanation
    figure.updated_by = user
    figure.version += 1
    _record(figure, user=user, reason=reason)
    if figure.pk is not None:
        figure.save()
        return figure
    try:
        with transaction.atomic():  # another session may be creating the same figure
            figure.save()
    except IntegrityError:
        current = Figure.objects.select_related("updated_by").get(
            indicator=indicator, period=period
        )
        raise FigureConflict(current) from None
    return figure


@transaction.atomic
def submit_figures(
    *, department: Department, period: ReportingPeriod, user, force: bool = False
) -> list[Figure]:
    """Send a department's figures for a period to the reviewers: all or none.

    Refused, with messages keyed by indicator code (ValidationError.error_dict), when a
    figure is missing or an error rule fails. A warning (a warning rule, a change of more
    than ±50% against the previous period) refuses a plain submit; `force` (强制上报) sends
    the figures anyway provided each warned figure carries a written 上报说明.
    """
    access.require(
        access.can_enter_figures(user, department), f"您不能报送{department.name}的数据。"
    )
    _ensure_open(period)
    indicators = list(department.indicators.all())
    figures = {
        f.indicator_id: f
        for f in Figure.objects.select_for_update(of=("self",)).filter(
            period=period, indicator__department=department
        )
    }
    errors: dict[str, list[str]] = {}

    def add(code, message):
        errors.setdefault(code, []).append(message)

    for indicator in indicators:
        figure = figures.get(indicator.pk)
        if figure is None or figure.value is None:
            add(indicator.code, f"{indicator.name}尚未填写。")
    findings = department_findings(
        department=department,
        indicators=indicators,
        rules=list(selectors.rules_touching(department=department)),
        values=selectors.period_values(period=period),
        previous=selectors.previous_values(period=period, department=department),
    )
    for finding in findings:
        if finding.is_error:
            add(finding.code, finding.message)
    if errors:
        raise ValidationError(errors)
    to_submit = [f for f in figures.values() if f.status in EDITABLE_BY_CLERK]
    if not to_submit:
        raise ValidationError("没有需要报送的数据：全部数据均已报送或已审核。")
    by_code = {f.indicator.code: f for f in to_submit}
    warnings = [w for w in findings if w.is_warning and w.code in by_code]
    if warnings and not force:
        for warning in warnings:
            add(warning.code, warning.message)
        errors[NON_FIELD_ERRORS] = [
            "存在需要说明的预警。请核实数据，在相应指标的“上报说明”中写明原因后点击“强制上报”。"
        ]
        raise ValidationError(errors)
    for warning in warnings:
        if not by_code[warning.code].explanation.strip():
            add(warning.code, f"{warning.message}（强制上报须填写上报说明）")
    if errors:
        raise ValidationError(errors)
    warned = {w.code for w in warnings}
    for figure in to_submit:
        figure.status = FigureStatus.SUBMITTED
        figure.updated_by = user
        figure.version += 1
        forced = figure.indicator.code in warned
        _record(figure, user=user, reason="强制上报" if forced else "报送")
        figure.save()
        if forced:
            FigureComment.objects.create(
                figure=figure,
                author=user,
                kind=CommentKind.EXPLANATION,
                text=figure.explanation.strip(),
            )
    return to_submit


@dataclass(frozen=True)
class Entry:
    """One row of the entry form as typed: raw text, and the version the clerk loaded."""

    code: str
    value: str
    remark: str = ""
    explanation: str | None = None
    version: int | None = None


class DraftResult:
    """What a draft save did: `saved` the figures stored as typed (written or already so);
    `errors` the messages of each refused row by indicator code (a value that is not valid,
    or a stale row); `conflicts` the figure stored now for each stale row (also in `errors`)."""

    def __init__(self) -> None:
        self.saved: list[Figure] = []
        self.errors: dict[str, list[str]] = {}
        self.conflicts: dict[str, Figure] = {}

    @property
    def refused(self) -> list[str]:
        return list(self.errors)

    @property
    def complete(self) -> bool:
        """True when no typed row was refused."""
        return not self.errors

    def refuse(self, code: str, messages: list[str], current: Figure | None = None) -> None:
        self.errors[code] = list(messages)
        if current is not None:
            self.conflicts[code] = current


@transaction.atomic
def save_draft(
    *, department: Department, period: ReportingPeriod, entries: list[Entry], user
) -> DraftResult:
    """Save what the clerk typed on the entry form, incomplete or not, row by row in one
    transaction: every valid row is saved; a row whose value is not valid, or which changed
    since the clerk loaded it (its version is stale), is refused and left as stored, with its
    message in the result (nothing typed is lost: the form shows it again next to the field).

    Raises only for the request as a whole (PermissionDenied, a locked period, a code of
    another department); then nothing is saved."""
    access.require(
        access.can_enter_figures(user, department), f"您不能填报{department.name}的数据。"
    )
    _ensure_open(period)
    indicators = {i.code: i for i in department.indicators.all()}
    figures = {
        f.indicator_id: f
        for f in Figure.objects.select_for_update(of=("self",)).filter(
            period=period, indicator__department=department
        )
    }
    result = DraftResult()
    planned = []
    for entry in entries:
        indicator = indicators.get(entry.code)
        if indicator is None:
            raise ValidationError(f"指标“{entry.code}”不属于{department.name}。")
        figure = figures.get(indicator.pk)
        if figure is not None and figure.status not in EDITABLE_BY_CLERK:
            continue  # read-only rows are shown, never written
        stored_version = figure.version if figure else 0
        if entry.version is not None and entry.version != stored_version:
            current = figure or Figure(indicator=indicator, period=period, version=0)
            result.refuse(entry.code, [_conflict_message(figure)], current)
            continue
        try:
            value = parse_value(indicator, entry.value)
        except ValidationError as exc:
            result.refuse(entry.code, exc.messages)
            continue
        planned.append((indicator, value, entry, stored_version))
    for indicator, value, entry, stored_version in planned:
        if figures.get(indicator.pk) is None and value is None and not entry.remark.strip():
            continue  # nothing typed for a figure that does not exist yet
        try:
            result.saved.append(
                save_figure(
                    indicator=indicator,
                    period=period,
                    value=value,
                    remark=entry.remark.strip(),
                    explanation=None if entry.explanation is None else entry.explanation.strip(),
                    user=user,
                    expected_version=stored_version,
                )
            )
        except FigureConflict as conflict:  # created by another session meanwhile
            result.refuse(entry.code, [_conflict_message(conflict.figure)], conflict.figure)
    return result


def _changed_by(figure: Figure) -> str:
    """已被陈静于2026-11-30 15:41修改，当前值为 155: who got there first, and what stands."""
    by = figure.updated_by.display_name if figure.updated_by else "他人"
    when = timezone.localtime(figure.updated_at).strftime("%Y-%m-%d %H:%M")
    current = "未填" if figure.value is None else plain(figure.value)
    return f"已被{by}于{when}修改，当前值为 {current}"


def _conflict_message(figure: Figure | None) -> str:
    if figure is None or figure.pk is None:
        return "该数据已被他人删除，请刷新页面。"
    return (
        f"该数据{_changed_by(figure)}"
        f"（{figure.get_status_display()}）。您填写的内容未保存；核对后如仍以您的为准，请再次保存。"
    )


def conflict_message(figure: Figure | None) -> str:
    return _conflict_message(figure)


# ---------------------------------------------------------------------------------------
# Review


def _locked_figure(figure_id: int) -> Figure:
    return (
        Figure.objects.select_for_update(of=("self",))
        .select_related("indicator__department", "period")
        .get(pk=figure_id)
    )


@transaction.atomic
def return_figure(*, figure: Figure, user, reason: str) -> Figure:
    """A reviewer sends one submitted (or approved) figure back to the clerk with a reason."""
    access.require(access.can_review(user), "只有审核员可以退回数据。")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError("请填写退回原因。")
    figure = _locked_figure(figure.pk)
    _ensure_open(figure.period)
    if figure.status not in (FigureStatus.SUBMITTED, FigureStatus.APPROVED):
        raise ValidationError(
            f"{figure.indicator.name}{figure.get_status_display()}，只有已报送或已审核的数据可以退回。"
        )
    return _send_back(figure, user=user, reason=reason, kind=CommentKind.RETURN, action="退回")


@transaction.atomic
def approve_figure(*, figure: Figure, user, comment: str = "") -> Figure:
    access.require(access.can_review(user), "只有审核员可以审核数据。")
    figure = _locked_figure(figure.pk)
    _ensure_open(figure.period)
    if figure.status != FigureStatus.SUBMITTED:
        raise ValidationError(
            f"{figure.indicator.name}{figure.get_status_display()}，只有已报送的数据可以审核通过。"
        )
    _approve(figure, user=user, comment=comment)
    return figure


def _approve(figure: Figure, *, user, comment: str = "") -> None:
    figure.status = FigureStatus.APPROVED
    figure.return_reason = ""
    figure.updated_by = user
    figure.version += 1
    _record(figure, user=user, reason=f"审核通过：{comment}" if comment else "审核通过")
    figure.save()
    if comment.strip():
        FigureComment.objects.create(
            figure=figure, author=user, kind=CommentKind.APPROVE, text=comment.strip()
        )


@transaction.atomic
def approve_department(
    *, department: Department, period: ReportingPeriod, user, comment: str = ""
) -> list[Figure]:
    """Approve every submitted figure of a department in one click."""
    access.require(access.can_review(user), "只有审核员可以审核数据。")
    _ensure_open(period)
    figures = list(
        Figure.objects.select_for_update(of=("self",))
        .select_related("indicator")
        .filter(period=period, indicator__department=department, status=FigureStatus.SUBMITTED)
    )
    if not figures:
        raise ValidationError(f"{department.name}没有待审核的数据。")
    for figure in figures:
        _approve(figure, user=user, comment=comment)
    return figures


@transaction.atomic
def reopen_figure(*, figure: Figure, user, reason: str) -> Figure:
    """A reviewer reopens an approved figure so that the clerk can correct it."""
    access.require(access.can_review(user), "只有审核员可以重新开放数据。")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError("请填写重新开放的原因。")
    figure = _locked_figure(figure.pk)
    _ensure_open(figure.period)
    if figure.status != FigureStatus.APPROVED:
        raise ValidationError(f"{figure.indicator.name}尚未审核通过，无需重新开放。")
    return _send_back(figure, user=user, reason=reason, kind=CommentKind.REOPEN, action="重新开放")


def _send_back(figure: Figure, *, user, reason: str, kind: str, action: str) -> Figure:
    """Hand a figure back to its clerk with the reviewer's reason, in its history and thread."""
    figure.status = FigureStatus.RETURNED
    figure.return_reason = reason
    figure.updated_by = user
    figure.version += 1
    _record(figure, user=user, reason=f"{action}：{reason}")
    figure.save()
    FigureComment.objects.create(figure=figure, author=user, kind=kind, text=reason)
    return figure


@transaction.atomic
def add_comment(*, figure: Figure, user, text: str) -> FigureComment:
    """A remark in the figure's thread, by a reviewer or a clerk of the department."""
    department = figure.indicator.department
    access.require(
        access.can_review(user) or access.can_enter_figures(user, department),
        "您不能对该数据发表意见。",
    )
    text = (text or "").strip()
    if not text:
        raise ValidationError("意见内容不能为空。")
    return FigureComment.objects.create(
        figure=figure, author=user, kind=CommentKind.COMMENT, text=text[:2000]
    )


@transaction.atomic
def lock_period(*, period: ReportingPeriod, user, reason: str = "审核员锁定") -> ReportingPeriod:
    if user is not None:
        access.require(user.has_perm("metrics.lock_period"), "您不能锁定报告期。")
    period = ReportingPeriod.objects.select_for_update().get(pk=period.pk)
    if period.is_locked:
        raise ValidationError(f"{period.label}已处于锁定状态。")
    period.state = PeriodState.LOCKED
    _record(period, user=user, reason=reason)
    period.save()
    return period


@transaction.atomic
def reopen_period(*, period: ReportingPeriod, user, reason: str) -> ReportingPeriod:
    access.require(
        user is not None and user.has_perm("metrics.lock_period"), "您不能重新开放报告期。"
    )
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError("请填写重新开放报告期的原因。")
    period = ReportingPeriod.objects.select_for_update().get(pk=period.pk)
    if not period.is_locked:
        raise ValidationError(f"{period.label}未锁定。")
    period.state = PeriodState.OPEN
    _record(period, user=user, reason=f"重新开放：{reason}")
    period.save()
    return period


def lock_overdue_periods(*, today: datetime.date | None = None, grace_days: int | None = None):
    """Lock every open period whose deadline (plus the grace days) has passed."""
    today = today or timezone.localdate()
    if grace_days is None:
        grace_days = getattr(settings, "METRICS_AUTO_LOCK_GRACE_DAYS", 0)
    locked = []
    for period in selectors.periods_to_lock(today=today, grace_days=grace_days):
        locked.append(
            lock_period(
                period=period,
                user=None,
                reason=f"超过报送截止日期（{period.deadline:%Y-%m-%d}）自动锁定",
            )
        )
    return locked


# ---------------------------------------------------------------------------------------
# Evidence


@transaction.atomic
def add_evidence(*, indicator: Indicator, period: ReportingPeriod, upload, user) -> Evidence:
    """Attach a supporting document to a figure (created as an empty draft if need be)."""
    access.require(
        access.can_enter_figures(user, indicator.department),
        f"您不能为{indicator.department.name}的数据上传佐证材料。",
    )
    _ensure_open(period)
    data = evidence.read_upload(upload)
    kind = evidence.sniff(data)
    figure = (
        Figure.objects.select_for_update(of=("self",))
        .filter(indicator=indicator, period=period)
        .first()
    )
    if figure is None:
        figure = Figure(
            indicator=indicator, period=period, value_type=indicator.value_type, updated_by=user
        )
        _record(figure, user=user, reason="上传佐证材料")
        figure.save()
    elif figure.status not in EDITABLE_BY_CLERK:
        raise ValidationError(
            f"{indicator.name}{figure.get_status_display()}，不能再添加佐证材料。"
        )
    item = Evidence(
        figure=figure,
        original_name=evidence.display_name(getattr(upload, "name", ""), kind),
        content_type=kind.content_type,
        size=len(data),
        sha256=evidence.digest(data),
        uploaded_by=user,
    )
    item.file.save(
        evidence.stored_name(kind, period_code=period.code), ContentFile(data), save=False
    )
    # The file is written before the rows; if they fail, nothing may stay behind on disk.
    try:
        item.save()
        FigureComment.objects.create(
            figure=figure,
            author=user,
            kind=CommentKind.EVIDENCE,
            text=f"上传：{item.original_name}",
        )
    except Exception:
        item.file.delete(save=False)
        raise
    return item


@transaction.atomic
def delete_evidence(*, item: Evidence, user) -> None:
    figure = (
        Figure.objects.select_for_update(of=("self",))
        .select_related("indicator__department", "period")
        .get(pk=item.figure_id)
    )
    access.require(
        access.can_enter_figures(user, figure.indicator.department), "您不能删除该佐证材料。"
    )
    _ensure_open(figure.period)
    if figure.status not in EDITABLE_BY_CLERK:
        raise ValidationError(
            f"{figure.indicator.name}{figure.get_status_display()}，不能再删除佐证材料。"
        )
    name, storage = item.file.name, item.file.storage
    FigureComment.objects.create(
        figure=figure, author=user, kind=CommentKind.EVIDENCE, text=f"删除：{item.original_name}"
    )
    item.delete()
    transaction.on_commit(lambda: storage.delete(name))


# ---------------------------------------------------------------------------------------
# Reminders (催报)

REMINDER_DAYS_BEFORE = 3


def _reminder_text(department, period, missing, returned):
    parts = []
    if missing:
        parts.append(f"{missing} 项尚未报送")
    if returned:
        parts.append(f"{returned} 项被退回待修改")
    title = f"催报：{period.label}数据请于{period.deadline:%Y年%m月%d日}前报送"
    body = (
        f"{department.name}：{period.label}法治政府建设工作数据中，{'，'.join(parts)}。"
        f"报送截止日期为{period.deadline:%Y年%m月%d日}，请尽快登录门户填报："
        f"{settings.PORTAL_BASE_URL}/entry/{period.code}/"
    )
    return title, body


@transaction.atomic
def send_reminder(
    *,
    department: Department,
    period: ReportingPeriod,
    user=None,
    today: datetime.date | None = None,
) -> Reminder | None:
    """Remind one department (notice in the portal + email to its clerks), at most once a
    day: returns None when it was already reminded today or has nothing outstanding."""
    manual = user is not None
    if manual:
        access.require(access.can_remind(user), "只有审核员和区领导可以催报。")
    today = today or timezone.localdate()
    progress = selectors.department_progress(department=department, period=period)
    rows = progress["rows"]
    missing = sum(
        1
        for _, f in rows
        if f is None or f.status not in (FigureStatus.SUBMITTED, FigureStatus.APPROVED)
    )
    if missing == 0:
        if manual:
            raise ValidationError(f"{department.name}的数据已全部报送，无需催报。")
        return None
    returned = progress["returned"]
    reminder, created = Reminder.objects.get_or_create(
        department=department,
        period=period,
        date=today,
        defaults={
            "manual": manual,
            "sent_by": user if manual else None,
            "missing": missing - returned,
            "returned": returned,
        },
    )
    if not created:
        if manual:
            raise ValidationError(f"今天已向{department.name}催报过，每个部门每天只催报一次。")
        return None
    title, body = _reminder_text(department, period, missing - returned, returned)
    Notice.objects.create(
        department=department,
        period=period,
        title=title,
        body=body,
        created_by=user if manual else None,
    )
    from .tasks import send_reminder_email

    # The notice is in the portal already; a broker outage costs only the email, logged.
    transaction.on_commit(lambda: send_reminder_email.delay(reminder.pk), robust=True)
    return reminder


def reminder_is_due(period: ReportingPeriod, today: datetime.date, days_before: int) -> bool:
    return (
        today == period.deadline - datetime.timedelta(days=days_before) or today > period.deadline
    )


def send_due_reminders(*, today: datetime.date | None = None) -> list[Reminder]:
    """What the beat schedule runs daily: N days before each open period's deadline, and
    every day once it is overdue, remind each department that is behind."""
    today = today or timezone.localdate()
    days_before = getattr(settings, "METRICS_REMINDER_DAYS_BEFORE", REMINDER_DAYS_BEFORE)
    sent = []
    for period in ReportingPeriod.objects.filter(state=PeriodState.OPEN):
        if not reminder_is_due(period, today, days_before):
            continue
        for department in selectors.departments_behind(period=period):
            reminder = send_reminder(department=department, period=period, today=today)
            if reminder is not None:
                sent.append(reminder)
    return sent


@dataclass(frozen=True)
class FigureRow:
    """One row of an import file; `line` is the row number people see in the sheet."""

    line: int
    code: str
    value: object
    remark: str = ""
    # The figure's version when the row was prepared (a downloaded sheet, an API client);
    # None: not known, the row is written whatever the figure's version.
    version: int | None = None


def _stale_row_message(figure: Figure | None, name: str) -> str:
    if figure is None:
        return f"{name}在表格生成后已被删除，请重新下载填报表。"
    return (
        f"{name}在表格生成后{_changed_by(figure)}；"
        "为免覆盖他人的修改，请重新下载填报表后再填写上传。"
    )


@transaction.atomic
def import_figures(
    *,
    period: ReportingPeriod,
    rows: list[FigureRow],
    user=None,
    approve: bool = False,
    source: str = "导入",
    department: Department | None = None,
    skip_empty: bool = False,
) -> list[Figure]:
    """Write every row or none: any bad row refuses the whole file, naming each bad row.

    `department` limits the file to one department's indicators (a clerk's upload);
    without it the import is administrative and may touch any indicator. `skip_empty` leaves
    out rows without a value (a clerk's sheet filled in part).
    """
    if department is not None and user is not None:
        access.require(
            access.can_enter_figures(user, department), f"您不能导入{department.name}的数据。"
        )
    if period.is_locked:
        raise ValidationError([f"{period.label}已锁定，不能导入数据。"])
    indicators = {i.code: i for i in Indicator.objects.select_related("department")}
    errors: list[str] = []
    parsed: dict[str, tuple[Indicator, Decimal, str]] = {}
    versions: dict[str, int] = {}
    seen_lines: dict[str, int] = {}
    for row in rows:
        code = (row.code or "").strip()
        indicator = indicators.get(code)
        if indicator is None:
            errors.append(f"第{row.line}行：未知的指标代码“{code}”。")
            continue
        if department is not None and indicator.department_id != department.pk:
            errors.append(f"第{row.line}行：指标“{indicator.name}”不属于{department.name}。")
            continue
        if code in seen_lines:
            errors.append(f"第{row.line}行：指标“{code}”与第{seen_lines[code]}行重复。")
            continue
        seen_lines[code] = row.line
        try:
            value = parse_value(indicator, row.value)
        except ValidationError as exc:
            errors.append(f"第{row.line}行（{code}）：{' '.join(exc.messages)}")
            continue
        if value is None:
            if skip_empty:
                del seen_lines[code]
                continue
            errors.append(f"第{row.line}行（{code}）：数值为空。")
            continue
        parsed[code] = (indicator, value, (row.remark or "").strip())
        if row.version is not None:
            versions[code] = row.version
    if not rows or (skip_empty and not parsed and not errors):
        errors.append("文件中没有数据行。" if not rows else "文件中没有填写任何数值。")
    existing = {
        f.indicator.code: f
        for f in Figure.objects.select_for_update(of=("self",))
        .select_related("indicator", "updated_by")
        .filter(period=period, indicator__code__in=parsed)
    }

    def unchanged(code) -> bool:
        figure, (_, value, remark) = existing.get(code), parsed[code]
        return (
            figure is not None
            and figure.value == value
            and figure.remark == remark
            and (not approve or figure.status == FigureStatus.APPROVED)
        )

    # A row that changes nothing writes nothing: it needs neither a current version nor an
    # editable figure (the same value sent again for an approved figure is not an error).
    to_write = [code for code in parsed if not unchanged(code)]
    for code in to_write:
        figure = existing.get(code)
        current = figure.version if figure else 0
        if code in versions and versions[code] != current:
            errors.append(
                f"第{seen_lines[code]}行：{_stale_row_message(figure, indicators[code].name)}"
            )
        if department is not None and figure and figure.status not in EDITABLE_BY_CLERK:
            errors.append(
                f"第{seen_lines[code]}行：{figure.indicator.name}{figure.get_status_display()}，不能再修改。"
            )
    if approve and not errors:
        # Approved figures skip the submit step, so its blocking rules are checked here.
        values = selectors.period_values(period=period)
        values.update({code: value for code, (_, value, _) in parsed.items()})
        rules = selectors.active_rules().filter(
            Q(left__code__in=parsed) | Q(right__code__in=parsed)
        )
        errors += [r.message for r in evaluate_all(rules, values) if r.is_error]
    if errors:
        raise ValidationError(errors)

    status = FigureStatus.APPROVED if approve else FigureStatus.DRAFT
    reason = f"{source}（审核通过）" if approve else source
    saved = []
    for code in to_write:
        indicator, value, remark = parsed[code]
        figure = existing.get(code) or Figure(
            indicator=indicator, period=period, value_type=indicator.value_type, version=0
        )
        figure.value = value
        figure.remark = remark
        if approve or figure.status != FigureStatus.RETURNED:
            figure.status = status  # a returned figure stays returned until it is resubmitted
        figure.updated_by = user
        figure.version += 1
        _record(figure, user=user, reason=reason)
        figure.save()
        saved.append(figure)
    return saved
