"""The speech template markup: a small line-based syntax office staff edit in a textarea.

See docs/template-syntax.md for the user documentation.  One line is one block:

    # 标题                      title (centred, 小标宋)
    > 顶格段落                   paragraph without first-line indent (the salutation)
    ## 小节标题                  section heading, level 1 一、 (黑体)
    ### 二级标题                 level 2 （一） (楷体)
    #### 三级标题                level 3 1. (仿宋)
    ##### 四级标题               level 4 （1） (仿宋)
    **段首小标题。**正文……      paragraph opening with a run-in sub-heading (楷体)
    正文……                       ordinary paragraph (first line indented two characters)
    // 注释                      ignored
    # 标题上行\\标题下行          in the title, a backslash marks where it breaks
    @章节编号 开                 option: number the headings 一、（一）1.（1） per level
    @对比表 标题 {a} {b} {c}      comparison table: a row per child area, a column per code

and inside any text ``{code}`` or ``{code|filter}`` is a figure, ``{district}``,
``{period}`` (2025年度) and ``{year}`` (2025) are site values, ``{{`` and ``}}`` are literal braces.

The parser is deliberately not the Django template language: a template can
reach nothing but the snapshot it is rendered with.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Literal

from .filters import DEFAULT_FILTER, FILTERS

# Site values a template may name besides indicator codes; both come from the
# snapshot, so a rendered document never depends on anything read later.
SITE_VALUES: dict[str, str] = {
    "district": "区县名称（DISTRICT_NAME）",
    "period": "报告期",
    # The period's year alone, for sentences such as “{year}年，全区……”: what 本年度沿用上年文稿
    # writes in place of last year's own year (reports.carry_over).
    "year": "报告期年份",
}

BlockKind = Literal[
    "title", "flush", "heading", "heading2", "heading3", "heading4", "paragraph", "table"
]

# The heading markers, longest first, and the level each stands for (GB/T 9704's 结构层次
# 一、 （一） 1. （1）). "heading" is level 1, as it always was.
HEADING_MARKERS: tuple[tuple[str, BlockKind], ...] = (
    ("#####", "heading4"),
    ("####", "heading3"),
    ("###", "heading2"),
    ("##", "heading"),
)
HEADING_LEVELS: dict[str, int] = {"heading": 1, "heading2": 2, "heading3": 3, "heading4": 4}

_CODE_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
# Staff typing with a Chinese IME in full-width mode get ｛｝｜; treating them
# as the ASCII characters spares them an error they could not see.
_FULLWIDTH_BRACES = str.maketrans({"｛": "{", "｝": "}"})
_FULLWIDTH_PIPE = str.maketrans({"｜": "|"})
# In the title only: where a two-line title breaks (GB/T 9704 wants the break
# where the meaning allows, which no program can guess).
TITLE_BREAK = "\\"
# Leading blanks are indentation staff may type by habit (including the
# ideographic space); indentation is the renderer's job, so they are dropped.
_LEADING_BLANKS = " \t\u3000"
_OPTION_NAMES = {"章节编号": "numbering", "numbering": "numbering"}
_OPTION_SEPARATORS = ":：="
# One greedy run of a single character class: it cannot backtrack.
_OPTION_NAME = re.compile(r"[^\s:：=]*")
# Inline text as tokens: escaped braces, a placeholder (no brace inside), a lone brace, or a
# run of text without braces. Each alternative is a literal or one character class ended
# by a brace, so the scan is linear whatever the input (a run of "{" without "}" included).
_INLINE_TOKEN = re.compile(r"\{\{|\}\}|\{[^{}]*\}|[{}]|[^{}]+")
# What a DOCX/PDF cannot carry: C0 controls but tab, LF and CR; DEL and C1; lone
# surrogates; the non-characters U+FFFE and U+FFFF.
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
# A template with more errors than this is listed up to here: nobody reads 50,000 of them,
# and collecting them all would cost the preview its speed.
MAX_ERRORS = 100
# A title is at most this many characters (four lines of 二号 in the 156 mm line): its
# balanced breaking (titles.py) is bounded by the title's length, and no real title is longer.
MAX_TITLE_CHARS = 80
# The comparison table (各区主要指标对比): `@对比表 标题 {code1} {code2}`. Its columns share
# the 156 mm text width with the area names' column: at 小四 six indicator columns of about
# 21 mm (five characters a line) are the most a header can be read in.
TABLE_KEYWORDS = ("@对比表", "＠对比表")
MAX_TABLE_COLUMNS = 6
# The caption is one line of 三号 above the table.
MAX_TABLE_CAPTION_CHARS = 28
# What may stand between a table's columns: blanks and the list separators an IME types.
_TABLE_SEPARATORS = " \t\u3000、，,；;|｜"
_ON = {"开", "是", "on", "yes", "true", "1"}
_OFF = {"关", "否", "off", "no", "false", "0"}


@dataclass(frozen=True)
class TemplateError:
    line: int
    message: str
    code: str | None = None

    def __str__(self) -> str:
        return self.message


class TemplateSyntaxError(ValueError):
    def __init__(self, errors: list[TemplateError]):
        self.errors = errors
        super().__init__("；".join(e.message for e in errors))


@dataclass(frozen=True)
class Text:
    text: str


@dataclass(frozen=True)
class LineBreak:
    """A forced line break (titles only)."""


@dataclass(frozen=True)
class Placeholder:
    code: str
    filter: str
    line: int

    @property
    def is_site_value(self) -> bool:
        return self.code in SITE_VALUES


Inline = Text | Placeholder | LineBreak
_LINE_BREAK = LineBreak()


@dataclass(frozen=True)
class Block:
    kind: BlockKind
    line: int
    # A table's body is its columns' placeholders, in order.
    body: tuple[Inline, ...]
    # Run-in sub-heading opening a paragraph, printed in 楷体; a table's caption.
    lead: tuple[Inline, ...] = ()


@dataclass(frozen=True)
class Template:
    blocks: tuple[Block, ...]
    numbering: bool = False
    source: str = field(default="", repr=False, compare=False)

    def placeholders(self) -> list[Placeholder]:
        """Every placeholder in reading order (repeats included)."""
        found = []
        for block in self.blocks:
            found.extend(i for i in (*block.lead, *block.body) if isinstance(i, Placeholder))
        return found

    def codes(self) -> list[str]:
        """Indicator codes in order of first use, site values excluded."""
        seen: dict[str, None] = {}
        for p in self.placeholders():
            if not p.is_site_value:
                seen.setdefault(p.code, None)
        return list(seen)

    def table_codes(self) -> list[str]:
        """The codes of the comparison tables' columns, in order of first use: the figures
        a snapshot needs for each child area (``snapshot["areas"]``)."""
        seen: dict[str, None] = {}
        for block in self.blocks:
            if block.kind == "table":
                seen.update((p.code, None) for p in block.body if isinstance(p, Placeholder))
        return list(seen)


def _err(line: int, message: str, code: str | None = None) -> TemplateError:
    return TemplateError(line, f"第{line}行：{message}", code)


def parse_inline(text: str, line: int, errors: list[TemplateError]) -> tuple[Inline, ...]:
    """Split text into literal runs and placeholders, collecting brace errors."""
    text = text.translate(_FULLWIDTH_BRACES)
    if "{" not in text and "}" not in text:
        return (Text(text),) if text else ()
    parts: list[Inline] = []
    literal: list[str] = []
    for token in _INLINE_TOKEN.findall(text):
        if len(errors) > MAX_ERRORS:
            break
        if token == "{{":
            literal.append("{")
        elif token == "}}":
            literal.append("}")
        elif token == "}":
            errors.append(_err(line, "多余的“}”（要输出花括号本身请写“}}”）"))
        elif token == "{":
            # A "{" before the next "}", or none at all: this brace is not a placeholder's.
            errors.append(_err(line, "“{”没有对应的“}”（要输出花括号本身请写“{{”）"))
        elif token[0] == "{":
            placeholder = _parse_placeholder(token[1:-1], line, errors)
            if placeholder is not None:
                if literal:
                    parts.append(Text("".join(literal)))
                    literal = []
                parts.append(placeholder)
        else:
            literal.append(token)
    if literal:
        parts.append(Text("".join(literal)))
    return tuple(parts)


def _parse_placeholder(inner: str, line: int, errors: list[TemplateError]) -> Placeholder | None:
    pieces = [p.strip() for p in inner.translate(_FULLWIDTH_PIPE).split("|")]
    code = pieces[0]
    if not code:
        errors.append(_err(line, f"占位符“{{{inner}}}”缺少指标代码"))
        return None
    if not _CODE_RE.match(code):
        errors.append(_err(line, f"占位符“{{{inner}}}”中的指标代码“{code}”格式不正确", code))
        return None
    if len(pieces) > 2:
        errors.append(_err(line, f"占位符“{{{inner}}}”只能带一个格式", code))
        return None
    name = pieces[1] if len(pieces) == 2 else DEFAULT_FILTER
    if name not in FILTERS:
        available = "、".join(FILTERS)
        errors.append(_err(line, f"未知的格式“{name}”（可用：{available}）", code))
        return None
    if code in SITE_VALUES and len(pieces) == 2:
        errors.append(_err(line, f"“{{{code}}}”是站点值，不能加格式“{name}”", code))
        return None
    return Placeholder(code, name, line)


def _parse_option(rest: str, line: int, errors: list[TemplateError]) -> tuple[str, bool] | None:
    """``@name value``, ``@name：value`` or ``@name=value``; read by splitting, not by a
    regex, so that a long run of blanks costs one pass (it once cost cubic time)."""
    text = rest.strip()
    name = _OPTION_NAME.match(text).group()
    value = text[len(name) :].lstrip()
    if value[:1] in _OPTION_SEPARATORS and value:
        value = value[1:].lstrip()
    key = _OPTION_NAMES.get(name)
    if key is None or any(ch.isspace() for ch in value):
        shown = text if len(text) <= 40 else text[:40] + "…"
        errors.append(_err(line, f"未知的选项“@{shown}”（可用：@章节编号 开/关）"))
        return None
    value = value.lower()
    if value in _ON:
        return key, True
    if value in _OFF:
        return key, False
    errors.append(_err(line, f"选项“@{name}”的值应为“开”或“关”"))
    return None


def _control_characters(text: str) -> list[TemplateError]:
    """One error per line holding characters a document cannot carry (C0 and C1 controls
    other than tab and line ends, DEL, lone surrogates, U+FFFE/U+FFFF): the DOCX and PDF
    writers refuse them, so a template holding one would fail every job. Lines are counted
    by line feeds, as the textarea shows them."""
    if _CONTROL_RE.search(text) is None:
        return []
    errors = []
    for number, line in enumerate(text.split("\n"), start=1):
        found = sorted(set(_CONTROL_RE.findall(line)))
        if found:
            names = "、".join(f"U+{ord(ch):04X}" for ch in found[:3])
            errors.append(
                TemplateError(
                    number, f"第{number}行含有不可见的控制字符（{names}），请删除后再保存。"
                )
            )
            if len(errors) > MAX_ERRORS:
                break
    return errors


def _parse_lines(text: str) -> tuple[Template, list[TemplateError]]:
    errors = _control_characters(text)
    if errors:
        # Some of them end a line for str.splitlines (\x0b, \x1c, \x85 …), so the line
        # numbers of any further error could disagree with the textarea's: these first.
        return Template((), False, text), errors
    blocks: list[Block] = []
    numbering = False
    has_title = False
    for number, raw in enumerate(text.splitlines(), start=1):
        if len(errors) > MAX_ERRORS:
            break
        line = raw.strip().lstrip(_LEADING_BLANKS).rstrip()
        if not line or line.startswith("//"):
            continue
        table = _table_rest(line)
        if table is not None:
            block = _parse_table(table, number, errors)
            if block is not None:
                blocks.append(block)
            continue
        if line.startswith("@"):
            option = _parse_option(line[1:], number, errors)
            if option is not None:
                numbering = option[1]
            continue
        kind, content = _kind_of(line)
        content = content.strip().lstrip(_LEADING_BLANKS)
        if not content:
            errors.append(_err(number, "这一行只有标记，没有内容"))
            continue
        if kind == "title":
            if has_title:
                errors.append(_err(number, "只能有一个标题（以“#”开头的行）"))
                continue
            has_title = True
        split = _split_lead(content, kind, number, errors)
        if split is None:
            continue
        lead, content = split
        if "**" in content:
            errors.append(_err(number, "“**”只能成对用在段首，标出段首小标题"))
            continue
        if kind == "title":
            body = _title_body(content, number, errors)
            if body is None:
                continue
        else:
            body = parse_inline(content, number, errors)
        blocks.append(Block(kind, number, body, lead))
    if not blocks and not errors:
        errors.append(TemplateError(1, "模板是空的：至少需要一段正文"))
    return Template(tuple(blocks), numbering, text), errors


def _table_rest(line: str) -> str | None:
    """What follows ``@对比表`` (None: the line is no table): the keyword must end there,
    so that ``@对比表格`` is still refused as an unknown option."""
    for keyword in TABLE_KEYWORDS:
        if line.startswith(keyword):
            rest = line[len(keyword) :]
            if not rest or rest[0] in _LEADING_BLANKS or rest[0] in _OPTION_SEPARATORS + "{｛":
                return rest
    return None


def _parse_table(rest: str, number: int, errors: list[TemplateError]) -> Block | None:
    """``@对比表 标题 {a} {b}``: the caption (the text before the first brace, optional), then
    the columns, one placeholder each, apart by blanks or 、，；|. One pass over the line's
    tokens, as for any text. The block is kept with the columns that read well, so that
    validate_template also names their unknown codes."""
    text = rest.translate(_FULLWIDTH_BRACES).strip(_LEADING_BLANKS)
    if text[:1] in _OPTION_SEPARATORS:
        text = text[1:]
    start = text.find("{")
    caption = (text if start < 0 else text[:start]).strip(_TABLE_SEPARATORS + ":：")
    if "}" in caption:
        errors.append(_err(number, "对比表的标题中有多余的“}”"))
    if len(caption) > MAX_TABLE_CAPTION_CHARS:
        too_long = f"最多 {MAX_TABLE_CAPTION_CHARS} 个字，现有 {len(caption)} 个字"
        errors.append(_err(number, f"对比表的标题太长：{too_long}"))
    columns = _table_columns(text, start, number, errors) if start >= 0 else []
    if len(columns) > MAX_TABLE_COLUMNS:
        too_many = f"最多 {MAX_TABLE_COLUMNS} 列指标，现有 {len(columns)} 列（版心只有 156 毫米宽）"
        errors.append(_err(number, f"对比表{too_many}；请分成两张表"))
    if start < 0:  # (with a brace, a line without columns has had its error)
        errors.append(_err(number, "对比表没有指标：请写出各列的指标，如“@对比表 {代码1} {代码2}”"))
    if not columns:
        return None
    return Block("table", number, tuple(columns), (Text(caption),) if caption else ())


def _table_columns(text: str, start: int, number: int, errors: list[TemplateError]):
    """The placeholders of a table line from `start` (its first brace), each checked as a
    column: an indicator (no site value), printed as it is (no filter), once."""
    columns: list[Placeholder] = []
    seen: set[str] = set()
    for token in _INLINE_TOKEN.findall(text, start):
        if len(errors) > MAX_ERRORS:
            break
        if token[0] not in "{}":
            if token.strip(_TABLE_SEPARATORS):
                shown = token.strip() if len(token.strip()) <= 20 else token.strip()[:20] + "…"
                errors.append(
                    _err(number, f"对比表的各列之间只能用空格或顿号分开，不能写“{shown}”")
                )
            continue
        if len(token) < 2 or token in ("{{", "}}"):
            errors.append(_err(number, f"对比表中有多余的“{token}”：每一列写成“{{指标代码}}”"))
            continue
        column = _parse_placeholder(token[1:-1], number, errors)
        if column is None:
            continue
        if column.is_site_value:
            message = f"“{{{column.code}}}”是站点值，不能作为对比表的一列"
            errors.append(_err(number, message, column.code))
        elif column.filter != DEFAULT_FILTER:
            message = f"对比表中的“{token}”不能加格式：表中的数一律按原数显示，单位写在表头"
            errors.append(_err(number, message, column.code))
        elif column.code in seen:
            errors.append(_err(number, f"对比表中指标“{column.code}”重复", column.code))
        else:
            seen.add(column.code)
            columns.append(column)
    return columns


def _kind_of(line: str) -> tuple[BlockKind, str]:
    """The block a line starts (by its marker) and the rest of the line."""
    marker = next((m for m in HEADING_MARKERS if line.startswith(m[0])), None)
    if marker is not None:
        return marker[1], line[len(marker[0]) :]
    if line.startswith("#"):
        return "title", line[1:]
    if line.startswith(">") or line.startswith("＞"):
        return "flush", line[1:]
    return "paragraph", line


def _split_lead(content: str, kind: BlockKind, number: int, errors: list):
    """(the paragraph's lead "**…**", the rest), or None when the lead is wrong (in
    `errors`)."""
    lead: tuple[Inline, ...] = ()
    if content.startswith("**"):
        end = content.find("**", 2)
        if end == -1:
            errors.append(_err(number, "段首小标题缺少结尾的“**”"))
            return None
        if kind not in ("paragraph", "flush"):
            errors.append(_err(number, "段首小标题“**…**”只能用在正文段落中"))
            return None
        lead = parse_inline(content[2:end], number, errors)
        content = content[end + 2 :]
        if not lead:
            errors.append(_err(number, "段首小标题“****”是空的"))
            return None
    return lead, content


def _title_body(content: str, number: int, errors: list) -> tuple | None:
    """The title's inlines, its parts joined by line breaks; None when it is too long."""
    title_length = len(content.replace(TITLE_BREAK, "").strip())
    if title_length > MAX_TITLE_CHARS:
        errors.append(
            _err(number, f"标题太长：最多 {MAX_TITLE_CHARS} 个字，现有 {title_length} 个字")
        )
        return None
    body_parts: list[Inline] = []
    for i, piece in enumerate(content.split(TITLE_BREAK)):
        if i:
            body_parts.append(_LINE_BREAK)
        body_parts.extend(parse_inline(piece.strip(), number, errors))
    return tuple(body_parts)


