"""The API's own login: POST a user name and password (and the two-step code when enrolled)
to get a token; DELETE with a token revokes it. Failed attempts count towards django-axes'
lockout exactly as the login page's do. Also the 法制办's user management (/api/v1/users/),
through accounts.people as the pages are."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_serializer
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import AllowAny, BasePermission, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.roles import GROUP_NAMES, Role
from lawgov.api import ApiError, ApiMixin, code_or_404, error_response, register_refusals
from metrics.models import Department, User

from . import people, services
from .models import ApiToken
from .permissions import PasswordChanged, SecondFactorChecked
from .tokens import TokenAuthentication

# accounts.people: the last active reviewer is neither deactivated nor demoted.
register_refusals({"last_manager": status.HTTP_409_CONFLICT})


@extend_schema_serializer(component_name="ApiTokenCreated")
class TokenSerializer(serializers.Serializer):
    token = serializers.CharField(
        help_text="令牌本身，只在此返回一次；请求头 `Authorization: Token <令牌>`"
    )
    prefix = serializers.CharField(help_text="令牌开头几位，用于在“我的接口令牌”页面辨认")
    name = serializers.CharField()
    expiry = serializers.DateTimeField(allow_null=True, help_text="过期时间，此后须重新获取")


class TokenObtainView(ApiMixin, APIView):
    # Tokens only: POST needs none (its credentials are in the body, so no CSRF either);
    # DELETE names the token to revoke by authenticating with it.
    authentication_classes = [TokenAuthentication]
    permission_classes = [AllowAny]

    @extend_schema_serializer(component_name="TokenObtain")
    class InputSerializer(serializers.Serializer):
        username = serializers.CharField(max_length=150)
        password = serializers.CharField(max_length=128, style={"input_type": "password"})
        otp = serializers.CharField(
            max_length=10, required=False, allow_blank=True, help_text="已启用两步验证时必填"
        )
        name = serializers.CharField(
            max_length=100, required=False, allow_blank=True, help_text="令牌名称，如调用方系统名"
        )

    @extend_schema(
        tags=["auth"],
        summary="用用户名和密码获取接口令牌",
        request=InputSerializer,
        responses={
            201: TokenSerializer,
            401: error_response("用户名、密码或两步验证码不正确（invalid_credentials）"),
            403: error_response(
                "须先在门户启用两步验证（forbidden），或须先修改一次性或已过期的密码"
                "（password_change_required）"
            ),
            429: error_response("登录失败次数过多，已暂时锁定（locked_out）"),
        },
    )
    def post(self, request):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            token, raw = services.obtain_token(
                # django-axes reads and marks the Django request, not DRF's wrapper.
                request=request._request,
                username=data.validated_data["username"],
                password=data.validated_data["password"],
                otp=data.validated_data.get("otp", ""),
                name=data.validated_data.get("name", ""),
            )
        except services.LockedOut:
            raise ApiError(
                "locked_out", "登录失败次数过多，已暂时锁定，请稍后再试。", 429
            ) from None
        except services.BadCredentials as exc:
            raise ApiError("invalid_credentials", str(exc), status.HTTP_401_UNAUTHORIZED) from None
        return Response(_token_body(token, raw), status=status.HTTP_201_CREATED)

    @extend_schema(
        tags=["auth"],
        summary="撤销本次请求所用的令牌",
        request=None,
        responses={204: None},
    )
    def delete(self, request):
        if not isinstance(request.auth, ApiToken):
            raise ApiError("not_authenticated", "请在请求头中提供要撤销的令牌。", 401)
        services.revoke_token(user=request.user, token_key=request.auth.token_key, request=request)
        return Response(status=status.HTTP_204_NO_CONTENT)

    def get_permissions(self):
        if self.request.method == "DELETE":
            return [IsAuthenticated()]
        return super().get_permissions()


def _token_body(token, raw):
    return {"token": raw, "prefix": token.prefix, "name": token.name, "expiry": token.expiry}


# ---------------------------------------------------------------------------------------
# /api/v1/users/: the 法制办's account management (accounts.people), for a reviewer's
# token only: the portal's pages serve a session, so no session (and no CSRF) here.


class ManagesAccounts(BasePermission):
    message = people.NOT_ALLOWED

    def has_permission(self, request, view):
        return people.can_manage(request.user)


ROLE_CHOICES = [(role.value, people.ROLE_SHORT[role]) for role in people.MANAGED_ROLES]


def _role_value(target):
    if target.is_superuser:
        return Role.ADMIN.value
    names = {group.name for group in target.groups.all()}
    for role in (Role.REVIEWER, Role.LEADER, Role.CLERK):
        if GROUP_NAMES[role] in names:
            return role.value
    return None


@extend_schema_serializer(component_name="PortalUser")
class UserSerializer(serializers.Serializer):
    username = serializers.CharField()
    name = serializers.CharField(source="display_name")
    role = serializers.SerializerMethodField(help_text="clerk / reviewer / leader / admin")
    department = serializers.CharField(
        source="department.code", allow_null=True, default=None, help_text="填报员所属部门代码"
    )
    email = serializers.CharField()
    is_active = serializers.BooleanField(help_text="false：已停用，不能登录")
    must_change_password = serializers.BooleanField(help_text="true：下次登录须修改一次性密码")
    last_login = serializers.DateTimeField(allow_null=True)

    def get_role(self, target) -> str | None:
        return _role_value(target)


@extend_schema_serializer(component_name="PortalUserWithPassword")
class UserPasswordSerializer(serializers.Serializer):
    user = UserSerializer()
    password = serializers.CharField(
        help_text="一次性密码，只在此返回一次（门户只保存其摘要）；用户首次登录时须修改"
    )


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(
        max_length=200, required=False, allow_blank=True, help_text="原因，记入账号审计记录"
    )


@extend_schema_serializer(component_name="PortalUserCreate")
class UserCreateSerializer(ReasonSerializer):
    username = serializers.CharField(max_length=150)
    name = serializers.CharField(max_length=150, help_text="姓名")
    role = serializers.ChoiceField(choices=ROLE_CHOICES)
    department = serializers.CharField(
        max_length=40,
        required=False,
        allow_blank=True,
        help_text="部门代码：填报员必填，其他角色不填",
    )
    email = serializers.CharField(max_length=254, required=False, allow_blank=True)


@extend_schema_serializer(component_name="PortalUserMove")
class MoveSerializer(ReasonSerializer):
    department = serializers.CharField(max_length=40, help_text="新部门代码（未停用）")


def _department_or_400(code):
    code = (code or "").strip()
    if not code:
        return None
    department = Department.objects.filter(code=code_or_404(code)).first()
    if department is None:
        raise ApiError("invalid", f"部门代码“{code}”不存在。", status.HTTP_400_BAD_REQUEST)
    return department


_ERRORS = {
    400: error_response("数据不正确，如部门已停用、用户名已存在（invalid）"),
    403: error_response("不是审核员的令牌，或对象是系统管理员、是自己（forbidden）"),
}


def _users_schema(summary, request=None, response=UserSerializer, status_code=200):
    return extend_schema(
        tags=["users"],
        summary=summary,
        request=request,
        responses={status_code: response, **_ERRORS},
    )


class UserViewSet(ApiMixin, viewsets.GenericViewSet):
    authentication_classes = [TokenAuthentication]
    permission_classes = [IsAuthenticated, PasswordChanged, SecondFactorChecked, ManagesAccounts]
    serializer_class = UserSerializer
    lookup_field = "username"
    lookup_value_regex = "[^/]+"

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the schema, built with no user
            return User.objects.none()
        request = self.request
        return people.users(
            user=request.user,
            q=request.query_params.get("q", ""),
            role=request.query_params.get("role", ""),
            active=request.query_params.get("active", ""),
        )

    def get_object(self):
        username = code_or_404(self.kwargs["username"])
        return get_object_or_404(
            User.objects.select_related("department").prefetch_related("groups"),
            username=username,
        )

    def _answer(self, target, http_status=status.HTTP_200_OK):
        target = self.get_object() if target is None else target
        fresh = User.objects.prefetch_related("groups").select_related("department")
        return Response(UserSerializer(fresh.get(pk=target.pk)).data, status=http_status)

    @extend_schema(
        tags=["users"],
        summary="用户列表（审核员）",
        parameters=[
            OpenApiParameter("q", str, description="按用户名、姓名或部门搜索"),
            OpenApiParameter("role", str, description="clerk / reviewer / leader / admin"),
            OpenApiParameter("active", str, description="1 启用，0 已停用"),
        ],
    )
    def list(self, request):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(UserSerializer(page, many=True).data)

    @_users_schema("添加用户，返回一次性密码", UserCreateSerializer, UserPasswordSerializer, 201)
    def create(self, request):
        data = UserCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        target, password = people.create_user(
            user=request.user,
            username=values["username"],
            name=values["name"],
            role=values["role"],
            department=_department_or_400(values.get("department")),
            email=values.get("email", ""),
            reason=values.get("reason", ""),
            request=request._request,
        )
        return self._with_password(target, password, status.HTTP_201_CREATED)

    def _with_password(self, target, password, http_status):
        user = self._answer(target).data
        response = Response({"user": user, "password": password}, status=http_status)
        response["Cache-Control"] = "no-store"
        return response

    def _reason(self, request):
        data = ReasonSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return data.validated_data.get("reason", "")

    @_users_schema("停用用户", ReasonSerializer)
    @action(detail=True, methods=["post"])
    def deactivate(self, request, username=None):
        target = people.deactivate_user(
            user=request.user,
            target=self.get_object(),
            reason=self._reason(request),
            request=request._request,
        )
        return self._answer(target)

    @_users_schema("重新启用用户", ReasonSerializer)
    @action(detail=True, methods=["post"])
    def reactivate(self, request, username=None):
        target = people.reactivate_user(
            user=request.user,
            target=self.get_object(),
            reason=self._reason(request),
            request=request._request,
        )
        return self._answer(target)

    @_users_schema("将填报员调整到另一部门", MoveSerializer)
    @action(detail=True, methods=["post"])
    def move(self, request, username=None):
        data = MoveSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        department = _department_or_400(data.validated_data["department"])
        target = people.move_user(
            user=request.user,
            target=self.get_object(),
            department=department,
            reason=data.validated_data.get("reason", ""),
            request=request._request,
        )
        return self._answer(target)

    @_users_schema("重置密码，返回一次性密码", ReasonSerializer, UserPasswordSerializer)
    @action(detail=True, methods=["post"], url_path="reset-password")
    def reset_password(self, request, username=None):
        target = self.get_object()
        password = people.reset_password(
            user=request.user,
            target=target,
            reason=self._reason(request),
            request=request._request,
        )
        return self._with_password(target, password, status.HTTP_200_OK)
