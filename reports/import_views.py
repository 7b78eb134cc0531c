"""从文档导入: the reviewer uploads last year's document, edits the proposal, accepts it.

Thin views: reading is reports.importing.reader, the proposal and its edits
reports.importing.store; the writes are services: reports.importing.services.start_import and
save_import_edits (each with its ReportEvent), and reports.importing.accept.accept_import.
"""

from __future__ import annotations

import datetime
import re

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from metrics.models import (
    Department,
    Indicator,
    PeriodState,
    ReportingPeriod,
    Section,
    ValueType,
)

from . import documents
from .access import require_import_documents
from .importing import services as import_services
from .importing.accept import ALREADY_ACCEPTED, accept_import
from .importing.conflicts import format_words, printed
from .importing.proposal import UNBOUND_REASON
from .importing.reader import read_docx, read_text
from .importing.store import (
    apply_edit,
    conflicts_of,
    first_period_of,
    proposal_of,
    under_way_after,
)
from .models import DocumentImport, Layout, ReportTemplate

MAX_UPLOAD_BYTES = 20 * 1024 * 1024
UNBIND = "-"


def _default_period():
    """The latest locked annual period, else the previous year's, else the latest."""
    periods = ReportingPeriod.objects.order_by("-end")
    annual = [p for p in periods if re.fullmatch(r"\d{4}", p.code)]
    locked = [p for p in annual if p.state == PeriodState.LOCKED]
    if locked:
        return locked[0]
    last_year = str(timezone.localdate().year - 1)
    return next((p for p in annual if p.code == last_year), None) or periods.first()


def _read_upload(request):
    upload = request.FILES.get("file")
    pasted = request.POST.get("text", "")
    if upload is not None:
        if upload.size > MAX_UPLOAD_BYTES:
            raise ValidationError("文件过大（超过 20 MB），请只上传讲话稿或报告本身。")
        data = upload.read()
        name = upload.name or "上传的文件"
        if name.lower().endswith(".docx"):
            return name, read_docx(data)
        if name.lower().endswith(".txt"):
            try:
                return name, read_text(data.decode("utf-8-sig"))
            except UnicodeDecodeError:
                raise ValidationError("文本文件应为 UTF-8 编码。") from None
        raise ValidationError("只能导入 .docx 或 .txt 文件（.doc、.wps 请先另存为 .docx）。")
    if pasted.strip():
        return "粘贴的文本", read_text(pasted)
    raise ValidationError("请上传文件或粘贴文本。")


@login_required
def import_start(request):
    require_import_documents(request.user)
    errors: list[str] = []
    values = {"period": "", "name": "", "document": "", "layout": ""}
    if request.method == "POST":
        values = {k: request.POST.get(k, "").strip() for k in values}
        period = ReportingPeriod.objects.filter(code=values["period"]).first()
        document = (
            ReportTemplate.objects.filter(slug=values["document"]).first()
            if values["document"]
            else None
        )
        if period is None:
            errors.append("请选择文档所述的报告期。")
        if document is None and not values["name"]:
            errors.append("请填写新文稿的名称，或选择要更新的文稿。")
        if values["layout"] and values["layout"] not in Layout.values:
            errors.append("未知的版式。")
        if not errors:
            try:
                source_name, paragraphs = _read_upload(request)
            except ValidationError as exc:
                errors.extend(exc.messages)
            else:
                record = import_services.start_import(
                    user=request.user,
                    source_name=source_name,
                    paragraphs=paragraphs,
                    period=period,
                    name=values["name"],
                    document=document,
                    layout=values["layout"],
                )
                return redirect("reports:import-review", pk=record.pk)
    default = _default_period()
    return render(
        request,
        "reports/import_start.html",
        {
            "periods": ReportingPeriod.objects.order_by("-end"),
            "selected_period": values["period"] or (default.code if default else ""),
            "documents": documents.documents(),
            "layouts": Layout.choices,
            "values": values,
            "errors": errors,
            "recent": DocumentImport.objects.select_related("period", "document", "created_by")[
                :10
            ],
        },
        status=400 if errors else 200,
    )


# The review page lists the figures a page at a time, and each clause around its number is
# cut to this many characters on either side: a 281,000-character paste made 515 MB of HTML
# (every figure's whole clause and a list of every indicator, for every figure). The page's
# size is now bounded by the page, whatever the document; edits name figures by number, so
# a save from one page leaves the others as they were.
REVIEW_PAGE_ROWS = 50
CONTEXT_CHARS = 80
LITERALS_SHOWN = 200


