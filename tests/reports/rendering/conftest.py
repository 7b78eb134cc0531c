"""Fixtures for the renderer tests: plain data, no Django, no database."""

import copy
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

from reports.rendering import DEFAULT_TEMPLATE_TEXT, parse_template

REPO = Path(__file__).resolve().parents[3]
REFERENCE = REPO / "docs" / "reference-speech.txt"

# Codes of the reference's 31 `*`, in order, with the value the snapshot gives
# and what the speech must print for it.
STAR_FIGURES = [
    ("biz_approval_reforms", "106", "106"),
    ("biz_license_items_merged", "42", "42"),
    ("biz_post_approval_filings", "35", "35"),
    ("biz_inhouse_counsel", "12", "12"),
    ("biz_external_law_experts", "3", "3"),
    ("biz_external_lawyers", "8", "8"),
    ("biz_external_law_firms", "4", "4"),
    ("biz_counsel_litigation_cases", "27", "27"),
    ("biz_review_cases_received", "58", "58"),
    ("biz_review_cases_closed", "55.00", "55"),
    ("biz_township_penalty_powers", "126", "126"),
    ("biz_subdistrict_penalty_powers", "98", "98"),
    ("grass_district_centers", "1", "1"),
    ("grass_township_centers", "14", "14"),
    ("grass_grid_workers", "1860", "1860"),
    ("grass_grid_coverage", "98.50", "98.5"),
    ("grass_mass_prevention_force", "23456", "2.3"),
    ("grass_functional_branches", "56", "56"),
    ("grass_joint_functional_branches", "18", "18"),
    ("grass_grid_branches", "312", "312"),
    ("grass_building_party_groups", "1245", "1245"),
    ("grass_patrol_townships", "14", "14"),
    ("grass_patrol_min_size", "10", "10"),
    ("grass_disputes_mediated", "2138", "2138"),
    ("edu_materials_distributed", "123456", "12.3"),
    ("edu_legal_consultations", "3270", "3200"),
    ("edu_people_educated", "86500", "8.6"),
    ("edu_bulletin_boards", "260", "260"),
    ("edu_culture_signs", "145", "145"),
    ("edu_publicity_panels", "380", "380"),
]
# The two figures the reference prints literally (1 and 100) are bound too.
LITERAL_FIGURES = [
    ("lead_council_study_per_quarter", "1", "1"),
    ("biz_leader_court_appearance_rate", "100.00", "100"),
]
DISTRICT = "示范"


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() == "true"


@pytest.fixture(scope="session")
def reference_text() -> str:
    return REFERENCE.read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def expected_text(reference_text) -> str:
    """speech.txt with each `*` replaced, in order, by the printed figure."""
    printed = [shown for _, _, shown in STAR_FIGURES] + [DISTRICT]
    parts = reference_text.split("*")
    assert len(parts) == len(printed) + 1
    out = parts[0]
    for value, part in zip(printed, parts[1:], strict=True):
        out += value + part
    return out


@pytest.fixture(scope="session")
def default_template():
    return parse_template(DEFAULT_TEMPLATE_TEXT)


def _figure(code: str, value: str | None, status: str = "approved") -> dict:
    return {
        "value": value,
        "status": status,
        "name": f"指标{code}",
        "unit": "个",
        "department": "区司法局",
        "previous": None,
    }


@pytest.fixture
def snapshot() -> dict:
    figures = {code: _figure(code, value) for code, value, _ in STAR_FIGURES + LITERAL_FIGURES}
    return {
        "district_name": DISTRICT,
        "period": "2025",
        "period_label": "2025年度",
        "figures": figures,
    }


@pytest.fixture(scope="session")
def session_snapshot() -> dict:
    figures = {code: _figure(code, value) for code, value, _ in STAR_FIGURES + LITERAL_FIGURES}
    return {
        "district_name": DISTRICT,
        "period": "2025",
        "period_label": "2025年度",
        "figures": figures,
    }


@pytest.fixture(scope="session")
def draft_snapshot(session_snapshot) -> dict:
    snap = copy.deepcopy(session_snapshot)
    snap["figures"]["biz_review_cases_received"].update(value=None, name="受理行政复议案件")
    snap["figures"]["edu_culture_signs"].update(
        status="submitted", name="法治文化展示牌", department="区委宣传部"
    )
    return snap


@pytest.fixture(scope="session")
def font_cache_dir() -> Path:
    """Reduced fonts, built once per machine and kept outside the clone (tests/font_cache.py)."""
    from tests import font_cache

    return font_cache.prepared()


def require_fandol() -> dict[str, Path]:
    """The four Fandol files (`make install` puts them in var/fonts/fandol)."""
    from reports.rendering.fonts import free_fonts

    found = free_fonts()
    if len(found) == 4:
        return found
    reason = (
        f"needs the Fandol fonts (found {sorted(found) or 'none'}): run `make fonts` "
        "(reports/rendering/fetch-fandol-fonts.sh)"
    )
    if in_ci():
        pytest.fail(f"CI=true but {reason}")
    pytest.skip(reason)


def require_tool(name: str) -> None:
    if shutil.which(name):
        return
    reason = f"needs `{name}` from poppler-utils (apt-get install poppler-utils)"
    if in_ci():
        pytest.fail(f"CI=true but {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def poppler():
    """Run a poppler tool on PDF bytes and return its stdout as text."""

    def run(tool: str, pdf: bytes, *args: str) -> str:
        require_tool(tool)
        with tempfile.NamedTemporaryFile(suffix=".pdf") as f:
            f.write(pdf)
            f.flush()
            out = subprocess.run(
                [tool, *args, f.name, *(["-"] if tool == "pdftotext" else [])],
                capture_output=True,
                check=True,
            ).stdout
        return out.decode("utf-8")

    return run
