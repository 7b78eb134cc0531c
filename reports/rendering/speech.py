"""Template + snapshot → structured speech (paragraphs of styled runs, gaps marked).

Everything the PDF, DOCX and HTML outputs print comes from here, so the three
cannot disagree about a figure.  The snapshot is the only input: a template can
reach its figures and the site values, nothing else.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any, Literal

from .filters import FilterValueError, apply_filter
from .markup import (
    HEADING_LEVELS,
    SITE_VALUES,
    Block,
    BlockKind,
    LineBreak,
    Placeholder,
    Template,
    Text,
    parse_template,
)
from .standing import INCOMPLETE, NO_AREAS, child_areas, child_entry, child_key, standing
from .titles import balanced_breaks

Mode = Literal["final", "draft"]
GapReason = Literal["missing", "unapproved", "invalid"]
# "break" is a forced line break in the title; its text is empty.
RunStyle = Literal["body", "lead", "break"]


_REASON_LABELS = {"missing": "未填报", "unapproved": "未审核通过", "invalid": "数值无效"}
_MARKER_WORDS = {"missing": "待填", "unapproved": "待审", "invalid": "待改"}
_CHINESE_DIGITS = "零一二三四五六七八九"
# The snapshot's figure statuses, as people in the office call them (every status a gap can
# carry: a document is read in Chinese, never with a status code in it).
_STATUS_WORDS = {
    "draft": "草稿未报送",
    "submitted": "已报送待审核",
    "returned": "已退回修改",
    INCOMPLETE: "下级单位尚未报齐",
}


@dataclass(frozen=True)
class Gap:
    """A placeholder the snapshot cannot fill with an approved figure."""

    code: str
    name: str
    department: str
    reason: GapReason
    status: str | None = None
    detail: str = ""

    @property
    def marker(self) -> str:
        return f"【{_MARKER_WORDS[self.reason]}：{self.name}】"

    @property
    def cell_marker(self) -> str:
        """The marker in a table's cell, whose row and column name the figure: 【待填】."""
        return f"【{_MARKER_WORDS[self.reason]}】"

    @property
    def reason_label(self) -> str:
        label = _REASON_LABELS[self.reason]
        if self.reason == "unapproved" and self.status:
            label += f"（{_STATUS_WORDS.get(self.status, self.status)}）"
        if self.detail:
            label += f"（{self.detail}）"
        return label


class MissingFigures(Exception):
    """Final rendering asked for while some placeholders have no approved figure."""

    def __init__(self, gaps: list[Gap]):
        self.gaps = gaps
        listed = "；".join(
            f"{g.name}{'（' + g.department + '）' if g.department else ''}：{g.reason_label}"
            for g in gaps
        )
        super().__init__(f"有{len(gaps)}项数据不能用于定稿：{listed}")


@dataclass(frozen=True)
class Run:
    text: str
    style: RunStyle = "body"
    gap: Gap | None = None
    # Indicator code (or site value name) the run was filled from, for previews.
    code: str | None = None
    # What the figure is, by name (受理行政复议案件（区司法局）): the preview's hover text.
    label: str | None = None


@dataclass(frozen=True)
class Table:
    """A comparison table (@对比表): the header row, then a row per child area and last the
    report area's own. A row of a single cell spans the table (the notice that the snapshot
    has no child areas)."""

    caption: str
    header: tuple[Run, ...]
    rows: tuple[tuple[Run, ...], ...]


@dataclass(frozen=True)
class Paragraph:
    kind: BlockKind
    # A table's runs are its cells in reading order, a tab between cells and a line feed
    # between rows: its text, and the codes a public version's exclusions look for.
    runs: tuple[Run, ...]
    table: Table | None = None

    @property
    def text(self) -> str:
        return "".join(r.text for r in self.runs)