def _around(before: str, after: str) -> tuple[str, str]:
    if len(before) > CONTEXT_CHARS:
        before = "…" + before[-CONTEXT_CHARS:]
    if len(after) > CONTEXT_CHARS:
        after = after[:CONTEXT_CHARS] + "…"
    return before, after


def _rows(proposal, conflicts=(), names=None, start: int = 0, stop: int | None = None):
    """One row per figure from `start` to `stop`, with its clause split around the number
    (cut to CONTEXT_CHARS on either side), its format in words, its conflict (if any) and the
    existing indicators most like its words. Linear in the figures listed, plus one pass over
    the codes of those before them (which new indicator shows its fields first)."""
    by_number = {c.number: c for c in conflicts}
    names = names or {}
    items = proposal.items
    stop = len(items) if stop is None else stop
    rows = []
    seen_new: set[str] = {item.code for item in items[:start] if item.new and item.code is not None}
    for item in items[start:stop]:
        clause, at = item.found.clause, item.found.start - item.found.clause_start
        end = at + len(item.found.text)
        if not (0 <= at <= end <= len(clause)) or clause[at:end] != item.found.text:
            at = clause.find(item.found.text)
            end = at + len(item.found.text) if at >= 0 else 0
            at = max(at, 0)
        new = proposal.new_indicator(item.code) if item.new and item.code else None
        before, after = _around(clause[:at], clause[end:])
        rows.append(
            {
                "item": item,
                "before": before,
                "number": clause[at:end],
                "after": after,
                "new": new,
                "first_of_new": new is not None and new.code not in seen_new,
                "format": format_words(item.found, clause[:at]),
                "printed": printed(item.found),
                "conflict": by_number.get(item.number),
                "near": [(code, names.get(code, code)) for code in item.near],
            }
        )
        if new is not None:
            seen_new.add(new.code)
    return rows


def _clipped(clause: str) -> str:
    return clause[: 2 * CONTEXT_CHARS] + "…" if len(clause) > 2 * CONTEXT_CHARS else clause


def _shown_literal(literal: dict) -> dict:
    return {**literal, "clause": _clipped(literal.get("clause") or "")}


def _edits_from(request, proposal) -> list[list]:
    """What the reviewer changed in the table, as stored edits."""
    edits: list[list] = []
    post = request.POST
    for item in proposal.items:
        n = item.number
        choice = post.get(f"bind_{n}")
        if choice is not None and choice != "":
            if choice == UNBIND and item.code is not None:
                edits.append(["unbind", n])
                continue
            if choice not in (UNBIND, item.code) and not (item.new and choice == "@new"):
                edits.append(["bind", n, choice])
                continue
        new = proposal.new_indicator(item.code) if item.new and item.code else None
        if new is None:
            continue
        name = post.get(f"name_{n}")
        if name is not None and name.strip() and name.strip() != new.name:
            edits.append(["rename", n, name.strip()])
        unit = post.get(f"unit_{n}")
        if unit is not None and unit.strip() != new.unit:
            edits.append(["unit", n, unit.strip()])
        value_type = post.get(f"value_type_{n}")
        if value_type and value_type != new.value_type:
            edits.append(["value_type", n, value_type])
        department = post.get(f"department_{n}")
        if department is not None and (department or None) != new.department_code:
            edits.append(["set_department", n, department])
        section = post.get(f"section_{n}")
        if section is not None and (section or None) != new.section_code:
            edits.append(["set_section", n, section])
    for paragraph, literal in proposal.year_spans():
        if post.get(f"keep_year_{paragraph}_{literal.start}"):
            edits.append(["keep_year", paragraph, literal.start])
    default = post.get("default_department")
    if default is not None and (default or None) != proposal.default_department:
        edits.append(["default_department", default])
    first = post.get("first_period")
    if first is not None and (first or None) != proposal.first_period:
        edits.append(["first_period", first])
    if post.get("merge_first") and post.get("merge_second"):
        edits.append(["merge", post["merge_first"], post["merge_second"]])
    return edits


def _apply(proposal, edits, errors):
    """The proposal with those of `edits` that apply, and those edits; the others' reasons
    added to `errors`."""
    applied = []
    for edit in edits:
        try:
            proposal = apply_edit(proposal, edit)
        except ValidationError as exc:
            errors.extend(exc.messages)
        else:
            applied.append(edit)
    return proposal, applied


