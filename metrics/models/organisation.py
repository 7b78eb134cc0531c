"""Who reports: departments, the portal's accounts and the speech's sections."""

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models.functions import Lower
from simple_history.models import HistoricalRecords

from .areas import Area, UnitKind


class Department(models.Model):
    """A reporting unit that supplies figures (区司法局, 公安分局, 某镇司法所 …): one unit of
    a kind (UnitKind) in one area; its figures stay its own wherever the tree changes."""

    code = models.SlugField("代码", max_length=40, unique=True)
    name = models.CharField("名称", max_length=100, unique=True)
    short_name = models.CharField("简称", max_length=40, blank=True)
    order = models.PositiveIntegerField("排序", default=0)
    area = models.ForeignKey(
        Area, verbose_name="所属区域", on_delete=models.PROTECT, related_name="units"
    )
    kind = models.ForeignKey(
        UnitKind, verbose_name="单位类别", on_delete=models.PROTECT, related_name="units"
    )
    # A retired department keeps its past figures and reports; it takes no new clerks and
    # owns no new indicators (metrics.services.catalogue.retire_department).
    retired_at = models.DateTimeField("停用时间", null=True, blank=True)
    history = HistoricalRecords(verbose_name="部门历史")

    class Meta:
        verbose_name = "部门"
        verbose_name_plural = "部门"
        ordering = ["order", "code"]

    def __str__(self):
        return self.name

    @property
    def is_retired(self):
        return self.retired_at is not None


class User(AbstractUser):
    """A portal account. A clerk belongs to exactly one department; the other roles to none."""

    department = models.ForeignKey(
        Department,
        verbose_name="所属部门",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="members",
    )
    # The area whose office the user works for (a city or district reviewer or leader): they
    # see that subtree and approve at its level (metrics.access.scope_of). Empty: the
    # installation's root, as every account was before the area tree. A clerk's scope is
    # their own unit.
    area = models.ForeignKey(
        Area,
        verbose_name="所属区域",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="officials",
    )
    # Set when an administrator gives the user a one-time password (a new account, a
    # reset): the portal lets them do nothing else until they choose their own.
    must_change_password = models.BooleanField("下次登录须修改密码", default=False)

    class Meta(AbstractUser.Meta):
        verbose_name = "用户"
        verbose_name_plural = "用户"
        permissions = [("manage_accounts", "管理部门和用户账号")]
        constraints = [
            # Login is by user name in any case ("Zhang" and "zhang" are one person), so
            # two of them may never exist, however they are created.
            models.UniqueConstraint(
                Lower("username"),
                name="user_username_unique_any_case",
                violation_error_message="该用户名已存在（不区分大小写）。",
            ),
        ]

    def __str__(self):
        full = f"{self.last_name}{self.first_name}".strip()
        return full or self.username

    @property
    def display_name(self):
        return str(self)


class Section(models.Model):
    """A part of the catalogue (the speech's four parts by default), in speaking order."""

    code = models.SlugField("代码", max_length=20, unique=True)
    name = models.CharField("名称", max_length=50)
    order = models.PositiveSmallIntegerField("顺序", unique=True)
    history = HistoricalRecords(verbose_name="讲话部分历史")

    class Meta:
        verbose_name = "讲话部分"
        verbose_name_plural = "讲话部分"
        ordering = ["order"]

    def __str__(self):
        return self.name
