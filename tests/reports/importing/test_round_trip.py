"""THE test: the reference speech printed from the built-in template with the demo figures,
read back (as text and as the portal's own .docx), gives the same template again."""

import pytest

from accounts.demo import FIGURES_2025
from metrics.catalogue import DEPARTMENTS, INDICATORS
from reports.importing.naming import catalogue_entries
from reports.importing.proposal import propose
from reports.importing.reader import TITLE, read_docx, read_text
from reports.rendering import DEFAULT_TEMPLATE_TEXT, parse_template, render_docx, render_text

DISTRICT = "示范"


def _snapshot(values: dict) -> dict:
    return {
        "district_name": DISTRICT,
        "period": "2025",
        "period_label": "2025年度",
        "figures": {
            code: {"value": str(value), "status": "approved", "name": code}
            for code, value in values.items()
        },
    }


DEMO = _snapshot(FIGURES_2025)
# Decimals and trailing zeros too: 98.50 prints 98.5, 55.00 prints 55.
DECIMALS = _snapshot(
    {**FIGURES_2025, "grass_grid_coverage": "98.50", "biz_review_cases_closed": "55.00"}
)


@pytest.fixture(scope="module")
def catalogue():
    return catalogue_entries(INDICATORS, DEPARTMENTS)


def _expected_placeholders():
    return [(p.code, p.filter) for p in parse_template(DEFAULT_TEMPLATE_TEXT).placeholders()]


def _bound(proposal):
    """The proposal's placeholders in reading order, as parse_template would list them."""
    return [(p.code, p.filter) for p in parse_template(proposal.template_text()).placeholders()]


def _texts(template, snapshot):
    return [p.text for p in render_text(template, snapshot).paragraphs]


@pytest.mark.parametrize("snapshot", [DEMO, DECIMALS], ids=["demo 2025", "decimals"])
def test_text_round_trip(snapshot, catalogue):
    speech = render_text(DEFAULT_TEMPLATE_TEXT, snapshot)
    paragraphs = read_text(speech.text)
    assert paragraphs[0].level == TITLE
    proposal = propose(paragraphs, catalogue, site_values={"district": DISTRICT})

    expected = _expected_placeholders()
    assert len(expected) == 33
    assert _bound(proposal) == expected
    assert [(i.code, i.found.filter) for i in proposal.items] == [
        p for p in expected if p[0] != "district"
    ]
    assert not any(item.new for item in proposal.items)
    assert proposal.new_indicators == ()
    assert proposal.problems() == []
    assert _texts(proposal.template_text(), snapshot) == [p.text for p in speech.paragraphs]
    # The title and the salutation keep their kind; headings and run-in sub-headings are not
    # told apart from paragraphs in plain text.
    kinds = [p.kind for p in render_text(proposal.template_text(), snapshot).paragraphs]
    assert kinds[:3] == ["title", "flush", "paragraph"]


def test_docx_round_trip(catalogue):
    speech = render_text(DEFAULT_TEMPLATE_TEXT, DEMO)
    paragraphs = read_docx(render_docx(DEFAULT_TEMPLATE_TEXT, DEMO, mode="final"))
    assert [p.text for p in paragraphs] == [p.text for p in speech.paragraphs]
    assert paragraphs[0].level == TITLE  # centred first paragraph, though in Normal style

    proposal = propose(paragraphs, catalogue, site_values={"district": DISTRICT})
    assert _bound(proposal) == _expected_placeholders()
    assert proposal.new_indicators == ()
    assert _texts(proposal.template_text(), DEMO) == [p.text for p in speech.paragraphs]


def test_the_portals_own_docx_gives_back_the_built_in_template(catalogue):
    """Headings (黑体) and run-in sub-headings (楷体) come back from the .docx: the proposal
    is the built-in template line for line, comments and blank lines aside."""
    paragraphs = read_docx(render_docx(DEFAULT_TEMPLATE_TEXT, DEMO, mode="final"))
    proposal = propose(paragraphs, catalogue, site_values={"district": DISTRICT})
    expected = [
        line
        for line in DEFAULT_TEMPLATE_TEXT.splitlines()
        if line.strip() and not line.startswith("//")
    ]
    assert [line for line in proposal.template_text().splitlines() if line] == expected
    kinds = [p.kind for p in render_text(proposal.template_text(), DEMO).paragraphs]
    assert kinds == [p.kind for p in render_text(DEFAULT_TEMPLATE_TEXT, DEMO).paragraphs]


def test_docx_draft_drops_the_cover(catalogue):
    """A draft (cover page, 草稿 on every page) reads as the same paragraphs."""
    speech = render_text(DEFAULT_TEMPLATE_TEXT, DEMO)
    paragraphs = read_docx(render_docx(DEFAULT_TEMPLATE_TEXT, DEMO, mode="draft"))
    assert [p.text for p in paragraphs] == [p.text for p in speech.paragraphs]


def test_without_the_district_it_stays_text(catalogue):
    speech = render_text(DEFAULT_TEMPLATE_TEXT, DEMO)
    proposal = propose(read_text(speech.text), catalogue)
    assert len(proposal.bound()) == 32
    assert "法治示范建设" in proposal.template_text()
    assert _texts(proposal.template_text(), DEMO) == [p.text for p in speech.paragraphs]


def test_json(catalogue):
    speech = render_text(DEFAULT_TEMPLATE_TEXT, DEMO)
    data = propose(read_text(speech.text), catalogue).to_json()
    assert len(data["figures"]) == 32
    first = data["figures"][0]
    assert first == {
        "code": "lead_council_study_per_quarter",
        "value": "1",
        "filter": "plain",
        "text": "区政府常务会议坚持每季度至少集体学法1次",
        "new": False,
        "reasons": "主语与名称相符 65%；单位一致",
    }
    wan = next(f for f in data["figures"] if f["code"] == "grass_mass_prevention_force")
    assert (wan["value"], wan["filter"]) == ("2.3", "wan")
    assert {x["reason"] for x in data["literals"]} == {"书名号内的名称", "引号内的名称"}