@dataclass(frozen=True)
class RenderedSpeech:
    paragraphs: tuple[Paragraph, ...]
    gaps: tuple[Gap, ...]
    mode: Mode
    district_name: str = ""
    period_label: str = ""

    @property
    def title(self) -> str:
        return next((p.text for p in self.paragraphs if p.kind == "title"), "")

    @property
    def text(self) -> str:
        """Plain text: one paragraph a line, the title followed by an empty line
        (the layout of the reference speech.txt, except that a section heading
        and each of its paragraphs get a line of their own)."""
        lines: list[str] = []
        for p in self.paragraphs:
            lines.append(p.text)
            if p.kind == "title":
                lines.append("")
        return "\n".join(lines) + "\n"


def chinese_number(n: int) -> str:
    """1 → 一, 10 → 十, 12 → 十二, 20 → 二十 (sections never reach 100)."""
    if not 0 < n < 100:
        return str(n)
    tens, ones = divmod(n, 10)
    prefix = "" if tens == 0 else ("十" if tens == 1 else _CHINESE_DIGITS[tens] + "十")
    return prefix + (_CHINESE_DIGITS[ones] if ones else "")


def heading_number(kind: str, counters: list[int]) -> str:
    """The next number of a heading of `kind` (一、 （一） 1. （1）); a heading restarts the
    numbering of every level below it. `counters` holds the four levels' counts."""
    level = HEADING_LEVELS[kind]
    counters[level - 1] += 1
    for deeper in range(level, len(counters)):
        counters[deeper] = 0
    n = counters[level - 1]
    if level == 1:
        return f"{chinese_number(n)}、"
    if level == 2:
        return f"（{chinese_number(n)}）"
    if level == 3:
        return f"{n}."
    return f"（{n}）"


def report_year(snapshot: Mapping[str, Any]) -> str:
    """The year of the snapshot's period ({year}): 2025 for 2025, 2025Q3 or 2025-06."""
    code = str(snapshot.get("period") or "")
    return code[:4] if code[:4].isdigit() else ""


def _figure_run(
    placeholder: Placeholder, snapshot: Mapping[str, Any], style: RunStyle
) -> tuple[Run, Gap | list[Gap] | None]:
    code = placeholder.code
    if placeholder.is_site_value:
        if code == "district":
            value = snapshot.get("district_name")
        elif code == "year":
            value = report_year(snapshot)
        else:
            value = snapshot.get("period_label") or snapshot.get("period")
        value = str(value).strip() if value is not None else ""
        if not value or value == "*":
            gap = Gap(code, SITE_VALUES[code], "系统设置", "missing")
            return Run(gap.marker, style, gap, code), gap
        return Run(value, style, None, code, SITE_VALUES[code].split("（")[0]), None

    figure = (snapshot.get("figures") or {}).get(code) or {}
    name = str(figure.get("name") or code)
    department = str(figure.get("department") or "")
    value = figure.get("value")
    status = figure.get("status")
    gap: Gap | None = None
    reason = standing(figure)
    if reason == "computed":
        return _computed_gap_run(code, figure, style)
    if reason is not None:
        gap = Gap(code, name, department, reason, status)
    else:
        try:
            text = apply_filter(
                placeholder.filter,
                str(value),
                _optional(figure.get("previous")),
                str(figure.get("change") or "percent"),
                _places(figure.get("places")),
            )
        except FilterValueError as exc:
            gap = Gap(code, name, department, "invalid", status, str(exc))
        else:
            # A filter never yields these, but a blank or a bare `*` must never
            # reach a printed speech whatever the data.
            if text.strip() in ("", "*"):
                gap = Gap(code, name, department, "invalid", status, "格式化结果为空")
            else:
                label = f"{name}（{department}）" if department else name
                return Run(text, style, None, code, label), None
    return Run(gap.marker, style, gap, code), gap


def _places(places) -> int | None:
    """The snapshot's decimal places of a computed value (0–4), else None."""
    return places if isinstance(places, int) and 0 <= places <= 4 else None


def _computed_gap_run(code: str, figure: Mapping[str, Any], style: RunStyle):
    """A computed indicator that cannot stand yet: the marker names each INPUT it lacks
    (【待填：受理行政复议案件】, 【待审：…】), or the indicator itself when it cannot be computed
    (【待改：行政复议办结率】, 除数为 0)."""
    gaps = _computed_gaps(code, figure)
    return Run("".join(g.marker for g in gaps), style, gaps[0], code), gaps


