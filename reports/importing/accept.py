"""Accepting an imported document (从文档导入): in one transaction the new indicators are
created, the document (or a new version of an existing one) is saved with the proposal's
template, and the figures the document states are recorded for its period. Any refusal leaves
nothing behind.
"""

from __future__ import annotations

import re
from dataclasses import replace
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Max
from django.utils import timezone

from metrics import services as metrics_services
from metrics.models import Department, Figure, Indicator, ReportingPeriod, Section
from metrics.numbers import plain

from .. import services as report_services
from ..access import require_import_documents
from ..models import DocumentImport, Layout, ReportTemplate
from ..rendering.filters import apply_filter
from .conflicts import prints_as
from .naming import clean_name, pinyin_initials
from .proposal import Item, Proposal, _is_salutation
from .reader import TITLE
from .store import conflicts_of, first_period_of, held_values, under_way_after

_SPEECH_WORDS = ("讲话", "发言", "致辞")
ALREADY_ACCEPTED = "该导入已确认，请勿重复提交。"


def stored_value(item: Item) -> Decimal:
    """The value to store for a figure, one its filter prints as the document did: 2.3万余 →
    23000, 3200多 → 3200."""
    return item.found.estimate


def looks_like_speech(proposal: Proposal) -> bool:
    """A salutation after the title, or a title that says 讲话/发言: the speech layout."""
    for number, paragraph in enumerate(proposal.paragraphs):
        if paragraph.level == TITLE and any(w in paragraph.text for w in _SPEECH_WORDS):
            return True
        if paragraph.level != TITLE:
            return _is_salutation(paragraph.text, number, proposal)
    return False


_LEADING_YEAR = re.compile(r"\A\s*(?:[0-9]{4}\s*年(?:度)?\s*)+")


def without_leading_year(name: str) -> str:
    """A document's name without the year it starts with (2025年度法治政府建设情况报告): the
    pages, jobs and file names put the period's label before it, which would say the year
    twice (2026年度2025年度…)."""
    stripped = _LEADING_YEAR.sub("", name).strip()
    return stripped or name.strip()


def _require(user) -> None:
    require_import_documents(user)


def _row(item: Item) -> str:
    return f"第{item.number + 1}个数字“{item.found.clause}”"


def _owners(proposal: Proposal, default_department: Department | None) -> dict[str, Department]:
    """The department of each new indicator; refused naming the rows that have none."""
    codes = {n.department_code for n in proposal.new_indicators if n.department_code}
    departments = {d.code: d for d in Department.objects.filter(code__in=codes)}
    missing, unknown, owners = [], [], {}
    for indicator in proposal.new_indicators:
        rows = [i for i in proposal.items if i.new and i.code == indicator.code]
        code = indicator.department_code
        department = departments.get(code) if code else default_department
        if code and department is None:
            unknown.extend(rows)
        elif department is None:
            missing.extend(rows)
        elif department.is_retired:
            raise ValidationError(f"“{department.name}”已停用，不能负责新指标“{indicator.name}”。")
        else:
            owners[indicator.code] = department
    if missing:
        raise ValidationError(
            "以下新指标尚未选择填报部门：" + "；".join(_row(i) for i in missing),
            code="department_missing",
        )
    if unknown:
        raise ValidationError(
            "以下新指标的填报部门不存在：" + "；".join(_row(i) for i in unknown),
            code="department_unknown",
        )
    return owners


def _values(proposal: Proposal) -> dict[str, tuple[Decimal, list[Item]]]:
    """Each bound code's value; one code shown with two values is refused."""
    values: dict[str, tuple[Decimal, list[Item]]] = {}
    clashes = []
    for item in proposal.bound():
        value = stored_value(item)
        if item.code in values and values[item.code][0] != value:
            clashes.append(item)
            continue
        values.setdefault(item.code, (value, []))[1].append(item)
    if clashes:
        raise ValidationError(
            "同一指标在文档中出现了不同的数字：" + "；".join(_row(i) for i in clashes),
            code="values_differ",
        )
    return values


