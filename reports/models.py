from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

from metrics.models import Area, ReportingPeriod

from .deadlines import due_dates, parse_deadlines


class Layout(models.TextChoices):
    SPEECH = "speech", "讲话稿"
    REPORT = "report", "公文（报告）"


# The built-in documents, by their stable codes.
SPEECH_SLUG = "speech"
ANNUAL_REPORT_SLUG = "annual-report"


def _no_deadlines():
    return []


class ReportTemplate(models.Model):
    """One document the office writes (讲话稿, 法治政府建设年度报告, 简报 …) as editable
    text; each edit is kept as a new `TemplateVersion`."""

    name = models.CharField("名称", max_length=200, unique=True)
    slug = models.SlugField(
        "代码", max_length=50, unique=True, help_text="稳定的英文代码，如 speech、annual-report"
    )
    title = models.CharField(
        "文件名称", max_length=100, blank=True, help_text="下载的文件名，如“法治政府建设年度报告”"
    )
    layout = models.CharField("版式", max_length=10, choices=Layout.choices, default=Layout.SPEECH)
    # [{"label": "报送", "month": 3, "day": 1}, …]: for an annual period, that day of the
    # following year (see `due_dates`).
    deadlines = models.JSONField("时间节点", default=_no_deadlines, blank=True)
    has_public_version = models.BooleanField(
        "有公开版", default=False, help_text="正式稿经审定、删去不宜公开的内容后另行生成公开版"
    )
    position = models.PositiveSmallIntegerField("排序", default=0)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    # Who changed the document's deadlines (or name, layout) and why; its text has versions.
    history = HistoricalRecords(verbose_name="文稿设置历史", excluded_fields=["created_at"])

    class Meta:
        verbose_name = "文稿模板"
        verbose_name_plural = "文稿模板"
        ordering = ["position", "id"]
        permissions = [
            ("edit_template", "编辑讲话稿模板"),
            ("review_public_version", "审定公开版（标记不予公开的内容）"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(layout__in=Layout.values), name="report_template_layout_valid"
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def file_title(self) -> str:
        return self.title or self.name

    def clean(self):
        from django.core.exceptions import ValidationError

        try:
            parse_deadlines(self.deadlines)
        except ValueError as exc:
            raise ValidationError({"deadlines": str(exc)}) from exc

    def due_dates(self, period: ReportingPeriod):
        """The document's deadlines for `period` (see reports.deadlines)."""

        return due_dates(self.deadlines, period)

    @property
    def current_version(self):
        return self.versions.order_by("-number").first()


class TemplateVersion(models.Model):
    """One saved state of a template; never changed afterwards, so old reports can be rebuilt."""

    template = models.ForeignKey(
        ReportTemplate, verbose_name="模板", on_delete=models.PROTECT, related_name="versions"
    )
    number = models.PositiveIntegerField("版本号")
    text = models.TextField("模板内容")
    comment = models.CharField("修改说明", max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="修改人",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField("保存时间", auto_now_add=True)

    class Meta:
        verbose_name = "模板版本"
        verbose_name_plural = "模板版本"
        ordering = ["template", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["template", "number"], name="template_version_unique_number"
            ),
            models.CheckConstraint(
                condition=Q(number__gte=1), name="template_version_number_positive"
            ),
        ]

    def __str__(self):
        return f"{self.template.name} 第{self.number}版"


class ReportKind(models.TextChoices):
    DRAFT = "draft", "草稿"
    FINAL = "final", "正式稿"
    PUBLIC = "public", "公开版"


def _no_exclusions():
    return {}


class JobStatus(models.TextChoices):
    QUEUED = "queued", "排队中"
    RUNNING = "running", "生成中"
    SUCCEEDED = "succeeded", "已完成"
    FAILED = "failed", "失败"


def home_area_id():
    """A new job's area unless it names one: the installation's own (its first root)."""
    return (
        Area.objects.filter(parent__isnull=True)
        .order_by("path")
        .values_list("pk", flat=True)
        .first()
    )


def _report_path(job, filename):
    return f"reports/{job.period.code}/{filename}"


class ReportJob(models.Model):
    """A request for the speech of one period, with the figures it used frozen in `snapshot`."""

    period = models.ForeignKey(
        ReportingPeriod, verbose_name="报告期", on_delete=models.PROTECT, related_name="report_jobs"
    )
    kind = models.CharField("类型", max_length=10, choices=ReportKind.choices)
    # Whose document it is: a district's speech from its own figures, the city's summary from
    # the figures rolled up from its districts (reports.area_figures).
    area = models.ForeignKey(
        Area,
        verbose_name="区域",
        on_delete=models.PROTECT,
        related_name="report_jobs",
        default=home_area_id,
    )
    template_version = models.ForeignKey(
        TemplateVersion, verbose_name="模板版本", on_delete=models.PROTECT, related_name="jobs"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="申请人",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    requested_at = models.DateTimeField("申请时间", auto_now_add=True)
    retried_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="最后重试人",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    retried_at = models.DateTimeField("最后重试时间", null=True, blank=True)
    # When the job last went into the queue: its request, or a retry. Stuck-job detection
    # counts from here, so a retried job gets the full time again.
    queued_at = models.DateTimeField("入队时间", default=timezone.now)
    status = models.CharField(
        "状态", max_length=10, choices=JobStatus.choices, default=JobStatus.QUEUED
    )
    error = models.TextField("错误信息", blank=True)
    attempts = models.PositiveSmallIntegerField("执行次数", default=0)
    started_at = models.DateTimeField("开始时间", null=True, blank=True)
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)
    snapshot = models.JSONField("数据快照")
    pdf = models.FileField("PDF", upload_to=_report_path, blank=True)
    pdf_size = models.PositiveIntegerField("PDF 大小", null=True, blank=True)
    pdf_sha256 = models.CharField("PDF SHA-256", max_length=64, blank=True)
    docx = models.FileField("Word", upload_to=_report_path, blank=True)
    docx_size = models.PositiveIntegerField("Word 大小", null=True, blank=True)
    docx_sha256 = models.CharField("Word SHA-256", max_length=64, blank=True)
    # GB/T 33190 版式文档 for 电子公文 systems and archives; empty for jobs built before it.
    ofd = models.FileField("OFD", upload_to=_report_path, blank=True)
    ofd_size = models.PositiveIntegerField("OFD 大小", null=True, blank=True)
    ofd_sha256 = models.CharField("OFD SHA-256", max_length=64, blank=True)
    # A public version: the final build it was reviewed from, and what the reviewer left out
    # ({"paragraphs": [index, …], "codes": [code, …]}).
    source = models.ForeignKey(
        "self",
        verbose_name="所依据的正式稿",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="public_versions",
    )
    exclusions = models.JSONField("不予公开的内容", default=_no_exclusions, blank=True)

    class Meta:
        verbose_name = "讲话稿生成任务"
        verbose_name_plural = "讲话稿生成任务"
        ordering = ["-requested_at", "-id"]
        permissions = [("request_report", "申请生成讲话稿"), ("view_report", "查看和下载讲话稿")]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=ReportKind.values), name="report_job_kind_valid"
            ),
            models.CheckConstraint(
                condition=Q(status__in=JobStatus.values), name="report_job_status_valid"
            ),
            models.CheckConstraint(
                condition=~Q(status=JobStatus.SUCCEEDED) | (~Q(pdf="") & ~Q(docx="")),
                name="report_job_succeeded_has_files",
            ),
            models.CheckConstraint(
                condition=Q(kind="public", source__isnull=False)
                | (~Q(kind="public") & Q(source__isnull=True)),
                name="report_job_public_has_source",
            ),
        ]

    def __str__(self):
        return f"{self.period.label}{self.document.name}（{self.get_kind_display()}）#{self.pk}"

    @property
    def document(self) -> ReportTemplate:
        return self.template_version.template

    @property
    def excluded_paragraphs(self) -> list[int]:
        return list((self.exclusions or {}).get("paragraphs", []))

    @property
    def excluded_codes(self) -> list[str]:
        return list((self.exclusions or {}).get("codes", []))

    @property
    def is_finished(self):
        return self.status in (JobStatus.SUCCEEDED, JobStatus.FAILED)

    @property
    def duration(self):
        if self.started_at and self.finished_at:
            return (self.finished_at - self.started_at).total_seconds()
        return None