def _at_most(errors: list[TemplateError]) -> list[TemplateError]:
    """The first MAX_ERRORS errors in line order, and a last one saying there are more."""
    errors = sorted(errors, key=lambda e: e.line)
    if len(errors) <= MAX_ERRORS:
        return errors
    kept = errors[:MAX_ERRORS]
    more = f"错误较多，只列出了前{MAX_ERRORS}处；请改正后再检查一次。"
    return [*kept, TemplateError(kept[-1].line, more)]


def parse_template(text: str) -> Template:
    """Parse template text; raise ``TemplateSyntaxError`` listing its syntax errors (at most
    MAX_ERRORS of them)."""
    template, errors = _parse_lines(text)
    if errors:
        raise TemplateSyntaxError(_at_most(errors))
    return template


def validate_template(text: str, known_codes: Iterable[str]) -> list[TemplateError]:
    """The errors of the template, syntax and unknown indicator codes, in line order (at most
    MAX_ERRORS of them, then one saying there are more). Time is linear in the length of
    the text, whatever it holds."""
    template, errors = _parse_lines(text)
    known = set(known_codes)
    for p in template.placeholders():
        if len(errors) > MAX_ERRORS:
            break
        if not p.is_site_value and p.code not in known:
            errors.append(_err(p.line, f"未知的指标代码“{p.code}”", p.code))
    return _at_most(errors)