@login_required
def import_review(request, pk):
    require_import_documents(request.user)
    record = get_object_or_404(
        DocumentImport.objects.select_related("period", "document", "created_by"), pk=pk
    )
    proposal = proposal_of(record)
    errors: list[str] = []
    if request.method == "POST":
        if record.accepted_at:
            messages.error(request, "该导入已经接受，不能再修改。")
            return redirect("reports:import-review", pk=record.pk)
        action = request.POST.get("action", "save")
        edits: list[list] = []
        if action != "reset":
            proposal, edits = _apply(proposal, _edits_from(request, proposal), errors)
        answer = _save_review(request, record, proposal, edits, action, errors)
        if answer is not None:
            return answer
    return render(
        request,
        "reports/import_review.html",
        _review_context(request, record, proposal, errors),
        status=400 if request.method == "POST" else 200,
    )


def _save_review(request, record, proposal, edits, action, errors):
    """Store the reviewer's edits (or drop them all), then accept the proposal if asked: the
    redirect to follow, or None to show the page again with `errors`."""
    try:
        saved = import_services.save_import_edits(
            document_import=record, user=request.user, edits=edits, reset=action == "reset"
        )
    except ValidationError as exc:
        if getattr(exc, "code", None) != "already_accepted":
            raise
        messages.error(request, ALREADY_ACCEPTED)
        return redirect("reports:import-review", pk=record.pk)
    record.edits = saved.edits
    if action == "reset":
        return redirect("reports:import-review", pk=record.pk)
    if action == "accept" and not errors:
        return _accept(request, record, proposal, errors)
    if not errors:
        messages.success(request, "修改已保存。")
        return redirect("reports:import-review", pk=record.pk)
    return None


def _accept(request, record, proposal, errors):
    try:
        document = accept_import(
            user=request.user,
            proposal=proposal,
            document_name=record.name,
            period=record.period,
            document=record.document,
            layout=record.layout or None,
            reason=f"从文档《{record.source_name}》导入（导入 #{record.pk}）",
            import_record=record,
        )
    except ValidationError as exc:
        if getattr(exc, "code", None) == "already_accepted":
            messages.error(request, ALREADY_ACCEPTED)
            return redirect("reports:import-review", pk=record.pk)
        errors.extend(exc.messages)
    except PermissionDenied as exc:
        errors.append(str(exc))
    else:
        messages.success(
            request,
            f"已导入“{document.name}”第{document.current_version.number}版，"
            f"{record.period.label}数据已记录。",
        )
        return redirect(f"/reports/?period={record.period.code}&document={document.slug}")
    return None


def _review_context(request, record, proposal, errors) -> dict:
    data = proposal.to_json()
    conflicts = conflicts_of(proposal, record.period)
    catalogue_names = dict(Indicator.objects.values_list("code", "name"))
    page = Paginator(range(len(proposal.items)), REVIEW_PAGE_ROWS).get_page(request.GET.get("page"))
    literals = [x for x in data["literals"] if x["reason"] != UNBOUND_REASON]
    unbound = [x for x in data["literals"] if x["reason"] == UNBOUND_REASON]
    years = proposal.year_spans()
    return {
        "record": record,
        "rows": _rows(
            proposal,
            conflicts,
            catalogue_names,
            page.start_index() - 1 if page.object_list else 0,
            page.end_index(),
        ),
        "page": page,
        "figure_count": len(proposal.items),
        "conflicts": conflicts,
        "years": [
            {"key": f"{p}_{lit.start}", "text": lit.text, "clause": _clipped(lit.clause)}
            for p, lit in years[:LITERALS_SHOWN]
        ],
        "proposal": proposal,
        "sections": Section.objects.order_by("order"),
        "first_period": first_period_of(proposal, record.period),
        "first_periods": ReportingPeriod.objects.filter(start__gte=record.period.start).order_by(
            "start"
        ),
        "under_way": under_way_after(record.period).order_by("start"),
        "literals": [_shown_literal(x) for x in literals[:LITERALS_SHOWN]],
        "unbound": [_shown_literal(x) for x in unbound[:LITERALS_SHOWN]],
        "literals_not_shown": max(0, len(literals) - LITERALS_SHOWN)
        + max(0, len(unbound) - LITERALS_SHOWN)
        + max(0, len(years) - LITERALS_SHOWN),
        "problems": proposal.problems(),
        "template_text": proposal.template_text(),
        "indicators": Indicator.objects.filter(retired_on__isnull=True).order_by(
            "section__order", "order"
        ),
        "departments": Department.objects.filter(retired_at__isnull=True),
        "value_types": ValueType.choices,
        "missing_departments": sum(1 for n in proposal.new_indicators if not n.department_code),
        "errors": errors,
        "today": datetime.date.today(),
    }
