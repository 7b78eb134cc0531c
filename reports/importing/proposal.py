"""A proposed template from a document: its figures bound to indicators, for a reviewer.

`propose` reads the paragraphs, finds the figures (finder.py) and binds each to an existing
indicator of the catalogue when the words around it name one (matching.py), otherwise to a
new indicator named from those words. The reviewer then edits the proposal with pure
functions (each returns a new Proposal): `unbind`, `bind`, `rename`, `merge`,
`set_department`. `template_text` is the result in the portal's template syntax; `to_json`
what the review page shows.

No ORM here: the catalogue comes in as plain `CatalogueEntry` values, so this is testable and
safe to run on any upload.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from decimal import Decimal
from fractions import Fraction

from django.core.exceptions import ValidationError

from .finder import Found, Literal, find_numbers
from .matching import (
    Context,
    assign,
    contexts,
    near,
    printed_agreement,
)
from .naming import (
    COUNT,
    DECIMAL,
    MAX_NAME_CHARS,
    PERCENTAGE,
    CatalogueEntry,
    NewIndicator,
    catalogue_forms,
    new_indicator,
    same_named,
    suggest_code,
)
from .reader import (
    BODY,
    ITEM,
    SECTION,
    SUBITEM,
    SUBSECTION,
    TITLE,
    Paragraph,
    refuse_control_characters,
)

UNBOUND_REASON = "审核人改为原文"
HAND_BOUND = "审核人指定"
# Line starts the template syntax reads as markup (reports/rendering/markup.py); a paragraph
# of the document starting so is written as a flush paragraph, whose content is taken as is.
_MARKUP_STARTS = ("#", ">", "＞", "//", "@")
_MAX_SALUTATION_CHARS = 30
# The heading levels and their markup (a second title reads as a level-1 heading).
_HEADING_MARKS = {TITLE: "##", SECTION: "##", SUBSECTION: "###", ITEM: "####", SUBITEM: "#####"}


@dataclass(frozen=True)
class Item:
    """One figure of the document and the indicator it is bound to (None: it stays text)."""

    number: int  # its place among the document's figures, from 0
    paragraph: int
    found: Found
    context: Context
    code: str | None
    new: bool
    score: Fraction = Fraction(0)
    reasons: str = ""  # why it is bound (or why no existing indicator was), for the reviewer
    near: tuple[str, ...] = ()  # codes of the existing indicators most like the words


@dataclass(frozen=True)
class Proposal:
    paragraphs: tuple[Paragraph, ...]
    items: tuple[Item, ...]
    literals: tuple[tuple[int, Literal], ...]  # (paragraph, literal)
    catalogue: tuple[CatalogueEntry, ...] = field(repr=False)
    new_indicators: tuple[NewIndicator, ...] = ()
    # Site values written as {district} / {period} wherever their text appears.
    site_values: tuple[tuple[str, str], ...] = ()
    # The department that reports the new indicators the reviewer gave none (统一选择).
    default_department: str | None = None
    # The period the new indicators are expected from (从…起填报), by code; None: the default.
    first_period: str | None = None
    # The report's own year (2025): written {year} in the body, so next year's build says
    # 2026; `kept_years` are the ones the reviewer keeps as typed, by (paragraph, start).
    year: str = ""
    kept_years: tuple[tuple[int, int], ...] = ()

    # --- reading ---------------------------------------------------------------------------

    def item(self, which: Item | int) -> Item:
        number = which.number if isinstance(which, Item) else which
        if not 0 <= number < len(self.items):
            raise ValidationError("没有这个数字。")
        return self.items[number]

    def bound(self) -> list[Item]:
        return [item for item in self.items if item.code is not None]

    def new_indicator(self, code: str) -> NewIndicator | None:
        return next((n for n in self.new_indicators if n.code == code), None)

    # --- the reviewer's edits ----------------------------------------------------------------

    def unbind(self, which: Item | int) -> Proposal:
        """The figure stays literal text in the template."""
        return self._with_item(replace(self.item(which), code=None, new=False))

    def bind(self, which: Item | int, code: str) -> Proposal:
        """Bind the figure to an existing indicator the reviewer chose."""
        entry = next((e for e in self.catalogue if e.code == code), None)
        if entry is None:
            raise ValidationError(f"指标代码“{code}”不在指标目录中。")
        return self._with_item(replace(self.item(which), code=code, new=False, reasons=HAND_BOUND))

    def merge(self, first: Item | int, second: Item | int) -> Proposal:
        """Two numbers of the document are one indicator: the second takes the first's."""
        a, b = self.item(first), self.item(second)
        if a.code is None:
            raise ValidationError("第一个数字没有对应的指标，不能合并。")
        if (a.found.value, a.found.filter) != (b.found.value, b.found.filter):
            raise ValidationError(
                f"两处数字不同（{a.found.text} 与 {b.found.text}），不能合并为同一指标。"
            )
        return self._with_item(replace(b, code=a.code, new=a.new))

    def rename(self, which: Item | int, name: str) -> Proposal:
        """A new indicator's name (its suggested code follows the name)."""
        indicator = self._new_of(which)
        name = name.strip()
        refuse_control_characters(name)
        if not name:
            raise ValidationError("指标名称不能为空。")
        if len(name) > MAX_NAME_CHARS:
            raise ValidationError(f"指标名称不能超过 {MAX_NAME_CHARS} 个字。")
        taken = {e.code for e in self.catalogue} | {
            n.code for n in self.new_indicators if n.code != indicator.code
        }
        code = suggest_code(name, indicator.section_code, taken)
        renamed = replace(indicator, name=name, code=code)
        indicators = tuple(renamed if n is indicator else n for n in self.new_indicators)
        items = tuple(
            replace(i, code=code) if i.new and i.code == indicator.code else i for i in self.items
        )
        return replace(self, items=items, new_indicators=indicators)

    def set_department(self, which: Item | int, department_code: str | None) -> Proposal:
        """The department that will report a new indicator."""
        indicator = self._new_of(which)
        changed = replace(indicator, department_code=department_code or None)
        indicators = tuple(changed if n is indicator else n for n in self.new_indicators)
        return replace(self, new_indicators=indicators)

    def set_default_department(self, department_code: str | None) -> Proposal:
        """The department of every new indicator left without one."""
        return replace(self, default_department=department_code or None)

    def year_spans(self) -> list[tuple[int, Literal]]:
        """The report's own year in the text (2025年，, 2025年度), not in 《》 nor a range."""
        if not self.year:
            return []
        return [
            (paragraph, literal)
            for paragraph, literal in self.literals
            if literal.reason == "年份"
            and literal.text == self.year
            and (paragraph, literal.start) not in self.kept_years
        ]

    def keep_year(self, paragraph: int, start: int) -> Proposal:
        """This year stays as typed (a date that does not move with the report)."""
        if not any(p == paragraph and lit.start == start for p, lit in self.year_spans()):
            raise ValidationError("这里没有可保留的年份。")
        return replace(self, kept_years=(*self.kept_years, (paragraph, start)))

    def set_first_period(self, period_code: str | None) -> Proposal:
        return replace(self, first_period=period_code or None)

    def set_section(self, which: Item | int, section_code: str | None) -> Proposal:
        """The section (讲话部分) a new indicator goes in; None: the guess at accept."""
        indicator = self._new_of(which)
        changed = replace(indicator, section_code=section_code or None)
        indicators = tuple(changed if n is indicator else n for n in self.new_indicators)
        return replace(self, new_indicators=indicators)

    def hand_bound(self) -> list[Item]:
        """The figures a reviewer bound by hand to an existing indicator."""
        return [i for i in self.items if i.code and not i.new and i.reasons == HAND_BOUND]

    def describe(
        self, which: Item | int, *, unit: str | None = None, value_type: str | None = None
    ) -> Proposal:
        """A new indicator's unit or value type (count, percentage, decimal)."""
        indicator = self._new_of(which)
        changes = {}
        if unit is not None:
            unit = unit.strip()
            refuse_control_characters(unit)
            if len(unit) > 20:
                raise ValidationError("单位不能超过 20 个字。")
            changes["unit"] = unit
        if value_type is not None:
            if value_type not in (COUNT, PERCENTAGE, DECIMAL):
                raise ValidationError(f"未知的数值类型“{value_type}”。")
            changes["value_type"] = value_type
        changed = replace(indicator, **changes)
        indicators = tuple(changed if n is indicator else n for n in self.new_indicators)
        return replace(self, new_indicators=indicators)

    def _new_of(self, which: Item | int) -> NewIndicator:
        item = self.item(which)
        indicator = self.new_indicator(item.code) if item.new and item.code else None
        if indicator is None:
            raise ValidationError("只有新指标可以在这里修改；已有指标请在指标目录中修改。")
        return indicator

    def _with_item(self, changed: Item) -> Proposal:
        items = tuple(changed if i.number == changed.number else i for i in self.items)
        used = {i.code for i in items if i.new}
        # A new indicator no figure is bound to any more is not proposed.
        indicators = tuple(n for n in self.new_indicators if n.code in used)
        return replace(self, items=items, new_indicators=indicators)

    # --- output -----------------------------------------------------------------------------

    def template_text(self) -> str:
        """The document in the portal's template syntax, one paragraph a line."""
        lines: list[str] = []
        has_title = False
        by_paragraph: dict[int, list[tuple[int, int, str]]] = {}
        for item in self.bound():
            suffix = "" if item.found.filter == "plain" else f"|{item.found.filter}"
            by_paragraph.setdefault(item.paragraph, []).append(
                (item.found.start, item.found.end, f"{{{item.code}{suffix}}}")
            )
        for paragraph, literal in self.year_spans():
            by_paragraph.setdefault(paragraph, []).append((literal.start, literal.end, "{year}"))
        for number, paragraph in enumerate(self.paragraphs):
            body = self._paragraph_template(
                paragraph.text, by_paragraph.get(number, []), len(paragraph.lead)
            )
            if paragraph.level == TITLE and not has_title:
                has_title = True
                lines += [f"# {body}", ""]
            elif paragraph.level == BODY and _is_salutation(paragraph.text, number, self):
                lines.append(f"> {body}")
            elif paragraph.level in _HEADING_MARKS:
                # The numbering stays as typed (no @章节编号 开), so the text prints the same.
                lines.append(f"{_HEADING_MARKS[paragraph.level]} {body}")
            elif body.startswith(_MARKUP_STARTS):
                lines.append(f"> {body}")
            else:
                lines.append(body)
        return "\n".join(lines) + "\n"

    def problems(self) -> list[str]:
        """What the template syntax cannot say exactly, for the reviewer to fix by hand."""
        out = []
        for number, paragraph in enumerate(self.paragraphs, start=1):
            if "**" in paragraph.text:
                out.append(f"第{number}段含有“**”，模板中只能用于段首小标题，请手工修改。")
            if paragraph.level == TITLE and "\\" in paragraph.text:
                out.append(f"第{number}段（标题）含有“\\”，模板中表示标题换行。")
            if "｛" in paragraph.text or "｝" in paragraph.text:
                out.append(f"第{number}段的全角花括号将印成半角“{{”“}}”。")
        return out

    def _paragraph_template(
        self, text: str, spans: list[tuple[int, int, str]], lead: int = 0
    ) -> str:
        """The paragraph with its figures as placeholders and, when it has one, its run-in
        sub-heading (the first `lead` characters) between ** and **."""
        chunks: list[tuple[int, int, str | None]] = []  # (start, end, placeholder or None)
        at = 0
        for start, end, placeholder in sorted(spans):
            chunks.append((at, start, None))
            chunks.append((start, end, placeholder))
            at = end
        chunks.append((at, len(text), None))
        if lead and any(p and start < lead < end for start, end, p in chunks):
            lead = 0  # a figure across the sub-heading's end: the syntax cannot say it
        pieces = ["**"] if lead else []
        open_lead = bool(lead)
        for start, end, placeholder in chunks:
            if placeholder is not None:
                pieces.append(placeholder)
            elif open_lead and start < lead < end:
                pieces += [self._literal(text[start:lead]), "**", self._literal(text[lead:end])]
                open_lead = False
            else:
                pieces.append(self._literal(text[start:end]))
            if open_lead and end == lead:
                pieces.append("**")
                open_lead = False
        return "".join(pieces)

    def _literal(self, text: str) -> str:
        text = text.replace("{", "{{").replace("}", "}}")
        for name, value in self.site_values:
            if not value or name == "year":
                continue
            if name == "district" and not value.endswith(("区", "县", "市")):
                # The whole place name only (示范区, 示范区人民政府, 法治示范建设), never a
                # word inside another name (省级法治建设示范乡镇).
                place = re.escape(value)
                text = re.sub(f"{place}(?=[区县])|(?<=法治){place}(?=建设)", f"{{{name}}}", text)
            else:
                text = text.replace(value, f"{{{name}}}")
        return text

    def to_json(self) -> dict:
        figures = [
            {
                "code": item.code,
                "value": str(item.found.value),
                "filter": item.found.filter,
                "text": item.found.clause,
                "new": item.new,
                "reasons": item.reasons,
            }
            for item in self.bound()
        ]
        literals = [
            {"text": literal.text, "reason": literal.reason, "clause": literal.clause}
            for _, literal in self.literals
        ] + [
            {"text": i.found.text, "reason": UNBOUND_REASON, "clause": i.found.clause}
            for i in self.items
            if i.code is None
        ]
        indicators = [
            {
                "code": n.code,
                "name": n.name,
                "unit": n.unit,
                "value_type": n.value_type,
                "department_code": n.department_code,
                "section_code": n.section_code,
            }
            for n in self.new_indicators
        ]
        return {"figures": figures, "literals": literals, "indicators": indicators}


