"""The area tree (行政区域): city → district/county → township/street, each valid for a span
of dates, and the kinds of reporting unit the catalogue names (司法局, 公安分局, 乡镇（街道）)."""

import datetime

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import F, Q
from simple_history.models import HistoricalRecords


class AreaLevel(models.TextChoices):
    PROVINCE = "province", "省"
    CITY = "city", "市"
    DISTRICT = "district", "区（县）"
    TOWNSHIP = "township", "乡镇（街道）"


# Top to bottom: a child is always at a lower level than its parent (a city may hold a
# district directly, a province a city; a level may be skipped, e.g. a city's 直管街道).
LEVEL_DEPTH = {
    AreaLevel.PROVINCE: 0,
    AreaLevel.CITY: 1,
    AreaLevel.DISTRICT: 2,
    AreaLevel.TOWNSHIP: 3,
}

# 行政区划代码: six digits for a county and above, nine or twelve below.
AREA_CODE_MESSAGE = "区域代码只能由 2 至 12 位数字组成（行政区划代码）。"
validate_area_code = RegexValidator(r"^[0-9]{2,12}\Z", AREA_CODE_MESSAGE, code="invalid_area_code")
PATH_SEPARATOR = "/"
# An area valid "since ever": the installation's first district, made by the migration.
EARLIEST = datetime.date(2000, 1, 1)


class Area(models.Model):
    """A 行政区域. Its parent never changes once it exists: a township that moves to another
    district or merges is closed (valid_to) and a new area opened, so that figures stay with
    the area (and unit) that reported them and a past period rolls up as it was."""

    code = models.CharField("区域代码", max_length=12, unique=True, validators=[validate_area_code])
    name = models.CharField("名称", max_length=50)
    # What documents write for {district}: 示范 in “示范区”, as the office always typed it.
    short_name = models.CharField("简称", max_length=40, blank=True)
    level = models.CharField("层级", max_length=10, choices=AreaLevel.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name="上级区域",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
    )
    # The codes from the root down, "/990100/990102/": a subtree is one indexed prefix match.
    path = models.CharField("路径", max_length=255, unique=True, editable=False)
    order = models.PositiveIntegerField("排序", default=0)
    valid_from = models.DateField("生效日期", default=EARLIEST)
    valid_to = models.DateField("撤销日期", null=True, blank=True)
    history = HistoricalRecords(verbose_name="区域历史")

    class Meta:
        verbose_name = "行政区域"
        verbose_name_plural = "行政区域"
        ordering = ["path"]
        constraints = [
            models.CheckConstraint(
                condition=Q(level__in=AreaLevel.values), name="area_level_valid"
            ),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=F("valid_from")),
                name="area_valid_dates_ordered",
                violation_error_message="撤销日期不能早于生效日期。",
            ),
            models.CheckConstraint(condition=~Q(parent=F("id")), name="area_not_its_own_parent"),
        ]
        indexes = [
            models.Index(
                fields=["path"], name="area_path_prefix", opclasses=["varchar_pattern_ops"]
            )
        ]
        permissions = [("manage_areas", "管理行政区域")]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        # The path follows from the parent's, which never changes (see the class docstring).
        prefix = self.parent.path if self.parent_id else PATH_SEPARATOR
        self.path = f"{prefix}{self.code}{PATH_SEPARATOR}"
        super().save(*args, **kwargs)

    @property
    def depth(self) -> int:
        return LEVEL_DEPTH[self.level]

    def is_valid_during(self, start: datetime.date, end: datetime.date) -> bool:
        return self.valid_from <= end and (self.valid_to is None or self.valid_to >= start)

    def clean(self):
        if self.parent_id is not None and self.parent.depth >= LEVEL_DEPTH.get(self.level, 0):
            raise ValidationError({"level": "下级区域的层级必须低于上级区域。"})
        if self.valid_to is not None and self.valid_to < self.valid_from:
            raise ValidationError({"valid_to": "撤销日期不能早于生效日期。"})


class UnitKind(models.Model):
    """What kind of unit reports an indicator: a department kind (司法局, 公安分局) whose one
    unit in each district reports it, or 乡镇（街道）, whose unit in each township does."""

    # As long as a department's code plus "-" and an area code, and as long as its name: a
    # new department's kind is named after it (metrics.services.kind_for).
    code = models.SlugField("代码", max_length=53, unique=True)
    name = models.CharField("名称", max_length=100, unique=True)
    level = models.CharField(
        "所在层级",
        max_length=10,
        choices=AreaLevel.choices,
        default=AreaLevel.DISTRICT,
        help_text="此类单位设在哪一层级的区域",
    )
    history = HistoricalRecords(verbose_name="单位类别历史")

    class Meta:
        verbose_name = "填报单位类别"
        verbose_name_plural = "填报单位类别"
        ordering = ["level", "code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(level__in=AreaLevel.values), name="unit_kind_level_valid"
            ),
        ]

    def __str__(self):
        return self.name
