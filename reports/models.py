from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from metrics.models import ReportingPeriod


class ReportTemplate(models.Model):
    """The speech as editable text; each edit is kept as a new `TemplateVersion`."""

    name = models.CharField("名称", max_length=200, unique=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        verbose_name = "讲话稿模板"
        verbose_name_plural = "讲话稿模板"
        permissions = [("edit_template", "编辑讲话稿模板")]

    def __str__(self):
        return self.name

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


class JobStatus(models.TextChoices):
    QUEUED = "queued", "排队中"
    RUNNING = "running", "生成中"
    SUCCEEDED = "succeeded", "已完成"
    FAILED = "failed", "失败"


def _report_path(job, filename):
    return f"reports/{job.period.code}/{filename}"


class ReportJob(models.Model):
    """A request for the speech of one period, with the figures it used frozen in `snapshot`."""

    period = models.ForeignKey(
        ReportingPeriod, verbose_name="报告期", on_delete=models.PROTECT, related_name="report_jobs"
    )
    kind = models.CharField("类型", max_length=10, choices=ReportKind.choices)
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
        ]

    def __str__(self):
        return f"{self.period.label}讲话稿（{self.get_kind_display()}）#{self.pk}"

    @property
    def is_finished(self):
        return self.status in (JobStatus.SUCCEEDED, JobStatus.FAILED)

    @property
    def poll_delay_ms(self) -> int:
        """How long the job page waits before asking for the job's state again: 50 ms for
        the first 3 s, when a warm worker finishes (the wait plus a ~30 ms request keeps the
        page within about 100 ms of the PDF being stored), then backing off to 100 ms,
        250 ms and 1 s for a job that waits in a queue or builds for longer."""
        age = (timezone.now() - (self.queued_at or self.requested_at)).total_seconds()
        for limit, delay in ((3, 50), (10, 100), (30, 250)):
            if age < limit:
                return delay
        return 1000

    @property
    def duration(self):
        if self.started_at and self.finished_at:
            return (self.finished_at - self.started_at).total_seconds()
        return None
