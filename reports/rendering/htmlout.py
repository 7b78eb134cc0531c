"""RenderedSpeech → HTML, shared by the browser preview and the PDF."""

from __future__ import annotations

import re
from dataclasses import replace
from functools import lru_cache
from html import escape
from pathlib import Path

from .speech import Paragraph, RenderedSpeech, Run, Table

# Punctuation a 楷体 run takes from the body face (see speech.css, .lead .punct).
_PUNCT_RE = re.compile(r"([\u3000-\u303f\uff00-\uffef\u2010-\u2027\u00b7]+)")

# Chinese line breaking that Pango's UAX #14 gets wrong: a break is fine before
# an opening mark and after a closing quote, but never where it would put a
# closing mark at a line start or an opening mark at a line end.
_OPENING = set("“‘《（「『〔【")
_CLOSING_QUOTES = set("”’")
_NO_LINE_START = set("。，、；：！？」』）》〕】”’…—·%％")
ZWSP = "\u200b"

_TAGS = {
    "title": "h1",
    "heading": "h2",
    "heading2": "h3",
    # The third and fourth levels run on into their paragraph's text: paragraphs, without
    # the user agent's `break-after: avoid` of h4/h5, which chained them onto the next page.
    "heading3": "p",
    "heading4": "p",
    "flush": "p",
    "paragraph": "p",
}
_CLASSES = {
    "title": "title",
    "heading": "section",
    "heading2": "section2",
    "heading3": "section3",
    "heading4": "section4",
    "flush": "flush",
    "paragraph": "body",
}
# What the draft cover calls the finished document, by layout.
_FINISHED = {"speech": "正式讲话稿", "report": "正式文稿"}


@lru_cache(maxsize=1)
def stylesheet() -> str:
    """speech.css: the portal may also serve this file as a static asset."""
    return (Path(__file__).with_name("speech.css")).read_text(encoding="utf-8")


def break_hints(text: str, before: str = "") -> str:
    """Insert U+200B where Chinese allows a line break that Pango does not see."""
    out: list[str] = []
    previous = before
    for ch in text:
        if previous and previous not in _OPENING and not previous.isspace():
            if ch in _OPENING or (previous in _CLOSING_QUOTES and ch not in _NO_LINE_START):
                out.append(ZWSP)
        out.append(ch)
        previous = ch
    return "".join(out)


def _with_hints(paragraph: Paragraph) -> Paragraph:
    runs = []
    previous = ""
    for run in paragraph.runs:
        if run.text:
            run = replace(run, text=break_hints(run.text, previous[-1:]))
            previous = run.text
        runs.append(run)
    return replace(paragraph, runs=tuple(runs))


def _run_html(run: Run) -> str:
    if run.style == "break":
        return "<br>"
    text = escape(run.text, quote=False)
    if run.gap is not None:
        title = escape(f"{run.gap.name}：{run.gap.reason_label}")
        return f'<mark class="gap gap-{run.gap.reason}" data-code="{escape(run.gap.code)}" title="{title}">{text}</mark>'
    if run.style == "lead":
        text = _PUNCT_RE.sub(r'<span class="punct">\1</span>', text)
    if run.code is not None:
        title = f' title="{escape(run.label)}"' if run.label else ""
        text = f'<span class="figure" data-code="{escape(run.code)}"{title}>{text}</span>'
    return text


def _paragraph_html(paragraph: Paragraph) -> str:
    parts: list[str] = []
    lead: list[str] = []
    for run in paragraph.runs:
        (lead if run.style == "lead" else parts).append(_run_html(run))
    if lead:
        parts.insert(0, f'<span class="lead">{"".join(lead)}</span>')
    tag = _TAGS[paragraph.kind]
    return f'<{tag} class="{_CLASSES[paragraph.kind]}">{"".join(parts)}</{tag}>'


def _table_html(table: Table, hints: bool) -> str:
    """A comparison table: its caption, the header row (repeated on each page it spans), a
    row per child area and the report area's own last."""

    def cell(tag: str, run: Run, attributes: str = "") -> str:
        if hints and run.text:
            run = replace(run, text=break_hints(run.text))
        return f"<{tag}{attributes}>{_run_html(run)}</{tag}>"

    columns = len(table.header)
    # A paragraph kept with the table (break-after: avoid), not a <caption>: WeasyPrint
    # left a <caption> alone at the foot of a page with the table on the next.
    caption = cell("p", Run(table.caption), ' class="caption"') if table.caption else ""
    head = "".join(cell("th", run, ' scope="col"') for run in table.header)
    rows = []
    for number, row in enumerate(table.rows, start=1):
        if len(row) == 1:  # spans the table: the notice of a snapshot without child areas
            cells = cell("td", row[0], f' colspan="{columns}" class="notice"')
        else:
            cells = cell("th", row[0], ' scope="row"') + "".join(cell("td", r) for r in row[1:])
        total = ' class="total"' if number == len(table.rows) else ""
        rows.append(f"<tr{total}>{cells}</tr>")
    cols = '<col class="area">' + '<col class="figure">' * (columns - 1)
    return (
        f'<div class="comparison">{caption}<table><colgroup>{cols}</colgroup>'
        f"<thead><tr>{head}</tr></thead>\n<tbody>\n" + "\n".join(rows) + "\n</tbody></table></div>"
    )