class ReportEvent(models.Model):
    """Who did what to a document's reports, kept for good (an audit trail): the review of
    a public version and its build, and the steps of an import (从文档导入) before it is
    accepted."""

    class Action(models.TextChoices):
        PUBLIC_REQUESTED = "public_requested", "审定并生成公开版"
        IMPORT_STARTED = "import_started", "上传文档导入"
        IMPORT_EDITED = "import_edited", "修改导入方案"
        IMPORT_RESET = "import_reset", "撤销导入方案的修改"

    action = models.CharField("操作", max_length=30, choices=Action.choices)
    job = models.ForeignKey(
        ReportJob,
        verbose_name="任务",
        on_delete=models.PROTECT,
        related_name="events",
        null=True,
        blank=True,
    )
    document_import = models.ForeignKey(
        "DocumentImport",
        verbose_name="文档导入",
        on_delete=models.PROTECT,
        related_name="events",
        null=True,
        blank=True,
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="操作人",
        on_delete=models.PROTECT,
        related_name="+",
    )
    detail = models.JSONField("详情", default=dict, blank=True)
    at = models.DateTimeField("时间", auto_now_add=True)

    class Meta:
        verbose_name = "文稿操作记录"
        verbose_name_plural = "文稿操作记录"
        ordering = ["-at", "-id"]

    def __str__(self):
        return f"{self.get_action_display()} #{self.job_id or self.document_import_id}"


def _no_edits():
    return []


class DocumentImport(models.Model):
    """A document being imported (从文档导入): what was uploaded, read into paragraphs, and the
    reviewer's edits of the proposal, kept until it is accepted (and afterwards, as the record
    of where a document and its figures came from)."""

    source_name = models.CharField("来源文件", max_length=200)
    paragraphs = models.JSONField("段落")  # [{"text", "level", "lead"}, …]
    edits = models.JSONField("修改", default=_no_edits, blank=True)  # [["unbind", 3], …]
    period = models.ForeignKey(
        ReportingPeriod, verbose_name="报告期", on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField("新文稿名称", max_length=200, blank=True)
    document = models.ForeignKey(
        ReportTemplate,
        verbose_name="文稿",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="imports",
        help_text="更新的已有文稿；接受后为所建或所更新的文稿",
    )
    layout = models.CharField("版式", max_length=10, choices=Layout.choices, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="导入人", on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("导入时间", auto_now_add=True)
    accepted_at = models.DateTimeField("接受时间", null=True, blank=True)

    class Meta:
        verbose_name = "文档导入"
        verbose_name_plural = "文档导入"
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.source_name}（{self.created_at:%Y-%m-%d}）"
