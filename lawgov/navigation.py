"""The header's links, grouped (数据 / 文稿 / 管理 / 我的) so that a reviewer's dozen links fit
on one line and on a phone: each person sees only the links their permissions open, and a
group with a single link is that link."""

from dataclasses import dataclass

from django.urls import reverse


@dataclass(frozen=True)
class Link:
    label: str
    url: str


@dataclass(frozen=True)
class Group:
    label: str
    links: tuple[Link, ...]

    @property
    def single(self) -> Link | None:
        return self.links[0] if len(self.links) == 1 else None


# Who reads the whole of 修改历史: the permissions metrics.history.reads_everything asks for.
HISTORY_READERS = (
    "review_figures",
    "view_all_figures",
    "manage_catalogue",
    "manage_periods",
    "manage_accounts",
)


def has_api_use(user) -> bool:
    """Whether the person has something to do through the API (enter, review or keep the
    catalogue): only then is 接口令牌 offered."""
    return any(
        user.has_perm(p)
        for p in ("metrics.enter_figures", "metrics.review_figures", "metrics.manage_catalogue")
    )


def groups_for(user) -> list[Group]:
    if not user.is_authenticated:
        return []
    perm = user.has_perm
    data, documents, manage, mine = [], [], [], []
    if perm("metrics.enter_figures") and user.department_id:
        data.append(Link("数据填报", reverse("entry_current")))
    if perm("metrics.review_figures"):
        data.append(Link("数据审核", reverse("review_current")))
    if perm("metrics.view_all_figures") or user.department_id:
        data.append(Link("驾驶舱", reverse("dashboard:index")))
    if perm("reports.view_report"):
        documents.append(Link("讲话稿", reverse("reports:panel")))
    if perm("reports.edit_template"):
        documents.append(Link("文稿模板", reverse("reports:template")))
        if perm("metrics.manage_catalogue"):
            documents.append(Link("从文档导入", reverse("reports:import")))
    if perm("metrics.manage_catalogue"):
        manage.append(Link("指标管理", reverse("catalogue")))
    if perm("metrics.manage_periods"):
        manage.append(Link("报告期", reverse("periods")))
    if perm("metrics.manage_accounts"):
        manage.append(Link("用户管理", reverse("accounts:users")))
        manage.append(Link("系统设置", reverse("office_settings")))
    if perm("accounts.unlock_accounts"):
        manage.append(Link("登录锁定", reverse("accounts:lockouts")))
    if perm("accounts.view_accountevent"):
        manage.append(Link("账号审计", reverse("accounts:audit")))
    # 修改历史 (metrics.history.departments_for): the office reads it whole, a clerk their own.
    if user.is_superuser or any(perm(f"metrics.{p}") for p in HISTORY_READERS):
        manage.append(Link("修改历史", reverse("history")))
    elif perm("metrics.enter_figures") and user.department_id:
        data.append(Link("修改历史", reverse("history")))
    if user.is_superuser:
        manage.append(Link("后台管理", reverse("admin:index")))
    mine.append(Link("修改密码", reverse("password_change")))
    mine.append(Link("两步验证", reverse("accounts:otp_enrol")))
    if has_api_use(user):
        mine.append(Link("接口令牌", reverse("accounts:tokens")))
    named = (("数据", data), ("文稿", documents), ("管理", manage), ("我的", mine))
    return [Group(label, tuple(links)) for label, links in named if links]