def _is_salutation(text: str, number: int, proposal: Proposal) -> bool:
    """尊敬的各位领导，同志们： — the speech's first words after the title, set flush left."""
    before = proposal.paragraphs[:number]
    return (
        all(p.level == TITLE for p in before)
        and text.endswith(("：", ":"))
        and len(text) <= _MAX_SALUTATION_CHARS
    )


def propose(
    paragraphs: Iterable[Paragraph],
    catalogue: Iterable[CatalogueEntry],
    *,
    site_values: Mapping[str, str] | None = None,
    known: Mapping[str, Decimal | None] | None = None,
) -> Proposal:
    """The proposal for the document; `site_values` ({"district": "示范"}) are written as
    their placeholders wherever their text appears; `known` are the values the period the
    text reports on already has (by code), which decide between indicators of like names."""
    paragraphs = tuple(paragraphs)
    catalogue = tuple(catalogue)
    found, literals = _find_figures(paragraphs)
    forms = catalogue_forms(catalogue)
    agrees = printed_agreement(dict(known)) if known else None
    chosen = assign([(f, c) for _, f, c in found], forms, agrees)
    by_code = {e.code: e for e in catalogue}
    taken = {e.code for e in catalogue}
    counters: dict[str, int] = {}
    new_indicators: dict[tuple, NewIndicator] = {}
    items = []
    # One indicator, one number: what each code already shows.
    shows = {
        forms[c.index].code: (f.value, f.filter)
        for (_, f, _), c in zip(found, chosen, strict=True)
        if c is not None
    }
    for number, ((paragraph, figure, context), choice) in enumerate(
        zip(found, chosen, strict=True)
    ):
        if choice is not None:
            entry = by_code[forms[choice.index].code]
            bound = Item(number, paragraph, figure, context, entry.code, False, choice.score)
            items.append(replace(bound, reasons=choice.reasons))
            continue
        indicator = new_indicator(figure, context, catalogue, taken, counters)
        # An existing indicator of that very name (or alias) and unit is that indicator.
        same = same_named(indicator.name, figure.unit, catalogue)
        shown = (figure.value, figure.filter)
        if same is not None and shows.setdefault(same.code, shown) == shown:
            bound = Item(number, paragraph, figure, context, same.code, False, Fraction(1))
            items.append(replace(bound, reasons="与已有指标同名；单位一致"))
            continue
        # The same words and number again are the same new indicator.
        key = (indicator.name, indicator.unit, figure.value, figure.filter)
        if key not in new_indicators:
            new_indicators[key] = indicator
            taken.add(indicator.code)
        nearby = tuple(near(context, figure, forms))
        items.append(_unbound(number, paragraph, figure, context, new_indicators[key].code, nearby))
    values = tuple(sorted((site_values or {}).items(), key=lambda kv: (-len(kv[1]), kv[0])))
    return Proposal(
        paragraphs,
        tuple(items),
        tuple(literals),
        catalogue,
        tuple(new_indicators.values()),
        values,
        year=(site_values or {}).get("year", ""),
    )


def _find_figures(paragraphs) -> tuple[list[tuple[int, Found, Context]], list]:
    """Every figure of the document with its context, by paragraph number, and the numbers
    left as written (literals)."""
    found: list[tuple[int, Found, Context]] = []
    literals: list[tuple[int, Literal]] = []
    for number, paragraph in enumerate(paragraphs):
        figures, left = find_numbers(paragraph.text)
        found.extend(
            (number, f, c) for f, c in zip(figures, contexts(paragraph.text, figures), strict=True)
        )
        literals.extend((number, literal) for literal in left)
    return found, literals


def _unbound(number, paragraph, figure, context, code, nearby) -> Item:
    """A figure bound to a new indicator: the catalogue has none of that meaning."""
    return Item(
        number,
        paragraph,
        figure,
        context,
        code,
        True,
        Fraction(0),
        "目录中没有含义相同的指标",
        nearby,
    )
