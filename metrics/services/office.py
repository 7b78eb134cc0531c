"""系统设置: the settings the office owns, changed by whoever keeps the accounts, each change a
history row with who, old → new and why."""

from django.core.exceptions import ValidationError
from django.db import transaction

from .. import access
from ..models import OfficeSettings
from ..office import OFFICE_SETTINGS_PK, defaults
from ..texts import REASON, clean_text
from ._common import record

FIELDS = ("district_name", "reminder_days_before", "auto_lock", "auto_lock_grace_days")
STALE = "stale"


@transaction.atomic
def update_office_settings(*, user, version: int, reason: str = "", **values) -> OfficeSettings:
    """Save the settings given (the others keep their values). `version` is the one the
    editor loaded: a save over someone else's newer one is refused with what stands now."""
    access.require(
        access.can_manage_office_settings(user), "只有账号管理员（法制办）可以修改系统设置。"
    )
    unknown = set(values) - set(FIELDS)
    if unknown:
        raise TypeError(f"unknown settings: {sorted(unknown)}")
    stored, _ = OfficeSettings.objects.select_for_update().get_or_create(
        pk=OFFICE_SETTINGS_PK, defaults={**defaults(), "version": 0}
    )
    if version != stored.version:
        raise ValidationError(
            "系统设置已被他人修改，页面已显示当前的设置；核对后如仍需修改，请再次保存。",
            code=STALE,
        )
    if "district_name" in values:
        values["district_name"] = clean_text(values["district_name"], kind=REASON)
    changed = {k: v for k, v in values.items() if getattr(stored, k) != v}
    if not changed:
        raise ValidationError("设置没有变化。", code="unchanged")
    for name, value in changed.items():
        setattr(stored, name, value)
    stored.version += 1
    stored.full_clean()
    record(stored, user=user, reason=clean_text(reason, kind=REASON) or "修改系统设置")
    stored.save()
    return stored
