"""Password rules beyond Django's own (AUTH_PASSWORD_VALIDATORS), and the record of each
password change that the maximum password age and the password history count from."""

import string
import unicodedata

from django.contrib.auth import password_validation
from django.contrib.auth.hashers import check_password
from django.core.exceptions import ValidationError
from django.utils import timezone

from .audit import record_event, service_is_recording
from .models import ApiToken, Event, PasswordHistory, PasswordState

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


class UserAttributeSimilarityValidator(password_validation.UserAttributeSimilarityValidator):
    """Django's, in written Chinese: Django's catalogue says “密码跟 用户名 太相似了”."""

    def get_error_message(self):
        return "密码与%(verbose_name)s过于相似。"

    def get_help_text(self):
        return "密码不能与您的用户名、姓名或电子邮箱过于相似。"


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


def folded(text: str) -> str:
    """Text as a reader sees it: full-width and other compatibility forms as their plain
    letters (NFKC: "ｚｈａｎｇ" is "zhang"), then in one case (casefold)."""
    return unicodedata.normalize("NFKC", text).casefold()


class UsernameContainedValidator:
    """Refuses a password that contains the user name, in any case and in any width
    (folded: a full-width "Ｚｈａｎｇｓａｎ" is the name too). Django's
    UserAttributeSimilarityValidator compares the whole password with the name, so a long
    password around the name ("Xq-zhangsan-2026!") passes it."""

    def validate(self, password, user=None):
        username = folded((user.get_username() if user is not None else "") or "")
        # A name of one or two characters is in too many good passwords to refuse them.
        if len(username) >= 3 and username in folded(password):
            raise ValidationError("密码不能包含用户名。", code="password_contains_username")

    def get_help_text(self):
        return "密码不能包含用户名。"


# 等保 2.0 practice: a new password is none of the last five.
PASSWORD_HISTORY_SIZE = 5


class PasswordHistoryValidator:
    """Refuses one of the user's last `size` passwords, checked against their hashes (the
    current password counts among them, also for an account older than the history)."""

    def __init__(self, size: int = PASSWORD_HISTORY_SIZE):
        self.size = size

    def validate(self, password, user=None):
        if user is None or user.pk is None:
            return

        hashes = list(
            PasswordHistory.objects.filter(user=user)
            .order_by("-created_at", "-id")
            .values_list("password", flat=True)[: self.size]
        )
        # The stored hash, not the instance's (a form may already have set the new one);
        # an account older than the history has only that.
        current = (
            user.__class__._default_manager.filter(pk=user.pk)
            .values_list("password", flat=True)
            .first()
        )
        if current and current not in hashes:
            hashes = [current, *hashes]
        for encoded in hashes[: self.size]:
            if check_password(password, encoded):
                raise ValidationError(
                    f"新密码不能与最近 {self.size} 次使用过的密码相同。", code="password_reused"
                )

    def get_help_text(self):
        return f"新密码不能与最近 {self.size} 次使用过的密码相同。"


class PasswordChangeRecorder:
    """Validates nothing. Django calls every validator's `password_changed` when a user's
    password is saved after `set_password` (the change page, the admin, `changepassword`):
    that is when the new password's date and the audit record are written, and the user's
    API tokens revoked."""

    def validate(self, password, user=None):
        return None

    def get_help_text(self):
        return ""

    def password_changed(self, password, user=None):
        if user is None or user.pk is None:
            return

        now = timezone.now()
        PasswordState.objects.update_or_create(user=user, defaults={"password_changed_at": now})
        if user.password:
            PasswordHistory.objects.create(user=user, password=user.password, created_at=now)
            keep = PasswordHistory.objects.filter(user=user).order_by("-created_at", "-id")
            old = list(keep.values_list("pk", flat=True)[PASSWORD_HISTORY_SIZE:])
            if old:
                PasswordHistory.objects.filter(pk__in=old).delete()
        # Whoever knew the old password may have made a token with it: a new password ends
        # them all (a token being issued at this moment is refused under the user's row lock,
        # which this save holds: accounts.services._lock_credentials).
        # A reset by the 法制办 revokes them and writes its own record (PASSWORD_RESET,
        # accounts.people).
        if not service_is_recording():
            revoked, _ = ApiToken.objects.filter(user=user).delete()
            note = f"撤销接口令牌 {revoked} 个" if revoked else ""
            record_event(Event.PASSWORD_CHANGED, target=user, detail=note)
