"""/api/v1/ routes of the accounts: tokens, the signed-in user, and 用户管理."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from .api import TokenObtainView, UserViewSet
from .api_me import MeView

router = SimpleRouter()
router.register("users", UserViewSet, basename="user")

urlpatterns = [
    *router.urls,
    path("me/", MeView.as_view(), name="me"),
    path("auth/token/", TokenObtainView.as_view(), name="token-obtain"),
]
