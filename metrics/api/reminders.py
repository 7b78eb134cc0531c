"""Reminders (催报): a reviewer or the district leader reminds a department that its figures
for a period are due, at most once a day per department.

Invariants: views are thin: they validate shape with the input serializer, call one service
(`services.send_reminder`, which checks the permission and the once-a-day rule), serialize
the result."""

from drf_spectacular.utils import extend_schema, extend_schema_serializer
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from lawgov.api import ApiMixin
from lawgov.api_fields import CodeField, validated

from .. import services
from ..models import Department, ReportingPeriod


class ReminderView(ApiMixin, APIView):
    @extend_schema_serializer(component_name="ReminderInput")
    class InputSerializer(serializers.Serializer):
        period = CodeField(ReportingPeriod.objects.all())
        department = CodeField(Department.objects.all())

    @extend_schema_serializer(component_name="Reminder")
    class OutputSerializer(serializers.Serializer):
        id = serializers.IntegerField()
        period = serializers.CharField(source="period.code")
        department = serializers.CharField(source="department.code")
        date = serializers.DateField()
        unsent = serializers.IntegerField(help_text="未报送项数（未填与草稿；不含被退回的）")
        missing = serializers.IntegerField(
            source="unsent", help_text="已弃用：同 unsent，保留以兼容旧客户端"
        )
        returned = serializers.IntegerField(help_text="被退回待修改项数")

    @extend_schema(
        tags=["workflow"],
        summary="催报一个部门（审核员或区领导；每个部门每天一次）",
        description="在门户中给该部门发通知，并给其填报员发邮件。已全部报送或今天已催报过：400 invalid。",
        request=InputSerializer,
        responses={201: OutputSerializer},
    )
    def post(self, request):
        data = validated(self.InputSerializer, request)
        reminder = services.send_reminder(
            department=data["department"],
            period=data["period"],
            user=request.user,
            base_url=request.build_absolute_uri("/"),
        )
        return Response(self.OutputSerializer(reminder).data, status=status.HTTP_201_CREATED)