def _computed_gaps(code: str, figure: Mapping[str, Any]) -> list[Gap]:
    """The inputs a computed indicator lacks, or the indicator itself (无法计算)."""
    gaps = [
        Gap(
            str(g.get("code") or ""),
            str(g.get("name") or g.get("code") or ""),
            str(g.get("department") or ""),
            "missing" if g.get("value") is None else "unapproved",
            g.get("status"),
        )
        for g in figure.get("gaps") or []
    ]
    if not gaps:
        detail = str(figure.get("reason") or "无法计算")
        name = str(figure.get("name") or code)
        gaps = [Gap(code, name, str(figure.get("department") or ""), "invalid", None, detail)]
    return gaps


def _optional(value: Any) -> str | None:
    return None if value is None else str(value)


# The first column's heading; the last row's label is the report area's (see total_label).
AREA_COLUMN = "地区"
_LEVELS = "省市区县"
_CELL_GAP = "快照中没有下级区域的数据"


def total_label(snapshot: Mapping[str, Any]) -> str:
    """The last row's label: 全市, or 全区 / 全县 / 全省 when the report area's name
    (``{district}``) ends so. A table compares a city's districts, hence 全市 otherwise."""
    name = str(snapshot.get("district_name") or "").strip()
    return f"全{name[-1]}" if name and name[-1] in _LEVELS else "全市"


def table_paragraph(block: Block, snapshot: Mapping[str, Any]) -> tuple[Paragraph, list[Gap]]:
    """A @对比表 block filled from the snapshot: a row per child area (``snapshot["areas"]``),
    then the report area's own figures (``snapshot["figures"]``), each cell printed and
    marked as the same figure in running text would be (`_figure_run`), the marker cut to
    the cell's 【待填】. Without child areas, a row says so and is a gap of its own."""
    codes = [p.code for p in block.body if isinstance(p, Placeholder)]
    figures = snapshot.get("figures") or {}
    gaps: list[Gap] = []
    header = (Run(AREA_COLUMN), *(_header_cell(code, figures.get(code) or {}) for code in codes))
    rows: list[tuple[Run, ...]] = []
    areas = child_areas(snapshot)
    if not areas:
        gap = Gap(NO_AREAS["code"], NO_AREAS["name"], "", "missing", None, _CELL_GAP)
        rows.append((Run(gap.marker, gap=gap),))
        gaps.append(gap)
    for area in areas:
        row = [Run(str(area.get("name") or area.get("code") or ""))]
        for code in codes:
            entry = {
                "name": (figures.get(code) or {}).get("name") or code,
                "department": str(area.get("name") or ""),
                "places": (figures.get(code) or {}).get("places"),
                **child_entry(area, code),
            }
            run, found = _cell(code, {"figures": {code: entry}}, block.line)
            if found:
                found = [replace(found[0], code=child_key(code, area))]
                run = replace(run, gap=found[0])
            row.append(run)
            gaps.extend(found)
        rows.append(tuple(row))
    total = [Run(total_label(snapshot))]
    for code in codes:
        run, found = _cell(code, snapshot, block.line)
        total.append(run)
        gaps.extend(found)
    rows.append(tuple(total))
    caption = "".join(i.text for i in block.lead if isinstance(i, Text))
    table = Table(caption, header, tuple(rows))
    return Paragraph("table", _table_runs(table), table), gaps


def _header_cell(code: str, figure: Mapping[str, Any]) -> Run:
    """法律援助案件（件）: the indicator's name and, when it has one, its unit."""
    name = str(figure.get("name") or code)
    unit = str(figure.get("unit") or "").strip()
    return Run(f"{name}（{unit}）" if unit else name)


def _cell(code: str, snapshot: Mapping[str, Any], line: int) -> tuple[Run, list[Gap]]:
    """A figure in a cell: what `_figure_run` prints for ``{code}``, a gap's marker cut short."""
    run, found = _figure_run(Placeholder(code, "plain", line), snapshot, "body")
    gaps = found if isinstance(found, list) else [found] if found is not None else []
    if gaps:
        run = replace(run, text=gaps[0].cell_marker)
    return run, gaps


