"""A stored figure value in the API: a decimal string written as every page writes it."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from ..numbers import plain


@extend_schema_field(
    {
        "type": "string",
        "nullable": True,
        "pattern": r"^-?[0-9]+(\.[0-9]+)?$",
        "example": "98.5",
        "description": "十进制数的字符串（不用浮点数），未填写为 null",
    }
)
class DecimalStringField(serializers.Field):
    """A stored Decimal as people write it: 98.50 → "98.5"."""

    def __init__(self, **kwargs):
        kwargs.setdefault("read_only", True)
        super().__init__(**kwargs)

    def to_representation(self, value):
        # metrics.numbers.plain, as on every page: no exponent, no trailing zeros, no "-0".
        return plain(value)
