"""How a figure's number is written wherever people read it: the entry sheet, the review page,
the dashboard, the Excel exports, the API and the documents.

Pure functions over ``Decimal``; nothing here touches the database. A float never gets here:
it would print 0.1 + 0.2 style artefacts into an official document.
"""

import re
import unicodedata
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation, localcontext

# Generous precision: the default 28 digits would silently round a huge value (or its
# normalisation) instead of printing what the department entered.
PRECISION = 200


class NotANumber(ValueError):
    """A text or a stored value is not a finite decimal number; the message says why, in Chinese."""


# More significant digits than the figure column holds is a paste gone wrong, not a figure.
MAX_SIGNIFICANT_DIGITS = 20
_FULLWIDTH = str.maketrans("０１２３４５６７８９．－＋％，", "0123456789.-+%,")
# Separators are allowed only where they group thousands: "1,50" is a typo, not 150.
# One kind of separator throughout (the backreference): "1,500 000" is refused too.
_GROUPED = re.compile(r"[+-]?[0-9]{1,3}([, ])[0-9]{3}(?:\1[0-9]{3})*(?:\.[0-9]+)?%?")
# The whole accepted shape once separators are gone. In these patterns every run of one
# character class is followed by a character outside it, so matching is linear in the input.
_NUMBER = re.compile(r"(?P<sign>[+-]?)(?P<int>[0-9]*)(?:\.(?P<frac>[0-9]*))?(?P<pct>%?)")
_EXPONENT = re.compile(r"[+-]?[0-9.]+[eE][+-]?[0-9]+%?")
_NOT_FINITE = {"nan", "snan", "inf", "infinity"}
# Controls other than tab and line ends (which a spreadsheet cell may carry and strip()
# drops). Some are whitespace to str.strip() (\x1c-\x1f, \x85): "\x85" alone would read as
# "not filled yet", and so clear a figure.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_SHOWN_MAX = 30
# Digits and a point only (and short enough): nothing to check.
_PLAIN = re.compile(r"-?[0-9]+(?:\.[0-9]+)?")


@dataclass(frozen=True)
class Number:
    """A number as written: its value and whether it was written with “%”."""

    value: Decimal
    percent: bool = False


def read_number(text: str) -> Number | None:
    """The one reading of a number a person wrote (a form, a sheet, the API, a template's site
    value, a document): ASCII or full-width digits, an optional sign, thousands separators
    where they group thousands, a decimal point and a trailing %. Exponents, NaN/Infinity,
    underscores and the digits of other scripts (all of which Python's `Decimal()` would
    take) are refused, each with its own reason. Empty text is None ("not filled yet")."""
    if len(text) <= MAX_SIGNIFICANT_DIGITS and _PLAIN.fullmatch(
        text
    ):  # the usual case, "1234.5", read at once
        return Number(Decimal(text))
    written = text  # quoted in a refusal, built only then
    if _CONTROL.search(text):
        raise _refusal(written, "含有不可见的控制字符，请删除后重新填写。")
    text = text.strip().translate(_FULLWIDTH)
    if text == "":
        return None
    if any(ch.isdigit() and not "0" <= ch <= "9" for ch in text):
        raise _refusal(written, "含有其他文字的数字，请用数字 0–9 填写。")
    if "_" in text:
        raise _refusal(written, "含有下划线；千位分隔符请用逗号（如 1,500）。")
    if text.lstrip("+-").lower() in _NOT_FINITE:
        raise _refusal(written, "不是有效的数字。")
    if _EXPONENT.fullmatch(text.replace(",", "").replace(" ", "")):
        raise _refusal(written, "是科学计数法，请直接写出完整的数字（如 150000）。")
    if ("," in text or " " in text) and not _GROUPED.fullmatch(text):
        raise _refusal(written, "的分隔符位置不对：千位分隔符应每三位一个（如 1,500），请核对。")
    match = _NUMBER.fullmatch(text.replace(",", "").replace(" ", ""))
    if match is None or not (match["int"] or match["frac"]):
        raise _refusal(written, "不是数字。")
    digits = (match["int"] + (match["frac"] or "")).lstrip("0")
    if len(digits) > MAX_SIGNIFICANT_DIGITS:
        raise _refusal(written, f"的位数过多（最多 {MAX_SIGNIFICANT_DIGITS} 位数字），请核对。")
    # Only ASCII digits, a sign and a point are left: Decimal() reads exactly that.
    fraction = f".{match['frac']}" if match["frac"] else ""
    value = Decimal(f"{match['sign']}{match['int'] or '0'}{fraction}")
    return Number(value, percent=bool(match["pct"]))


def _refusal(written: str, reason: str) -> NotANumber:
    return NotANumber(f"“{shown_input(written)}”{reason}")


def shown_input(raw) -> str:
    """What was typed, for a message: invisible characters dropped, long input cut short."""
    text = "".join(ch for ch in str(raw) if unicodedata.category(ch)[0] != "C")
    return text if len(text) <= _SHOWN_MAX else text[:_SHOWN_MAX] + "…"


def plain(value: Decimal, places: int | None = None) -> str:
    """A Decimal as people write it: 98.50 → 98.5, 100.0000 → 100 (never 1E+2), −0 → 0;
    plain positional notation, no exponent, no separators.

    With `places` (a computed indicator's decimal places), exactly that many decimals, so a
    one-decimal rate reads 95.0, not 95 (rounded half up, as the value already is)."""
    with localcontext(prec=PRECISION):
        normal = value.normalize()
        if places:
            fixed = normal.quantize(Decimal(1).scaleb(-places), ROUND_HALF_UP)
            return format(abs(fixed) if fixed == 0 else fixed, "f")
    if normal == 0:
        return "0"  # Decimal keeps the sign of zero ("-0"), which means nothing to a reader
    return format(normal, "f")


# What a figure with no value reads as, wherever one is listed (a change, a conflict, a job).
NOT_FILLED = "未填"


def shown(value: Decimal | None, *, empty: str = "", places: int | None = None) -> str:
    """`plain`, or `empty` when there is no value."""
    return empty if value is None else plain(value, places)


def with_unit(value: Decimal | None, unit: str = "", *, empty: str = NOT_FILLED) -> str:
    """A value and its unit as Chinese text writes them, with no space: 118件, 98.5%,
    3.2万元; `empty` when there is no value."""
    return empty if value is None else f"{plain(value)}{unit or ''}"


def from_text(text: str | int | Decimal | None) -> Decimal:
    """A decimal string as the snapshot and the API hand it over ("1234.5000"), as a Decimal.

    This reads machine-written numbers only; what a person wrote goes through `read_number`
    (and, for a figure, ``metrics.validation.parse_value``, which adds the indicator's limits).
    """
    if text is None:
        raise NotANumber("缺少数值")
    if isinstance(text, Decimal):
        number = text
    else:
        try:
            number = Decimal(str(text).strip())
        except InvalidOperation:
            raise NotANumber(f"“{text}”不是有效的数值") from None
    if not number.is_finite():
        raise NotANumber(f"“{text}”不是有效的数值")
    return number
