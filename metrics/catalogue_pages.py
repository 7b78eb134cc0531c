"""What the 指标管理 pages share: only the catalogue's manager (法制办) may open them, a
refusal reads as one Chinese sentence, and a retire/restore or deactivate/activate asks for
confirmation (and a reason) on a page of its own."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render

from . import access


def require_manager(request):
    access.require(
        access.can_manage_catalogue(request.user),
        "只有法制办（指标目录管理员）可以管理指标目录。",
    )


def first_message(exc: ValidationError) -> str:
    return "；".join(exc.messages)


def confirm_page(
    request,
    *,
    title,
    consequence,
    action,
    back,
    reason_required,
    with_date=False,
    error="",
    reason="",
    on="",
):
    return render(
        request,
        "metrics/catalogue/confirm.html",
        {
            "title": title,
            "consequence": consequence,
            "action": action,
            "back": back,
            "reason_required": reason_required,
            "with_date": with_date,
            "error": error,
            "reason": reason,
            "on": on,
        },
        status=400 if error else 200,
    )


def confirmed(request, page: dict, act, *, done: str, to: str, shown: dict | None = None):
    """The confirmation page of a retire/restore or deactivate/activate: GET shows it, POST
    calls `act(reason)` and says `done`, or shows the page again with the refusal and what was
    typed (`shown`: further fields to keep, such as the date)."""
    shown = shown or {}
    if request.method == "GET":
        return confirm_page(request, **page, **shown)
    reason = request.POST.get("reason", "")
    try:
        act(reason)
    except ValidationError as exc:
        return confirm_page(request, **page, **shown, error=first_message(exc), reason=reason)
    messages.success(request, done)
    return redirect(to)
