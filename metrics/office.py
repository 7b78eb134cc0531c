"""The office's own settings (系统设置), read: the stored row, or the environment's first-run
defaults while nobody has saved the page yet."""

from django.conf import settings

from .models import OfficeSettings

OFFICE_SETTINGS_PK = 1


def defaults() -> dict:
    return {
        "district_name": settings.DISTRICT_NAME,
        "reminder_days_before": settings.METRICS_REMINDER_DAYS_BEFORE,
        "auto_lock": settings.METRICS_AUTO_LOCK,
        "auto_lock_grace_days": settings.METRICS_AUTO_LOCK_GRACE_DAYS,
    }


def office_settings() -> OfficeSettings:
    """The settings in force (an unsaved row of defaults before the first save)."""
    stored = OfficeSettings.objects.filter(pk=OFFICE_SETTINGS_PK).first()
    return stored or OfficeSettings(pk=OFFICE_SETTINGS_PK, version=0, **defaults())


def district_name() -> str:
    return office_settings().district_name
