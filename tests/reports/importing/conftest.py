from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[3]


@pytest.fixture(scope="session")
def reference_text() -> str:
    return (REPO / "docs" / "reference-speech.txt").read_text(encoding="utf-8")