def _table_runs(table: Table) -> tuple[Run, ...]:
    """The cells in reading order, a tab between cells and a line feed between rows."""
    runs: list[Run] = [Run(table.caption), Run("\n")] if table.caption else []
    for number, row in enumerate((table.header, *table.rows)):
        if number:
            runs.append(Run("\n"))
        for i, cell in enumerate(row):
            runs.extend((Run("\t"), cell) if i else (cell,))
    return tuple(runs)


def render_text(
    template: Template | str, snapshot: Mapping[str, Any], mode: Mode = "final"
) -> RenderedSpeech:
    """Fill the template from the snapshot.

    ``mode="final"`` raises ``MissingFigures`` if any placeholder lacks an
    approved figure; ``mode="draft"`` prints a marker such as
    【待填：受理行政复议案件】 in its place and lists it in ``gaps``.
    """
    if mode not in ("final", "draft"):
        raise ValueError(f"mode must be 'final' or 'draft', not {mode!r}")
    if isinstance(template, str):
        template = parse_template(template)
    paragraphs: list[Paragraph] = []
    gaps: dict[str, Gap] = {}
    counters = [0, 0, 0, 0]
    for block in template.blocks:
        if block.kind == "table":
            paragraph, found = table_paragraph(block, snapshot)
            paragraphs.append(paragraph)
            for gap in found:
                gaps.setdefault(gap.code, gap)
            continue
        runs: list[Run] = []
        if block.kind in HEADING_LEVELS and template.numbering:
            runs.append(Run(heading_number(block.kind, counters)))
        for style, inlines in (("lead", block.lead), ("body", block.body)):
            for item in inlines:
                if isinstance(item, Text):
                    runs.append(Run(item.text, style))
                    continue
                if isinstance(item, LineBreak):
                    runs.append(Run("", "break"))
                    continue
                run, found = _figure_run(item, snapshot, style)
                runs.append(run)
                for gap in found if isinstance(found, list) else [found]:
                    if gap is not None:
                        gaps.setdefault(gap.code, gap)
        runs = _merge(runs)
        if block.kind == "title":
            runs = _break_title(runs)
        paragraphs.append(Paragraph(block.kind, tuple(runs)))
    if mode == "final" and gaps:
        raise MissingFigures(list(gaps.values()))
    return RenderedSpeech(
        tuple(paragraphs),
        tuple(gaps.values()),
        mode,
        str(snapshot.get("district_name") or ""),
        str(snapshot.get("period_label") or snapshot.get("period") or ""),
    )


def _break_title(runs: list[Run]) -> list[Run]:
    """A title without the drafter's ``\\`` gets balanced breaks (see titles.py)."""
    if any(run.style == "break" for run in runs):
        return runs

    text = "".join(run.text for run in runs)
    locked: set[int] = set()
    position = 0
    for run in runs:
        if run.code is not None or run.gap is not None:
            locked.update(range(position + 1, position + len(run.text)))
        position += len(run.text)
    breaks = set(balanced_breaks(text, locked=frozenset(locked)))
    if not breaks:
        return runs
    out: list[Run] = []
    position = 0
    for run in runs:
        start = 0
        for at in sorted(b - position for b in breaks if position <= b < position + len(run.text)):
            if at > start:
                out.append(replace(run, text=run.text[start:at]))
            out.append(Run("", "break"))
            start = at
        out.append(replace(run, text=run.text[start:]) if start else run)
        position += len(run.text)
    return out


def _merge(runs: list[Run]) -> list[Run]:
    """Join neighbouring plain runs of one style: fewer DOCX runs and HTML spans."""
    merged: list[Run] = []
    for run in runs:
        if not run.text and run.style != "break":
            continue
        last = merged[-1] if merged else None
        if (
            last is not None
            and last.style == run.style
            and last.gap is None
            and run.gap is None
            and last.code is None
            and run.code is None
        ):
            merged[-1] = Run(last.text + run.text, run.style)
        else:
            merged.append(run)
    return merged