def _cover_html(speech: RenderedSpeech, layout: str = "speech") -> str:
    rows = "\n".join(
        f'<tr><td class="number">{i}</td><td>{escape(g.name)}</td>'
        f"<td>{escape(g.department or '—')}</td><td>{escape(g.reason_label)}</td></tr>"
        for i, g in enumerate(speech.gaps, start=1)
    )
    period = f"{escape(speech.period_label)}，" if speech.period_label else ""
    if speech.gaps:
        summary = (
            f"<p>本稿为草稿（{period}按当前数据生成），不得作为{_FINISHED[layout]}印发。"
            f"以下{len(speech.gaps)}项数据尚未填报或尚未审核通过，正文中以"
            "醒目的【待填：…】或【待审：…】标出，请相关单位补齐后再生成定稿。</p>"
        )
        table = (
            '<table><colgroup><col class="number"><col class="indicator">'
            '<col class="department"><col class="reason"></colgroup><thead><tr><th>序号</th><th>指标</th><th>责任单位</th><th>情况</th></tr></thead>'
            f"<tbody>\n{rows}\n</tbody></table>"
        )
    else:
        summary = (
            f"<p>本稿为草稿（{period}按当前数据生成）。所有数据均已审核通过，可以生成定稿。</p>"
        )
        table = ""
    return f'<section class="draft-cover"><h1>草稿说明</h1>{summary}{table}</section>'


def speech_body_html(
    speech: RenderedSpeech,
    *,
    cover: bool = True,
    body: bool = True,
    break_hints: bool = False,
    layout: str = "speech",
) -> str:
    """The cover (drafts only) and the speech, without <html>/<head>: for embedding.

    ``break_hints`` adds U+200B line-break opportunities for WeasyPrint; browsers
    break Chinese correctly by themselves and copied text should stay clean.
    """
    parts = []
    if cover and speech.mode == "draft":
        parts.append(_cover_html(speech, layout))
    if body:
        paragraphs = "\n".join(
            _table_html(p.table, break_hints)
            if p.table is not None
            else _paragraph_html(_with_hints(p) if break_hints else p)
            for p in speech.paragraphs
        )
        # The speech keeps its markup as it always was; other layouts name themselves.
        classes = "speech" if layout == "speech" else f"speech layout-{layout}"
        parts.append(f'<article class="{classes}" lang="zh-CN">\n{paragraphs}\n</article>')
    return "\n".join(parts)


def document_html(
    speech: RenderedSpeech,
    font_css: str,
    *,
    cover: bool = True,
    body: bool = True,
    blank_page: bool = False,
    break_hints: bool = False,
    preview: bool = False,
    inline_style: bool = True,
    layout: str = "speech",
) -> str:
    """A complete HTML document.  The PDF renders cover and speech as separate
    documents so that the speech's page numbers start at — 1 —.

    ``inline_style=False`` leaves out the <style> (speech.css and ``font_css``):
    the PDF passes them as a stylesheet parsed once per process instead."""
    title = escape(speech.title or ("讲话稿" if layout == "speech" else "报告"))
    if speech.mode == "draft":
        title += "（草稿）"
    content = speech_body_html(
        speech, cover=cover, body=body, break_hints=break_hints, layout=layout
    )
    if blank_page:
        content += '\n<div class="blank-page"></div>'
    style = f"<style>\n{stylesheet()}\n{font_css}\n</style>" if inline_style else ""
    if preview:
        # Screen-only styling in speech.css draws the page on a grey desk.
        content = f'<div class="speech-preview">\n{content}\n</div>'
    return (
        '<!DOCTYPE html>\n<html lang="zh-CN"><head><meta charset="utf-8">'
        f"<title>{title}</title>\n{style}</head>\n"
        f'<body class="mode-{speech.mode}">\n{content}\n</body></html>\n'
    )
