"""Reporting-period identifiers in the DHIS2 style: `2026` (year), `2026S1` (half-year),
`2026Q3` (quarter)."""

import calendar
import datetime
import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError

_CODE = re.compile(r"^(?P<year>\d{4})(?:(?P<kind>[SQ])(?P<number>\d))?$")


@dataclass(frozen=True)
class PeriodCode:
    year: int
    kind: str  # "Y", "S" or "Q"
    number: int  # 0 for a year

    @classmethod
    def parse(cls, code: str) -> "PeriodCode":
        match = _CODE.match(code or "")
        if not match:
            raise ValidationError(
                f"报告期“{code}”格式不正确，应为 2026、2026S1 或 2026Q3 这样的形式。"
            )
        kind = match["kind"] or "Y"
        number = int(match["number"] or 0)
        if (kind == "S" and number not in (1, 2)) or (kind == "Q" and not 1 <= number <= 4):
            raise ValidationError(f"报告期“{code}”不存在：半年为 S1、S2，季度为 Q1 至 Q4。")
        return cls(int(match["year"]), kind, number)

    def __str__(self) -> str:
        return f"{self.year}" if self.kind == "Y" else f"{self.year}{self.kind}{self.number}"

    @property
    def months(self) -> tuple[int, int]:
        if self.kind == "Y":
            return 1, 12
        length = 6 if self.kind == "S" else 3
        first = (self.number - 1) * length + 1
        return first, first + length - 1

    @property
    def start(self) -> datetime.date:
        return datetime.date(self.year, self.months[0], 1)

    @property
    def end(self) -> datetime.date:
        last_month = self.months[1]
        return datetime.date(self.year, last_month, calendar.monthrange(self.year, last_month)[1])

    @property
    def previous_comparable(self) -> "PeriodCode":
        """The same span one year earlier, which the speech compares against (同比)."""
        return PeriodCode(self.year - 1, self.kind, self.number)

    @property
    def label(self) -> str:
        if self.kind == "Y":
            return f"{self.year}年度"
        if self.kind == "S":
            return f"{self.year}年{'上' if self.number == 1 else '下'}半年"
        return f"{self.year}年第{'一二三四'[self.number - 1]}季度"
