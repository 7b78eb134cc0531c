"""Evidence files (佐证材料) of a figure: the upload by the department's clerk, the download
for whoever may see the department's figures, and the deletion while the figure is editable.

Invariants: views are thin: they validate shape with the input serializer, call one service,
serialize the result. The upload is checked by `services.add_evidence` (permission first,
then the file's content, never its name or declared type); a download answers with the file
whatever the Accept header, an error stays JSON."""

from django.http import FileResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_serializer
from rest_framework import serializers, status
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from lawgov.api import ApiError, ApiMixin, int_or_404
from lawgov.api_fields import CodeField, validated

from .. import access, evidence, services
from ..models import Evidence, Indicator, ReportingPeriod


class EvidenceSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="original_name")
    url = serializers.SerializerMethodField(help_text="下载地址（需要查看该部门数据的权限）")

    class Meta:
        model = Evidence
        fields = ["id", "name", "content_type", "size", "sha256", "uploaded_at", "url"]

    def get_url(self, item) -> str:
        return reverse("api:evidence-download", args=[item.pk])


class EvidenceUploadView(ApiMixin, APIView):
    parser_classes = [MultiPartParser]

    @extend_schema_serializer(component_name="EvidenceUploadInput")
    class InputSerializer(serializers.Serializer):
        period = CodeField(ReportingPeriod.objects.all())
        indicator = CodeField(Indicator.objects.select_related("department"))
        file = serializers.FileField(
            allow_empty_file=True,  # the service says 文件是空的 in its own words
            help_text="PDF、PNG、JPEG、DOCX 或 XLSX，按内容判断类型",
            error_messages={
                "required": "请选择要上传的文件。",
                "null": "请选择要上传的文件。",
                "invalid": "上传的内容不是文件，请以 multipart/form-data 上传。",
                "no_name": "无法确定文件名。",
                "max_length": "文件名过长。",
            },
        )

    @extend_schema(
        tags=["figures"],
        summary="上传一项数据的佐证材料（填报员，本部门；multipart/form-data）",
        description=(
            "与网页相同的规则：按文件内容判断类型（PDF、PNG、JPEG、DOCX、XLSX），超过大小上限、"
            "伪装的类型、压缩炸弹均拒绝（400 invalid），什么也不保存；该数据尚不存在时建一条空草稿。"
        ),
        request={"multipart/form-data": InputSerializer},
        responses={201: EvidenceSerializer},
    )
    def post(self, request):
        data = validated(self.InputSerializer, request)
        item = services.add_evidence(
            indicator=data["indicator"],
            period=data["period"],
            upload=data["file"],
            user=request.user,
        )
        return Response(EvidenceSerializer(item).data, status=status.HTTP_201_CREATED)


class EvidenceView(ApiMixin, APIView):
    """One evidence file: its download, and its deletion by the department's clerk."""

    def _item(self, pk) -> Evidence:
        return get_object_or_404(
            Evidence.objects.select_related("figure__unit__area"), pk=int_or_404(pk)
        )

    @extend_schema(
        tags=["figures"],
        summary="下载佐证材料（需要查看该部门数据的权限）",
        responses={
            (200, kind.content_type): OpenApiResponse(OpenApiTypes.BINARY, description="文件内容")
            for kind in (evidence.PDF, evidence.PNG, evidence.JPEG, evidence.DOCX, evidence.XLSX)
        },
    )
    def get(self, request, pk):
        item = self._item(pk)
        access.require(
            access.can_view_department(request.user, item.figure.unit),
            "您无权查看该佐证材料。",
        )
        try:
            handle = item.file.open("rb")
        except FileNotFoundError:
            raise ApiError("not_found", "文件不存在或已被删除。", 404) from None
        response = FileResponse(
            handle, as_attachment=True, filename=item.original_name, content_type=item.content_type
        )
        response["Cache-Control"] = "private, no-store"
        return response

    @extend_schema(
        tags=["figures"],
        summary="删除佐证材料（填报员，本部门；数据已报送或已审核时不可删除）",
        responses={204: None},
    )
    def delete(self, request, pk):
        item = self._item(pk)
        services.delete_evidence(item=item, user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)

    def perform_content_negotiation(self, request, force=False):
        return super().perform_content_negotiation(request, force=True)
