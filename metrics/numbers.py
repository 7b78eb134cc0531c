"""How a figure's number is written wherever people read it: the entry sheet, the review page,
the dashboard, the Excel exports, the API and the documents.

Pure functions over ``Decimal``; nothing here touches the database. A float never gets here:
it would print 0.1 + 0.2 style artefacts into an official document.
"""

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation, localcontext

# Generous precision: the default 28 digits would silently round a huge value (or its
# normalisation) instead of printing what the department entered.
PRECISION = 200


class NotANumber(ValueError):
    """A stored or frozen value is not a finite decimal number."""


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


def shown(value: Decimal | None, *, empty: str = "", places: int | None = None) -> str:
    """`plain`, or `empty` when there is no value."""
    return empty if value is None else plain(value, places)


def from_text(text: str | int | Decimal | None) -> Decimal:
    """A decimal string as the snapshot and the API hand it over ("1234.5000"), as a Decimal.

    This reads machine-written numbers only; what a person typed goes through
    ``metrics.validation.parse_value``, which knows separators, full-width digits and limits.
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