def _to_record(
    period: ReportingPeriod, proposal: Proposal, values: dict[str, tuple[Decimal, list[Item]]]
) -> dict[str, Decimal]:
    """The values to record: those of indicators without a figure in `period`. A stored
    figure the document prints the same (23456 shown as 2.3万余) is left alone; one it does
    not — entered or computed — is a conflict, refused before anything is written."""
    found = conflicts_of(proposal, period)
    if found:
        raise metrics_services.ImportConflict([(c.name, c.stored, c.shown) for c in found])
    existing = set(
        Figure.objects.filter(period=period, indicator__code__in=list(values)).values_list(
            "indicator__code", flat=True
        )
    )
    computed = set(
        Indicator.objects.filter(code__in=list(values))
        .exclude(formula="")
        .values_list("code", flat=True)
    )
    return {
        code: value
        for code, (value, _) in values.items()
        if code not in existing and code not in computed
    }


def _check_rebuilds(period: ReportingPeriod, proposal: Proposal) -> None:
    """After the figures are recorded: every bound number prints again as the document has
    it, or the accept is refused with the list of what would differ."""
    held = held_values(proposal, period)
    differ = [
        f"{_row(item)}：将印为 {'【待填】' if held.get(item.code) is None else apply_filter(item.found.filter, plain(held[item.code]))}"
        for item in proposal.bound()
        if not prints_as(item.found, held.get(item.code))
    ]
    if differ:
        raise ValidationError(
            "接受后生成的文稿与导入的文档不一致，导入未进行：" + "；".join(differ),
            code="rebuild_differs",
        )


def _unique_code(code: str, taken: set[str]) -> str:
    candidate, n = code, 2
    while candidate in taken:
        candidate, n = f"{code}_{n}", n + 1
    return candidate


def _recode(proposal: Proposal, old: str, new: str) -> Proposal:
    items = tuple(replace(i, code=new) if i.new and i.code == old else i for i in proposal.items)
    indicators = tuple(
        replace(n, code=new) if n.code == old else n for n in proposal.new_indicators
    )
    return replace(proposal, items=items, new_indicators=indicators)


def _section_for(indicator, department: Department) -> Section:
    if indicator.section_code:
        section = Section.objects.filter(code=indicator.section_code).first()
        if section is not None:
            return section
    used = (
        Indicator.objects.filter(department=department)
        .values("section")
        .annotate(n=Count("id"))
        .order_by("-n", "section")
        .first()
    )
    if used:
        return Section.objects.get(pk=used["section"])
    section = Section.objects.order_by("order").first()
    if section is None:
        raise ValidationError("指标目录中还没有讲话部分，无法新增指标。")
    return section


def _document_slug(name: str) -> str:
    stem = ("doc-" + (pinyin_initials(name)[:30] or "imported")).strip("-")
    taken = set(ReportTemplate.objects.filter(slug__startswith=stem).values_list("slug", flat=True))
    return _unique_code(stem, taken)


@transaction.atomic
def accept_import(
    *,
    user,
    proposal: Proposal,
    document_name: str,
    period: ReportingPeriod,
    default_department: Department | None = None,
    document: ReportTemplate | None = None,
    layout: str | None = None,
    reason: str = "",
    import_record: DocumentImport | None = None,
    first_period: ReportingPeriod | None = None,
) -> ReportTemplate:
    """Create the new indicators, the document (or its new version) and the figures the
    document states, or nothing at all. Returns the document.

    With `import_record` (the page's 从文档导入), its row is locked first and marked accepted
    in the same transaction: a second accept of the same import (a double click, a second
    tab) waits for the first and is refused, instead of making a second version."""
    _require(user)
    if import_record is not None:
        import_record = _locked_unaccepted(import_record)
    document_name = without_leading_year(document_name or "")
    if document is None:
        _check_new_name(document_name)
    source = document_name or document.name
    if default_department is None and proposal.default_department:
        default_department = Department.objects.filter(code=proposal.default_department).first()
    owners = _owners(proposal, default_department)
    values = _values(proposal)
    proposal, new_codes = _recode_taken(proposal, owners)
    values = _values(proposal)
    old_values = {c: v for c, v in values.items() if c not in new_codes}
    to_record = _to_record(period, proposal, old_values)
    why = reason.strip() or f"从文档《{source}》导入"
    first_period = _first_period(proposal, period, first_period)
    for indicator in proposal.new_indicators:
        _create_indicator(indicator, owners[indicator.code], user, first_period, why)
        to_record[indicator.code] = values[indicator.code][0]
    if document is None:
        document = _new_document(document_name, layout, proposal)
    elif layout and layout != document.layout:
        raise ValidationError("更新已有文稿时不能在这里更改版式，请在文稿设置中修改。")
    report_services.save_template_version(
        template=document, text=proposal.template_text(), user=user, comment=why[:300]
    )
    if to_record:
        metrics_services.record_imported_figures(
            user=user, period=period, values=to_record, source=source
        )
    _check_rebuilds(period, proposal)
    aliases = _hand_bound_aliases(proposal)
    if aliases:
        metrics_services.add_indicator_aliases(user=user, aliases=aliases, source=source)
    if import_record is not None:
        import_record.document = document
        import_record.accepted_at = timezone.now()
        import_record.save(update_fields=["document", "accepted_at"])
    return document


