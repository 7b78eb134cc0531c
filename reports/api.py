"""REST API for report jobs: request a speech (202 + the job's URL), poll it, download the PDF or
DOCX. The same `reports.services.request_report` and permissions as the report panel."""

import django_filters
from django.http import FileResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from lawgov.api import ApiError, ApiMixin, error_response, int_or_404
from lawgov.api_fields import CodeField, choice_field
from metrics import access
from metrics.models import Area, ReportingPeriod

from . import access as report_access
from . import documents, services
from .models import JobStatus, Layout, ReportJob, ReportKind, ReportTemplate

CONTENT_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "ofd": "application/ofd",
}


class DeadlineSerializer(serializers.Serializer):
    label = serializers.CharField(help_text="如“报送”“公开”")
    month = serializers.IntegerField()
    day = serializers.IntegerField()


class DocumentSerializer(serializers.ModelSerializer):
    code = serializers.CharField(source="slug", help_text="文稿代码，申请生成时的 document")
    layout = choice_field(Layout.choices, read_only=True)
    current_version = serializers.SerializerMethodField(help_text="当前模板版本号")
    deadlines = DeadlineSerializer(many=True, help_text="时间节点（年度报告期为次年的某月某日）")

    class Meta:
        model = ReportTemplate
        fields = ["code", "name", "layout", "has_public_version", "current_version", "deadlines"]

    def get_current_version(self, document) -> int | None:
        versions = list(document.versions.all())  # prefetched, newest first
        return versions[0].number if versions else None


class ReportJobSerializer(serializers.ModelSerializer):
    period = serializers.CharField(source="period.code")
    area = serializers.CharField(source="area.code", help_text="文稿所属区域的代码")
    document = serializers.CharField(
        source="template_version.template.slug", help_text="文稿代码（如 speech、annual-report）"
    )
    source = serializers.IntegerField(
        source="source_id", allow_null=True, help_text="公开版所依据的正式稿任务编号"
    )
    requested_by = serializers.CharField(
        source="requested_by.username", allow_null=True, default=None
    )
    template_version = serializers.IntegerField(source="template_version.number")
    kind = choice_field(ReportKind.choices, read_only=True)
    status = choice_field(JobStatus.choices, inline=True, read_only=True)
    url = serializers.SerializerMethodField()
    pdf_url = serializers.SerializerMethodField(help_text="生成完成后的 PDF 下载地址，否则为 null")
    docx_url = serializers.SerializerMethodField(
        help_text="生成完成后的 Word 下载地址，否则为 null"
    )
    ofd_url = serializers.SerializerMethodField(
        help_text="生成完成后的 OFD（GB/T 33190 版式文档）下载地址，否则为 null"
    )

    class Meta:
        model = ReportJob
        fields = [
            "id",
            "period",
            "area",
            "document",
            "kind",
            "source",
            "status",
            "error",
            "template_version",
            "requested_by",
            "requested_at",
            "started_at",
            "finished_at",
            "url",
            "pdf_url",
            "pdf_size",
            "pdf_sha256",
            "docx_url",
            "docx_size",
            "docx_sha256",
            "ofd_url",
            "ofd_size",
            "ofd_sha256",
        ]

    def get_url(self, job) -> str:
        return reverse("api:report-detail", args=[job.pk])

    def get_pdf_url(self, job) -> str | None:
        return reverse("api:report-pdf", args=[job.pk]) if job.pdf else None

    def get_docx_url(self, job) -> str | None:
        return reverse("api:report-docx", args=[job.pk]) if job.docx else None

    def get_ofd_url(self, job) -> str | None:
        return reverse("api:report-ofd", args=[job.pk]) if job.ofd else None


class ReportCreatedSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    status = choice_field(JobStatus.choices, inline=True)
    url = serializers.CharField(help_text="任务地址，轮询直到 status 为 succeeded 或 failed")


class ReportRequestInput(serializers.Serializer):
    period = CodeField(ReportingPeriod.objects.all(), help_text="报告期代码")
    area = CodeField(
        Area.objects.all(),
        required=False,
        help_text="区域代码：为哪个区域生成（须在本人可见范围内，否则 403）；不填为本人所在区域",
    )
    document = serializers.SlugRelatedField(
        slug_field="slug",
        queryset=ReportTemplate.objects.all(),
        required=False,
        help_text="文稿代码（见 /reports/documents/）；不填为讲话稿 speech",
    )
    kind = choice_field(
        ReportKind.choices,
        default=ReportKind.DRAFT,
        help_text=(
            "draft 草稿（可有缺项）；final 正式稿（全部数据须已审核，否则 409）；"
            "公开版 public 由审核员在门户中审定正式稿后生成，不能在此申请"
        ),
    )

    def validate_kind(self, value):
        if value == ReportKind.PUBLIC:
            raise serializers.ValidationError("公开版须在门户中审定正式稿后生成。")
        return value


