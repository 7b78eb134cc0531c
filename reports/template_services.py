"""Write operations on a document's template: its text (a new version per edit) and its
deadlines, each kept in history with who and why."""

from django.core.exceptions import ValidationError
from django.db import transaction

from lawgov.locks import hold
from lawgov.versions import StaleEdit
from metrics.services.catalogue import INDICATOR_CODES_LOCK
from metrics.texts import REASON, clean_text

from . import rendering, selectors
from .access import require_edit_templates as _require_editor
from .deadlines import parse_deadlines
from .models import ReportTemplate, TemplateVersion


@transaction.atomic
def save_template_version(
    *, template: ReportTemplate, text: str, user, comment: str = "", based_on: int | None = None
) -> TemplateVersion:
    """Store an edit of the template as a new version, refusing unknown codes and filters;
    and refusing (StaleEdit) an edit `based_on` a version older than the latest, which
    someone else saved meanwhile: theirs would be silently undone."""
    _require_editor(user, "您没有编辑讲话稿模板的权限。")
    # The codes are read after any indicator code change racing this save has committed
    # (metrics' update_indicator holds the same lock), so none of them can vanish meanwhile.
    hold(INDICATOR_CODES_LOCK)
    errors = rendering.validate_template(text, selectors.known_codes())
    if errors:
        raise ValidationError([error.message for error in errors])
    latest = (
        TemplateVersion.objects.select_for_update()
        .filter(template=template)
        .order_by("-number")
        .first()
    )
    if based_on not in (None, "") and latest is not None and int(based_on) != latest.number:
        editor = latest.created_by.get_username() if latest.created_by else "他人"
        raise StaleEdit(
            latest,
            {"当前版本": f"第{latest.number}版", "保存人": editor},
            what=f"模板（您编辑的是第{based_on}版）",
        )
    if latest is not None and latest.text == text:
        return latest
    return TemplateVersion.objects.create(
        template=template,
        number=(latest.number + 1) if latest else 1,
        text=text,
        comment=comment,
        created_by=user,
    )


@transaction.atomic
def update_document_deadlines(
    *, template: ReportTemplate, deadlines: list[dict], user, reason: str = ""
) -> ReportTemplate:
    """The document's deadlines (报送 3月1日, 公开 4月1日 …), edited by the office on the report
    page; each change a history row with who and why."""
    _require_editor(user, "只有法制办可以修改文稿的时间节点。")
    reason = clean_text(reason, kind=REASON)
    try:
        parsed = parse_deadlines(deadlines)
    except ValueError as exc:
        raise ValidationError({"deadlines": str(exc)}, code="invalid") from None
    template = ReportTemplate.objects.select_for_update().get(pk=template.pk)
    cleaned = [{"label": label, "month": month, "day": day} for label, month, day in parsed]
    if cleaned == template.deadlines:
        raise ValidationError("时间节点没有变化。", code="unchanged")
    before = "、".join(f"{d['label']}{d['month']}月{d['day']}日" for d in template.deadlines or [])
    after = "、".join(f"{d['label']}{d['month']}月{d['day']}日" for d in cleaned)
    template.deadlines = cleaned
    template._history_user = user
    template._change_reason = f"时间节点 {before or '（无）'} → {after or '（无）'}" + (
        f"：{reason}" if reason else ""
    )
    template.save(update_fields=["deadlines"])
    return template