def _locked_unaccepted(import_record: DocumentImport) -> DocumentImport:
    import_record = DocumentImport.objects.select_for_update().get(pk=import_record.pk)
    if import_record.accepted_at is not None:
        raise ValidationError(ALREADY_ACCEPTED, code="already_accepted")
    return import_record


def _first_period(proposal: Proposal, period, first_period):
    """The period the new indicators start in: the one chosen, else the document's own
    (first_period_of); refused when a later period is under way and none was chosen."""
    first_period = first_period or first_period_of(proposal, period)
    if proposal.new_indicators and first_period is None:
        later = "、".join(p.label for p in under_way_after(period).order_by("start"))
        raise ValidationError(
            f"{later}已开始填报：请选择新指标从哪一期起填报（选择已开始的报告期，"
            "该期将要求填报这些新指标）。",
            code="first_period_required",
        )
    return first_period


def _check_new_name(document_name: str) -> None:
    if not document_name:
        raise ValidationError("请填写新文稿的名称。", code="name_required")
    if len(document_name) > 200:
        raise ValidationError("文稿名称不能超过 200 个字。")
    if ReportTemplate.objects.filter(name=document_name).exists():
        raise ValidationError(
            f"已有名为“{document_name}”的文稿；请换一个名称，或选择更新该文稿。",
            code="name_taken",
        )


def _recode_taken(proposal: Proposal, owners: dict) -> tuple[Proposal, set[str]]:
    """Codes taken since the proposal was made get a suffix (in `owners` too); the template
    follows. The proposal so recoded and its new indicators' codes."""
    new_codes = {n.code for n in proposal.new_indicators}
    taken = set(Indicator.objects.values_list("code", flat=True))
    for indicator in list(proposal.new_indicators):
        if indicator.code in taken:
            code = _unique_code(indicator.code, taken | new_codes)
            owners[code] = owners.pop(indicator.code)
            proposal = _recode(proposal, indicator.code, code)
            new_codes = (new_codes - {indicator.code}) | {code}
    return proposal, new_codes


def _create_indicator(indicator, department, user, first_period, why) -> None:
    metrics_services.create_indicator(
        user=user,
        code=indicator.code,
        name=indicator.name,
        unit=indicator.unit,
        value_type=indicator.value_type,
        department=department,
        section=_section_for(indicator, department),
        # Expected from the document's period on, never in an earlier open one.
        first_period=first_period,
        reason=why,
    )


def _new_document(document_name: str, layout: str | None, proposal: Proposal) -> ReportTemplate:
    """The new document, last in the list, in the layout chosen or the one it looks like."""
    top = ReportTemplate.objects.aggregate(m=Max("position"))["m"] or 0
    chosen = layout or (Layout.SPEECH if looks_like_speech(proposal) else Layout.REPORT)
    if chosen not in Layout.values:
        raise ValidationError(f"未知的版式“{chosen}”。")
    return ReportTemplate.objects.create(
        name=document_name,
        slug=_document_slug(document_name),
        layout=chosen,
        position=top + 1,
    )


def _hand_bound_aliases(proposal: Proposal) -> dict[str, list[str]]:
    """The words the reviewer bound by hand, as aliases of their indicators."""
    aliases: dict[str, list[str]] = {}
    for item in proposal.hand_bound():
        phrase = clean_name(item.context.subject)
        if len(phrase) >= 2:
            aliases.setdefault(item.code, []).append(phrase)
    return aliases
