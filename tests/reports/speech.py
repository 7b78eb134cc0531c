"""The reference speech and how to read a generated PDF back as text."""

import re
import subprocess
from pathlib import Path

REFERENCE = Path(__file__).resolve().parents[2] / "docs" / "reference-speech.txt"

# The demo's approved 2025 figures as the speech prints them, in the order of the speech's `*`,
# worked out by hand: 23456 人 → 2.3万余人, 123456 份 → 12.3万余份, 3270 → 3200多人次, 86500 → 8.6万余人次.
DEMO_2025_DISPLAY = [
    "106",
    "42",
    "35",
    "12",
    "3",
    "8",
    "4",
    "27",
    "58",
    "55",
    "126",
    "98",
    "1",
    "14",
    "1860",
    "100",
    "2.3",
    "56",
    "18",
    "312",
    "1245",
    "14",
    "10",
    "2138",
    "12.3",
    "3200",
    "8.6",
    "260",
    "145",
    "380",
    "示范",
]


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def substituted_reference(values: list[str]) -> str:
    parts = REFERENCE.read_text(encoding="utf-8").split("*")
    assert len(parts) == len(values) + 1
    out = parts[0]
    for value, part in zip(values, parts[1:], strict=True):
        out += value + part
    return _squash(out)


def expected_speech(snapshot: dict) -> str:
    assert snapshot["period"] == "2025", "hand-worked figures exist for the demo 2025 only"
    return substituted_reference(DEMO_2025_DISPLAY)


def pdf_text(pdf: bytes) -> str:
    """pdftotext of the PDF with whitespace and the `— N —` page numbers removed."""
    text = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", "-", "-"], input=pdf, capture_output=True, check=True
    ).stdout.decode("utf-8")
    text = re.sub(r"^\s*—\s*\d+\s*—\s*$", "", text, flags=re.MULTILINE)
    return _squash(text)
