"""The current user as the API sees them: username, display name, role and, for a clerk, the
department. Read-only; it answers whoever is signed in (a token or the portal's session)."""

from drf_spectacular.utils import extend_schema, extend_schema_serializer
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from lawgov.api import ApiMixin

from .roles import role_of


class MeView(ApiMixin, APIView):
    @extend_schema_serializer(component_name="Me")
    class OutputSerializer(serializers.Serializer):
        username = serializers.CharField()
        name = serializers.CharField()
        role = serializers.CharField(allow_null=True, help_text="clerk / reviewer / leader / admin")
        department = serializers.CharField(allow_null=True, help_text="填报员所属部门代码")

    @extend_schema(tags=["auth"], summary="当前用户与角色", responses={200: OutputSerializer})
    def get(self, request):
        user = request.user
        role = role_of(user)
        return Response(
            {
                "username": user.username,
                "name": user.display_name,
                "role": role.value if role else None,
                "department": user.department.code if user.department_id else None,
            }
        )
