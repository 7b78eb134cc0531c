"""Refusals that carry their own meaning over HTTP, as DRF's APIException does.

Each app's exceptions subclass DomainError (alone, or beside Django's PermissionDenied or
ValidationError, which the pages catch) and say their `status_code`, `default_code` (the
API's stable `code`) and Chinese `default_detail`. The API's one exception handler
(lawgov.api) reads these without knowing any app."""


class DomainError(Exception):
    status_code = 400
    default_code = "invalid"
    default_detail = "请求无法完成。"

    def api_code(self) -> str:
        return self.default_code

    def api_message(self) -> str:
        """The Chinese sentence of the API's answer: the exception's own text where it was
        raised with one, else the class's default."""
        own = str(self.args[0]) if self.args and isinstance(self.args[0], str) else ""
        return own if _is_chinese(own) else self.default_detail

    def api_extra(self) -> dict:
        """Further fields of the answer ({"current": …}, {"gaps": […]})."""
        return {}


def _is_chinese(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)
