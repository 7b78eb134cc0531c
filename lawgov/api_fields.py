"""Serializer fields and helpers that every app's API builds on: raw values handed to the services unparsed, choices documented inline, trimmed and bounded
text, related objects named by their code, and the one way a view validates its input.

Invariants: nothing here parses or checks a figure's value (the services do, through
`metrics.validation.parse_value`); a malformed input is always a 400 "invalid", never a 500;
the OpenAPI schema these fields produce is part of the API's contract."""

from decimal import Decimal

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

MAX_TEXT = 2000


@extend_schema_field(
    {
        "oneOf": [{"type": "string", "maxLength": 100}, {"type": "number"}],
        "nullable": True,
        "example": "98.5",
        "description": (
            '数值：JSON 数字或数字字符串（推荐字符串，如 "98.5"，以免精度损失）；'
            "null 或空字符串表示未填写。字符串只能含 0–9（或全角数字）、正负号、小数点、"
            "每三位一个的千位分隔符，百分比可带“%”；科学计数法（1e5）、NaN、Infinity、"
            "下划线、其他文字的数字、超过 20 位数字，以及整数部分超过 16 位的数值"
            "均被拒绝（invalid）。"
        ),
    }
)
class RawValueField(serializers.Field):
    """What the client sent as a value, checked for its shape only: the service parses it
    against the indicator (`metrics.validation.parse_value`, as for the entry form and the
    file import) after its permission check."""

    default_error_messages = {
        "invalid": "数值应为数字或数字字符串。",
        "too_long": "数值字符串过长。",
    }

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, str | int | Decimal | float):
            self.fail("invalid")
        if isinstance(data, str) and len(data) > 100:
            self.fail("too_long")
        return data

    def to_representation(self, value):
        return value


def choice_field(choices, *, inline=False, **kwargs):
    """A ChoiceField; `inline` documents its values in place instead of as a shared enum
    component (several models have a `status`, and drf-spectacular names enum components
    after the field)."""
    if not inline:
        return serializers.ChoiceField(choices=choices, **kwargs)
    schema = {
        "allOf": [{"type": "string", "enum": [value for value, _ in choices]}],
        "description": "；".join(f"{value} {label}" for value, label in choices),
    }
    # A class per use: DRF copies declared fields by instantiating their class again.
    field_class = extend_schema_field(schema)(
        type("InlineChoiceField", (serializers.ChoiceField,), {})
    )
    return field_class(choices=choices, **kwargs)


def text_field(**kwargs):
    """Free text: blank allowed, trimmed, at most MAX_TEXT characters."""
    kwargs.setdefault("allow_blank", True)
    kwargs.setdefault("max_length", MAX_TEXT)
    kwargs.setdefault("trim_whitespace", True)
    return serializers.CharField(**kwargs)


class CodeField(serializers.SlugRelatedField):
    """A related object named by its code; an unknown code is a 400 "invalid"."""

    default_error_messages = {
        "does_not_exist": "代码“{value}”不存在。",
        "invalid": "代码应为字符串。",
    }

    def __init__(self, queryset, **kwargs):
        super().__init__(slug_field="code", queryset=queryset, **kwargs)

    def to_internal_value(self, data):
        if not isinstance(data, str) or "\x00" in data or len(data) > 100:
            self.fail("invalid")
        return super().to_internal_value(data)


def validated(serializer_class, request, **kwargs) -> dict:
    """The request body checked for its shape by `serializer_class` (a 400 otherwise)."""
    serializer = serializer_class(data=request.data, **kwargs)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data
