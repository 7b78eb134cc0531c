"""The free Fandol faces in their roles, the fallback to the full fonts, and the title's
balanced break, measured in real PDFs (poppler)."""

import re

import pytest

# This folder has no __init__.py: pytest imports its modules by their own names.
from conftest import require_fandol
from test_pdf import PAGE_NUMBER, layout_lines

from reports.rendering import render_pdf, render_text
from reports.rendering.fonts import free_fonts, pdf_font_css
from reports.rendering.titles import PARTICLES, balanced_breaks

FACES = {
    "title": "FandolSong-Bold",
    "body": "FandolFang",
    "heading": "FandolHei",
    "kai": "FandolKai",
}


def font_names(poppler, pdf: bytes) -> set[str]:
    """The embedded fonts' names without the subset tag: FandolFang-GB2312, ..."""
    rows = poppler("pdffonts", pdf).splitlines()[2:]
    return {row.split()[0].split("+", 1)[-1] for row in rows}


@pytest.fixture(scope="module")
def fandol():
    return require_fandol()


@pytest.fixture(scope="module")
def speech_pdf(fandol, default_template, session_snapshot, font_cache_dir) -> bytes:
    return render_pdf(default_template, session_snapshot, "final", font_cache_dir=font_cache_dir)


def test_the_speech_uses_the_four_fandol_faces(poppler, speech_pdf):
    names = font_names(poppler, speech_pdf)
    assert names == {f"{face}-GB2312" for face in FACES.values()}, names
    assert len(speech_pdf) <= 240_000


@pytest.mark.parametrize(
    ("role", "template"),
    [
        ("title", "# 标题{district}"),
        ("body", "正文{district}"),
        ("heading", "## 一级标题{district}"),
    ],
)
def test_each_role_has_its_face(poppler, fandol, session_snapshot, font_cache_dir, role, template):
    pdf = render_pdf(template, session_snapshot, font_cache_dir=font_cache_dir)
    names = font_names(poppler, pdf)
    # The page number — 1 — is set in the body face.
    assert names == {f"{FACES[role]}-GB2312", f"{FACES['body']}-GB2312"}, names


def test_a_run_in_lead_is_kai(poppler, fandol, session_snapshot, font_cache_dir):
    # The lead's punctuation takes the body face (speech.css: .lead .punct).
    pdf = render_pdf("**引领作用**正文{district}", session_snapshot, font_cache_dir=font_cache_dir)
    assert font_names(poppler, pdf) == {"FandolKai-GB2312", "FandolFang-GB2312"}


def test_before_the_reduced_fonts_are_ready_the_full_fandol_files_serve(
    poppler, fandol, tmp_path, default_template, session_snapshot, speech_pdf
):
    """A report asked for while prepare_report_fonts is still running: the cache folder is
    empty, rendering does not build into it, and the full files give the same pages."""
    pdf = render_pdf(default_template, session_snapshot, "final", font_cache_dir=tmp_path)
    assert list(tmp_path.iterdir()) == []
    assert font_names(poppler, pdf) == set(FACES.values())
    assert poppler("pdftotext", pdf, "-layout") == poppler("pdftotext", speech_pdf, "-layout")


def test_licensed_dir_still_comes_first(fandol, font_cache_dir, tmp_path):
    css = pdf_font_css(None, font_cache_dir)
    body = re.search(r"\.speech, \.draft-cover[^{]*\{ font-family: ([^;]+);", css).group(1)
    families = [f.strip().strip('"') for f in body.split(",")]
    # Reduced Fandol, full Fandol, then Noto for characters Fandol lacks.
    assert families[:3] == ["FandolFang GB2312", "FandolFang", "Noto Serif CJK SC"]


def test_without_fandol_the_noto_stand_ins_serve(poppler, monkeypatch, session_snapshot):
    from reports.rendering import fonts

    monkeypatch.setattr(fonts, "free_fonts", lambda free_dir=None: {})
    pdf = render_pdf("# 标题\n正文{district}", session_snapshot)
    assert not any(name.startswith("Fandol") for name in font_names(poppler, pdf))


# The title.


def title_lines(poppler, pdf: bytes) -> list[str]:
    """The title's lines as printed: the 22 pt lines at the top of the speech's first page."""
    lines = [line for line in layout_lines(poppler, pdf) if not PAGE_NUMBER.match(line.text)]
    first = lines[0]
    # Fandol's box is 1 em high: 22 pt for the title, 16 pt for the rest.
    return [line.text for line in lines if line.page == first.page and line.height > 20.5]


def check_balanced(lines: list[str]) -> None:
    lengths = [len(line) for line in lines]
    assert max(lengths) - min(lengths) <= max(lengths) / 3, lines
    for line in lines:
        assert line[0] not in PARTICLES and line[-1] not in PARTICLES, lines


def test_default_title_breaks_balanced_in_the_pdf(poppler, speech_pdf, reference_text):
    lines = title_lines(poppler, speech_pdf)
    assert "".join(lines) == reference_text.splitlines()[0]
    assert lines == ["副区长在全市法治创建", "工作推进会上的汇报发言"]
    check_balanced(lines)


@pytest.mark.parametrize(
    "title",
    [
        "关于{district}区2025年度法治政府建设情况和下一步工作安排的报告",
        "{district}区人民政府关于深化放管服改革和优化营商环境的实施意见",
        "在全区法治政府建设与依法行政工作会议上的讲话",
    ],
)
def test_other_titles_break_balanced_in_the_pdf(
    poppler, fandol, session_snapshot, font_cache_dir, title
):
    pdf = render_pdf(f"# {title}\n正文", session_snapshot, font_cache_dir=font_cache_dir)
    lines = title_lines(poppler, pdf)
    assert "".join(lines) == title.replace("{district}", session_snapshot["district_name"])
    assert len(lines) in (2, 3)
    check_balanced(lines)


def test_drafters_break_is_kept(session_snapshot):
    speech = render_text("# 副区长在全市法治创建工作推进会上的\\汇报发言\n正文", session_snapshot)
    runs = speech.paragraphs[0].runs
    assert [r.text for r in runs] == ["副区长在全市法治创建工作推进会上的", "", "汇报发言"]


def test_short_title_is_not_broken():
    assert balanced_breaks("关于法治政府建设情况的报告") == ()


def test_break_never_splits_a_figure(session_snapshot):
    snapshot = {**session_snapshot, "district_name": "示范新区经济技术开发"}
    speech = render_text("# 关于{district}区法治政府建设和依法行政工作的报告\n正文", snapshot)
    runs = speech.paragraphs[0].runs
    assert any(r.code == "district" and r.text == "示范新区经济技术开发" for r in runs)
    assert "".join(r.text for r in runs) == speech.title


def test_free_fonts_are_found_in_the_project_folder(fandol):
    assert {path.name for path in free_fonts().values()} == {
        "FandolSong-Bold.otf",
        "FandolFang-Regular.otf",
        "FandolHei-Regular.otf",
        "FandolKai-Regular.otf",
    }
