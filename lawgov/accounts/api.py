"""The API's own login: POST a user name and password (and the two-step code when enrolled)
to get a token; DELETE with a token revokes it. Failed attempts count towards django-axes'
lockout exactly as the login page's do."""

from drf_spectacular.utils import extend_schema, extend_schema_serializer
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from ..api import ApiError, ApiMixin, error_response
from ..models import ApiToken
from . import services
from .tokens import TokenAuthentication


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
            403: error_response("须先在门户启用两步验证（forbidden）"),
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
