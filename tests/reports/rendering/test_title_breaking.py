"""Balanced title breaking is bounded (issue 21, case 2): by dynamic programming it finds the
same breaks as trying every combination did, in steps growing polynomially with the title's
length; a template whose title is longer than MAX_TITLE_CHARS is refused on save."""

import itertools
import random

import pytest

from reports.models import ReportTemplate, TemplateVersion
from reports.rendering.markup import MAX_TITLE_CHARS
from reports.rendering.titles import (
    TITLE_LINE_CHARS,
    _allowed,
    balanced_breaks,
    word_boundaries,
)
from tests.steps import steps_of

WORDS = [
    "关于", "全区", "法治政府", "建设", "情况", "和", "下一步", "工作", "安排", "的", "报告",
    "依法行政", "推进会", "上", "讲话", "示范", "创建", "2025年度", "行政复议", "与", "及",
    "（", "）", "《", "》", "，", "规范性文件", "备案审查", "人民政府",
]  # fmt: skip


def by_every_combination(text, line_chars=TITLE_LINE_CHARS, locked=frozenset()):
    """The former search over every combination of breaks: the reference for short titles."""
    length = len(text)
    if length <= line_chars:
        return ()
    boundaries, particles = word_boundaries(text)
    candidates = [at for at in boundaries if _allowed(text, at, particles, locked)]
    lines_needed = -(-length // line_chars)
    fallback = None
    for lines in range(lines_needed, lines_needed + 2):
        best = None
        for cut in itertools.combinations(candidates, lines - 1):
            edges = (0, *cut, length)
            widths = [b - a for a, b in zip(edges, edges[1:], strict=False)]
            if max(widths) > line_chars:
                continue
            spread = max(widths) - min(widths)
            zigzag = sum(
                1
                for a, b, c in zip(widths, widths[1:], widths[2:], strict=False)
                if (b - a) * (c - b) < 0 and b < max(a, c)
            )
            key = (spread > max(widths) / 3, zigzag, spread, [-w for w in widths])
            if best is None or key < best[0]:
                best = (key, cut)
        if best is not None and not best[0][0]:
            return best[1]
        if fallback is None:
            fallback = best
    return fallback[1] if fallback is not None else ()


def generated_titles(count, shortest, longest, seed):
    rng = random.Random(seed)
    titles = []
    while len(titles) < count:
        text = ""
        target = rng.randint(shortest, longest)
        while len(text) < target:
            text += rng.choice(WORDS)
        titles.append(text)
    return titles


@pytest.mark.parametrize("title", generated_titles(60, 21, 58, seed=21))
def test_the_breaks_are_those_every_combination_would_choose(title):
    assert balanced_breaks(title) == by_every_combination(title)


@pytest.mark.parametrize("line_chars", [8, 12])
def test_narrow_lines_and_locked_figures_break_as_before(line_chars):
    for title in generated_titles(20, 20, 40, seed=line_chars):
        locked = frozenset(range(5, 11))
        assert balanced_breaks(title, line_chars=line_chars, locked=locked) == (
            by_every_combination(title, line_chars, locked)
        )


def test_steps_grow_polynomially_with_the_title_not_combinatorially():
    """140 Chinese characters took 211 s trying every combination; doubling a title now costs
    a few times the steps, never the thousands of times more combinations there are."""
    titles = {n: generated_titles(1, n, n, seed=n)[0][:n] for n in (70, 140, 280)}
    for text in titles.values():
        word_boundaries(text)  # the dictionary segmentation is linear and not counted here
    steps = {n: steps_of(lambda t=text: balanced_breaks(t)) for n, text in titles.items()}
    assert steps[140] / steps[70] < 6
    assert steps[280] / steps[140] < 6
    for text in titles.values():
        widths = [b - a for a, b in itertools.pairwise((0, *balanced_breaks(text), len(text)))]
        assert max(widths) <= TITLE_LINE_CHARS


def test_a_template_title_longer_than_the_limit_is_refused_on_save(reviewer_client):
    page = reviewer_client.get("/reports/template/")
    text = page.context["text"]
    lines = text.split("\n")
    body = "\n".join(line for line in lines if not line.startswith("#"))
    long_title = "关于" + "法治政府建设情况" * 20 + "的报告"  # 140 characters, case 2
    assert len(long_title) > MAX_TITLE_CHARS
    before = TemplateVersion.objects.count()
    refused = reviewer_client.post("/reports/template/", {"text": f"# {long_title}\n{body}"})
    assert refused.status_code == 400
    assert f"标题太长：最多 {MAX_TITLE_CHARS} 个字" in refused.content.decode()
    assert TemplateVersion.objects.count() == before
    fits = "关于" + "法治政府建设情况" * 9 + "的报告"
    saved = reviewer_client.post("/reports/template/", {"text": f"# {fits}\n{body}"})
    assert saved.status_code == 302, saved.context["errors"]
    assert ReportTemplate.objects.get(slug="speech").current_version.text.startswith(f"# {fits}")
