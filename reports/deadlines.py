"""A document's deadlines: month/day pairs with a label (报送 3月1日, 公开 4月1日).

For an annual period they fall in the year after the period's year (the 2026 report is due
on 1 March 2027); for a half-year or a quarter, in the months after the period ends, on the
first such day after its end. Kept simple on purpose: no working-day shifting."""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Deadline:
    label: str
    date: datetime.date

    def days_left(self, today: datetime.date) -> int:
        return (self.date - today).days


def parse_deadlines(raw) -> list[tuple[str, int, int]]:
    """(label, month, day) of each deadline; ValueError saying what is wrong."""
    if raw in (None, ""):
        return []
    if not isinstance(raw, list):
        raise ValueError('时间节点应为列表，如 [{"label": "报送", "month": 3, "day": 1}]。')
    parsed = []
    for item in raw:
        if not isinstance(item, dict):
            raise ValueError("每个时间节点应含 label、month、day。")
        label = str(item.get("label") or "").strip()
        try:
            month, day = int(item.get("month")), int(item.get("day"))
            datetime.date(2028, month, day)  # a leap year: 2月29日 is a valid pair
        except (TypeError, ValueError):
            raise ValueError(f"时间节点“{label or item}”的月、日不正确。") from None
        if not label:
            raise ValueError("时间节点需要名称（如“报送”）。")
        parsed.append((label, month, day))
    return parsed


def _on(year: int, month: int, day: int) -> datetime.date:
    if month == 2 and day == 29:
        try:
            return datetime.date(year, 2, 29)
        except ValueError:
            return datetime.date(year, 2, 28)
    return datetime.date(year, month, day)


def due_dates(raw, period) -> list[Deadline]:
    """The deadlines of a document for `period` (a ReportingPeriod), in date order."""
    found = []
    for label, month, day in parse_deadlines(raw):
        if period.parsed_code.kind == "Y":
            date = _on(period.parsed_code.year + 1, month, day)
        else:
            date = _on(period.end.year, month, day)
            if date <= period.end:
                date = _on(period.end.year + 1, month, day)
        found.append(Deadline(label, date))
    return sorted(found, key=lambda d: d.date)


_LINE = re.compile(
    r"^\s*(?P<label>[^\s0-9\x00-\x1f\x7f]{1,20})\s*(?P<month>\d{1,2})\s*月\s*(?P<day>\d{1,2})\s*日\s*$"
)


def deadlines_from_lines(text: str) -> list[dict]:
    """What the report page's form says, one deadline a line (“报送 3月1日”), as the stored
    list; ValueError naming the line that is not such a line."""
    found = []
    for number, line in enumerate((text or "").splitlines()[:20], start=1):
        if not line.strip():
            continue
        match = _LINE.match(line)
        if match is None:
            raise ValueError(f"第{number}行“{line.strip()[:30]}”应写成“报送 3月1日”的形式。")
        found.append(
            {"label": match["label"], "month": int(match["month"]), "day": int(match["day"])}
        )
    return found


def deadlines_as_lines(raw) -> str:
    return "\n".join(f"{label} {month}月{day}日" for label, month, day in parse_deadlines(raw))
