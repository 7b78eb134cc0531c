"""Password rules beyond Django's own (AUTH_PASSWORD_VALIDATORS), and the record of each
password change that the maximum password age counts from."""

import string

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.utils import timezone

CLASSES = {
    "大写字母": lambda c: c.isascii() and c.isupper(),
    "小写字母": lambda c: c.isascii() and c.islower(),
    "数字": lambda c: c.isdigit(),
    "符号": lambda c: not c.isalnum() or c in string.punctuation,
}


class MinimumLengthValidator(password_validation.MinimumLengthValidator):
    """Django's, with its message in Chinese (Django's own Chinese catalogue lacks it)."""

    def get_error_message(self):
        return f"密码太短：至少包含 {self.min_length} 个字符。"

    def get_help_text(self):
        return f"密码至少包含 {self.min_length} 个字符。"


class CharacterClassesValidator:
    """At least `required` of the four classes: upper-case, lower-case, digits, symbols."""

    def __init__(self, required: int = 3):
        self.required = required

    def validate(self, password, user=None):
        present = [name for name, test in CLASSES.items() if any(test(c) for c in password)]
        if len(present) < self.required:
            raise ValidationError(
                f"密码须包含大写字母、小写字母、数字、符号中的至少 {self.required} 类。",
                code="password_too_simple",
            )

    def get_help_text(self):
        return f"密码须包含大写字母、小写字母、数字、符号中的至少 {self.required} 类。"


class PasswordChangeRecorder:
    """Validates nothing. Django calls every validator's `password_changed` when a user's
    password is saved after `set_password` (the change page, the admin, `changepassword`):
    that is when the new password's date and the audit record are written."""

    def validate(self, password, user=None):
        return None

    def get_help_text(self):
        return ""

    def password_changed(self, password, user=None):
        if user is None or user.pk is None:
            return
        from ..models import Event, PasswordState
        from .audit import record_event

        PasswordState.objects.update_or_create(
            user=user, defaults={"password_changed_at": timezone.now()}
        )
        record_event(Event.PASSWORD_CHANGED, target=user)
