"""The speech template markup: a small line-based syntax office staff edit in a textarea.

See docs/template-syntax.md for the user documentation.  One line is one block:

    # 标题                      title (centred, 小标宋)
    > 顶格段落                   paragraph without first-line indent (the salutation)
    ## 小节标题                  section heading (黑体)
    **段首小标题。**正文……      paragraph opening with a run-in sub-heading (楷体)
    正文……                       ordinary paragraph (first line indented two characters)
    // 注释                      ignored
    # 标题上行\\标题下行          in the title, a backslash marks where it breaks
    @章节编号 开                 option: number the sections 一、二、……

and inside any text ``{code}`` or ``{code|filter}`` is a figure, ``{district}``
and ``{period}`` are site values, ``{{`` and ``}}`` are literal braces.

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
}

BlockKind = Literal["title", "flush", "heading", "paragraph"]

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


@dataclass(frozen=True)
class Block:
    kind: BlockKind
    line: int
    body: tuple[Inline, ...]
    # Run-in sub-heading opening a paragraph, printed in 楷体.
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


def _err(line: int, message: str, code: str | None = None) -> TemplateError:
    return TemplateError(line, f"第{line}行：{message}", code)


def parse_inline(text: str, line: int, errors: list[TemplateError]) -> tuple[Inline, ...]:
    """Split text into literal runs and placeholders, collecting brace errors."""
    text = text.translate(_FULLWIDTH_BRACES)
    parts: list[Inline] = []
    literal: list[str] = []
    i = 0
    while i < len(text):
        ch = text[i]
        if ch == "{" and text.startswith("{{", i):
            literal.append("{")
            i += 2
        elif ch == "}" and text.startswith("}}", i):
            literal.append("}")
            i += 2
        elif ch == "}":
            errors.append(_err(line, "多余的“}”（要输出花括号本身请写“}}”）"))
            i += 1
        elif ch == "{":
            end = text.find("}", i + 1)
            nested = text.find("{", i + 1)
            if end == -1 or (nested != -1 and nested < end):
                errors.append(_err(line, "“{”没有对应的“}”（要输出花括号本身请写“{{”）"))
                i += 1
                continue
            placeholder = _parse_placeholder(text[i + 1 : end], line, errors)
            if placeholder is not None:
                if literal:
                    parts.append(Text("".join(literal)))
                    literal = []
                parts.append(placeholder)
            i = end + 1
        else:
            literal.append(ch)
            i += 1
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
    match = re.fullmatch(r"\s*([^\s:：=]+)\s*[:：=]?\s*(\S*)\s*", rest)
    key = _OPTION_NAMES.get(match.group(1)) if match else None
    if key is None:
        errors.append(_err(line, f"未知的选项“@{rest.strip()}”（可用：@章节编号 开/关）"))
        return None
    value = match.group(2).lower()
    if value in _ON:
        return key, True
    if value in _OFF:
        return key, False
    errors.append(_err(line, f"选项“@{match.group(1)}”的值应为“开”或“关”"))
    return None


def _parse_lines(text: str) -> tuple[Template, list[TemplateError]]:
    errors: list[TemplateError] = []
    blocks: list[Block] = []
    numbering = False
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip().lstrip(_LEADING_BLANKS).rstrip()
        if not line or line.startswith("//"):
            continue
        if line.startswith("@"):
            option = _parse_option(line[1:], number, errors)
            if option is not None:
                numbering = option[1]
            continue
        kind: BlockKind
        if line.startswith("##"):
            kind, content = "heading", line[2:]
        elif line.startswith("#"):
            kind, content = "title", line[1:]
        elif line.startswith(">") or line.startswith("＞"):
            kind, content = "flush", line[1:]
        else:
            kind, content = "paragraph", line
        content = content.strip().lstrip(_LEADING_BLANKS)
        if not content:
            errors.append(_err(number, "这一行只有标记，没有内容"))
            continue
        if kind == "title" and any(b.kind == "title" for b in blocks):
            errors.append(_err(number, "只能有一个标题（以“#”开头的行）"))
            continue
        lead: tuple[Inline, ...] = ()
        if content.startswith("**"):
            end = content.find("**", 2)
            if end == -1:
                errors.append(_err(number, "段首小标题缺少结尾的“**”"))
                continue
            if kind not in ("paragraph", "flush"):
                errors.append(_err(number, "段首小标题“**…**”只能用在正文段落中"))
                continue
            lead = parse_inline(content[2:end], number, errors)
            content = content[end + 2 :]
            if not lead:
                errors.append(_err(number, "段首小标题“****”是空的"))
                continue
        if "**" in content:
            errors.append(_err(number, "“**”只能成对用在段首，标出段首小标题"))
            continue
        if kind == "title":
            body_parts: list[Inline] = []
            for i, piece in enumerate(content.split(TITLE_BREAK)):
                if i:
                    body_parts.append(LineBreak())
                body_parts.extend(parse_inline(piece.strip(), number, errors))
            body = tuple(body_parts)
        else:
            body = parse_inline(content, number, errors)
        blocks.append(Block(kind, number, body, lead))
    if not blocks and not errors:
        errors.append(TemplateError(1, "模板是空的：至少需要一段正文"))
    return Template(tuple(blocks), numbering, text), errors


def parse_template(text: str) -> Template:
    """Parse template text; raise ``TemplateSyntaxError`` listing every syntax error."""
    template, errors = _parse_lines(text)
    if errors:
        raise TemplateSyntaxError(errors)
    return template


def validate_template(text: str, known_codes: Iterable[str]) -> list[TemplateError]:
    """All errors of the template, syntax and unknown indicator codes, in line order."""
    template, errors = _parse_lines(text)
    known = set(known_codes)
    for p in template.placeholders():
        if not p.is_site_value and p.code not in known:
            errors.append(_err(p.line, f"未知的指标代码“{p.code}”", p.code))
    return sorted(errors, key=lambda e: e.line)