class ReportJobFilter(django_filters.FilterSet):
    period = django_filters.CharFilter(field_name="period__code", help_text="报告期代码")
    area = django_filters.CharFilter(field_name="area__code", help_text="区域代码")
    document = django_filters.CharFilter(
        field_name="template_version__template__slug", help_text="文稿代码"
    )
    kind = django_filters.ChoiceFilter(choices=ReportKind.choices)
    status = django_filters.ChoiceFilter(choices=JobStatus.choices)

    class Meta:
        model = ReportJob
        fields = ["period", "area", "document", "kind", "status"]


def _download_schema(fmt: str):
    return extend_schema(
        tags=["reports"],
        summary=f"下载讲话稿（{fmt.upper()}）",
        description="生成完成前返回 404 not_ready。",
        responses={
            (200, CONTENT_TYPES[fmt]): OpenApiResponse(OpenApiTypes.BINARY),
            404: error_response("任务不存在（not_found）或尚未生成完成（not_ready）"),
        },
    )


@extend_schema_view(
    list=extend_schema(tags=["reports"], summary="讲话稿生成任务列表"),
    retrieve=extend_schema(tags=["reports"], summary="一个生成任务的状态"),
)
class ReportJobViewSet(
    ApiMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    serializer_class = ReportJobSerializer
    filterset_class = ReportJobFilter
    lookup_value_regex = "[0-9]+"
    queryset = ReportJob.objects.select_related(
        "period", "requested_by", "template_version__template", "area"
    ).order_by("-requested_at", "-id")

    def get_queryset(self):
        # A job of an area outside what the user sees is as if it did not exist (404).
        return documents.jobs_in_scope(super().get_queryset(), user=self.request.user)

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        # As on the report panel: only those who may see reports reach any of this.
        access.require(report_access.can_view_reports(request.user), "您没有查看讲话稿的权限。")

    def get_object(self):
        return get_object_or_404(self.get_queryset(), pk=int_or_404(self.kwargs["pk"]))

    @extend_schema(
        tags=["reports"],
        summary="申请生成讲话稿（异步：202 Accepted）",
        description=(
            "数据被冻结为快照后排队生成；`Location` 头与 `url` 指向任务，轮询其 `status`。"
            "正式稿有缺项或未审核数据时 409 report_not_ready（`gaps` 列出缺项）；"
            "任务队列不可用时 503 queue_unavailable。"
        ),
        request=ReportRequestInput,
        responses={
            202: ReportCreatedSerializer,
            409: error_response("正式稿尚有数据未填写或未审核（report_not_ready）"),
            503: error_response("任务队列不可用（queue_unavailable）"),
        },
        parameters=[
            OpenApiParameter(
                "Location",
                OpenApiTypes.URI,
                location=OpenApiParameter.HEADER,
                response=[202],
                description="任务地址",
            )
        ],
    )
    def create(self, request):
        serializer = ReportRequestInput(data=request.data)
        serializer.is_valid(raise_exception=True)
        job = services.request_report(
            period=serializer.validated_data["period"],
            kind=serializer.validated_data["kind"],
            user=request.user,
            template=serializer.validated_data.get("document"),
            area=serializer.validated_data.get("area") or access.scope_of(request.user),
        )
        job.refresh_from_db()  # an eager worker may have finished it already
        url = reverse("api:report-detail", args=[job.pk])
        return Response(
            {"id": job.pk, "status": job.status, "url": url},
            status=status.HTTP_202_ACCEPTED,
            headers={"Location": request.build_absolute_uri(url)},
        )

    def _download(self, fmt: str):
        job = self.get_object()
        file_field = getattr(job, fmt)
        if job.status == JobStatus.SUCCEEDED and not file_field:  # an OFD of an older build
            raise ApiError("not_found", "该任务生成时尚未提供此格式，请重新生成文稿。", 404)
        if job.status != JobStatus.SUCCEEDED or not file_field:
            raise ApiError(
                "not_ready",
                f"讲话稿尚未生成完成（当前状态：{job.get_status_display()}）。",
                status.HTTP_404_NOT_FOUND,
                job_status=job.status,
            )
        filename = documents.file_name(job, fmt)
        try:
            handle = file_field.open("rb")
        except FileNotFoundError:
            raise ApiError("not_found", "文件不存在或已被删除。", 404) from None
        return FileResponse(
            handle, as_attachment=True, filename=filename, content_type=CONTENT_TYPES[fmt]
        )

    def perform_content_negotiation(self, request, force=False):
        # Downloads answer with the file whatever the Accept header; errors stay JSON.
        return super().perform_content_negotiation(request, force=True)

    @extend_schema(
        tags=["reports"],
        summary="文稿列表（讲话稿、年度报告等）",
        description="申请生成时以 `document` 传入文稿代码 `code`。",
        responses={200: DocumentSerializer(many=True)},
    )
    @action(detail=False, methods=["get"], filterset_class=None, pagination_class=None)
    def documents(self, request):
        return Response(DocumentSerializer(documents.documents(), many=True).data)

    @_download_schema("pdf")
    @action(detail=True, methods=["get"])
    def pdf(self, request, pk=None):
        return self._download("pdf")

    @_download_schema("docx")
    @action(detail=True, methods=["get"])
    def docx(self, request, pk=None):
        return self._download("docx")

    @_download_schema("ofd")
    @action(detail=True, methods=["get"])
    def ofd(self, request, pk=None):
        return self._download("ofd")
