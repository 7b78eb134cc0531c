"""A reviewer's or an administrator's correction of a figure, whatever its status.

The Django admin's figure form writes through here: a correction bumps the version (so that a
clerk's form loaded before it is refused as a conflict instead of overwriting it), names the
corrector as 最后修改人, respects a locked period and says in the figure's thread what was
corrected and why, so that the department's clerk sees it. The status stays as it is.
"""

from django.core.exceptions import ValidationError
from django.db import transaction

from .. import access
from ..models import CommentKind, Figure, FigureComment
from ..numbers import NOT_FILLED, shown
from ..progress import SENT
from ..texts import REASON, REMARK, clean_text
from ..validation import parse_value
from ._common import FigureConflict, ensure_unlocked, record, write_figure


def _shown(value) -> str:
    return shown(value, empty=NOT_FILLED)


@transaction.atomic
def correct_figure(
    *, figure: Figure, user, value: object, remark: str, reason: str, expected_version: int
) -> Figure:
    """Set a figure's value (raw, as typed: parsed here) and remark. Field errors come as a
    ValidationError keyed by "value" and "reason"; a stale `expected_version` raises
    FigureConflict with the figure as it is stored now."""
    access.require(access.can_review(user), "只有审核员或系统管理员可以更正数据。")
    figure = (
        Figure.objects.select_for_update(of=("self",))
        .select_related("indicator", "period", "updated_by", "unit__area")
        .get(pk=figure.pk)
    )
    ensure_unlocked(figure.unit, figure.period)
    if expected_version != figure.version:
        raise FigureConflict(figure)
    errors: dict[str, list[str]] = {}
    try:
        reason = clean_text(reason, kind=REASON)
        if not reason:
            errors["reason"] = ["请填写更正原因"]
    except ValidationError as exc:
        errors["reason"] = exc.messages
    try:
        value = parse_value(figure.indicator, value)
        if value is None and figure.status in SENT:
            # The database holds a sent figure to a value (figure_value_required_beyond_draft).
            errors["value"] = ["已报送或已审核的数据不能清空；如需清空，请先退回给填报部门。"]
    except ValidationError as exc:
        errors["value"] = exc.messages
    try:
        remark = clean_text(remark, kind=REMARK)
    except ValidationError as exc:
        errors["remark"] = exc.messages
    if errors:
        raise ValidationError(errors)
    changes = []
    if value != figure.value:
        changes.append(f"数值由 {_shown(figure.value)} 改为 {_shown(value)}")
    if remark != figure.remark:
        changes.append("备注已修改")
    if not changes:
        raise ValidationError("数值和备注均未改变，无需更正。")
    figure.value = value
    figure.remark = remark
    figure.updated_by = user
    figure.version += 1
    record(figure, user=user, reason=f"管理更正：{reason}")
    write_figure(figure)
    FigureComment.objects.create(
        figure=figure,
        author=user,
        kind=CommentKind.COMMENT,
        text=f"管理更正：{'，'.join(changes)}。原因：{reason}",
    )
    return figure
