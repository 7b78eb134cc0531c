from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from accounts.demo import FIGURES_2025
from metrics import services
from metrics.models import Department, Figure, FigureStatus, Indicator, ReportingPeriod, User
from tests import factories

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
ROLES = ["anonymous", "clerk_own", "clerk_other", "reviewer", "leader"]
USERNAMES = {
    "clerk_own": "clerk_sfj",
    "clerk_other": "clerk_gaj",
    "reviewer": "reviewer",
    "leader": "leader",
}


def token_client(user=None) -> APIClient:
    """What another system uses: a client that sends `Authorization: Token …`."""
    client = APIClient()
    if user is not None:
        client.credentials(HTTP_AUTHORIZATION=f"Token {factories.api_token(user)}")
    return client


@pytest.fixture
def users(demo_data):
    return {role: User.objects.get(username=name) for role, name in USERNAMES.items()}


@pytest.fixture
def clients(users):
    return {"anonymous": token_client(), **{role: token_client(u) for role, u in users.items()}}


@pytest.fixture
def clerk(users):
    """区司法局's clerk, through a token."""
    return token_client(users["clerk_own"])


@pytest.fixture
def reviewer(users):
    return token_client(users["reviewer"])


@pytest.fixture
def p2027(demo_data):
    """An open period without figures."""
    return factories.period("2027")


@pytest.fixture
def sfj(demo_data):
    return Department.objects.get(code="sfj")


@pytest.fixture
def gaj(demo_data):
    return Department.objects.get(code="gaj")


@pytest.fixture
def p2026(demo_data):
    return ReportingPeriod.objects.get(code="2026")


def figure_of(period, code) -> Figure:
    return Figure.objects.get(period=period, indicator__code=code)


def fill_missing(department, period, user):
    """Give every indicator of the department a value, as last year, where none is entered."""
    for indicator in Indicator.objects.entered().filter(department=department):
        figure = Figure.objects.filter(period=period, indicator=indicator).first()
        if figure is None or figure.value is None:
            services.save_figure(
                indicator=indicator,
                period=period,
                value=Decimal(FIGURES_2025[indicator.code]),
                user=user,
            )


def add_pdf_evidence(indicator, period, user):
    return services.add_evidence(
        indicator=indicator,
        period=period,
        user=user,
        upload=SimpleUploadedFile("依据.pdf", PDF),
    )


def submitted_figure(period, department) -> Figure:
    return (
        Figure.objects.filter(
            period=period, indicator__department=department, status=FigureStatus.SUBMITTED
        )
        .order_by("id")
        .first()
    )
