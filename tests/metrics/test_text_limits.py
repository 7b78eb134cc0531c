"""Free texts have one limit per kind (metrics.texts), the same on every path: the entry form,
the row save, the sheet upload, the API, comments and reasons. Too long is refused with the
limit named, never cut, and what was typed is shown again."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from rest_framework.test import APIClient

from metrics import services
from metrics.models import Figure, FigureComment, FigureStatus, Indicator
from metrics.texts import COMMENT, EXPLANATION, REASON, REMARK

TOO_LONG_REMARK = "备" * (REMARK.limit + 1)


@pytest.fixture
def setting(sfj, clerk, period):
    indicator = Indicator.objects.entered().filter(department=sfj).order_by("order", "code").first()
    return sfj, clerk, period, indicator


def test_the_entry_form_refuses_a_long_remark_and_keeps_it(client, setting):
    department, clerk, period, indicator = setting
    client.force_login(clerk)
    response = client.post(
        f"/entry/{period.code}/",
        {f"value-{indicator.code}": "5", f"remark-{indicator.code}": TOO_LONG_REMARK},
    )
    page = response.content.decode()
    assert f"备注不能超过 {REMARK.limit} 字（现为 {REMARK.limit + 1} 字）" in page
    assert TOO_LONG_REMARK in page  # still typed
    assert f'maxlength="{REMARK.limit}"' in page  # the form shows the limit
    assert not Figure.objects.filter(indicator=indicator, period=period).exists()


def test_the_row_save_refuses_it_too(client, setting):
    department, clerk, period, indicator = setting
    client.force_login(clerk)
    response = client.post(
        f"/entry/{period.code}/row/{indicator.code}/",
        {f"value-{indicator.code}": "5", f"remark-{indicator.code}": TOO_LONG_REMARK},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code < 500
    assert f"备注不能超过 {REMARK.limit} 字" in response.content.decode()
    assert not Figure.objects.filter(indicator=indicator, period=period).exists()


def test_the_sheet_upload_names_the_row(setting):
    department, clerk, period, indicator = setting
    with pytest.raises(ValidationError) as refused:
        services.import_figures(
            period=period,
            rows=[
                services.FigureRow(line=2, code=indicator.code, value="5", remark=TOO_LONG_REMARK)
            ],
            user=clerk,
            department=department,
        )
    assert f"第2行（{indicator.name}）：备注不能超过 {REMARK.limit} 字" in refused.value.messages[0]


def test_the_api_refuses_it_before_the_service(setting):
    department, clerk, period, indicator = setting
    api = APIClient()
    api.force_authenticate(clerk)
    answer = api.post(
        "/api/v1/figures/",
        {
            "period": period.code,
            "indicator": indicator.code,
            "value": "5",
            "remark": TOO_LONG_REMARK,
        },
        format="json",
    )
    assert answer.status_code == 400 and answer.json()["code"] == "invalid"
    answer = api.post(
        "/api/v1/figures/",
        {
            "period": period.code,
            "indicator": indicator.code,
            "value": "5",
            "explanation": "说" * (EXPLANATION.limit + 1),
        },
        format="json",
    )
    assert answer.status_code == 400
    assert not Figure.objects.filter(indicator=indicator, period=period).exists()


def test_a_long_comment_is_refused_with_the_text_kept(client, setting):
    department, clerk, period, indicator = setting
    services.save_figure(indicator=indicator, period=period, value=Decimal(5), user=clerk)
    client.force_login(clerk)
    text = "意" * (COMMENT.limit + 1)
    response = client.post(f"/figures/{period.code}/{indicator.code}/comment/", {"text": text})
    assert response.status_code == 400
    page = response.content.decode()
    assert "2000" in page and text in page
    assert not FigureComment.objects.filter(kind="comment").exists()


def test_a_long_return_reason_is_refused(setting, reviewer):
    department, clerk, period, indicator = setting
    figure = services.save_figure(indicator=indicator, period=period, value=Decimal(5), user=clerk)
    Figure.objects.filter(pk=figure.pk).update(status=FigureStatus.SUBMITTED)
    with pytest.raises(ValidationError, match=f"原因不能超过 {REASON.limit} 字"):
        services.return_figure(figure=figure, user=reviewer, reason="因" * (REASON.limit + 1))
    figure.refresh_from_db()
    assert figure.status == FigureStatus.SUBMITTED


def test_within_the_limit_is_kept_whole(setting):
    department, clerk, period, indicator = setting
    remark = "备" * REMARK.limit
    figure = services.save_figure(
        indicator=indicator, period=period, value=Decimal(5), remark=remark, user=clerk
    )
    assert figure.remark == remark


def test_control_characters_are_refused_on_every_path(setting, client):
    department, clerk, period, indicator = setting
    with pytest.raises(ValidationError, match="控制字符（U\\+0000）"):
        services.save_figure(
            indicator=indicator, period=period, value="5", remark="备\x00注", user=clerk
        )
    client.force_login(clerk)
    response = client.post(
        f"/entry/{period.code}/",
        {f"value-{indicator.code}": "5", f"remark-{indicator.code}": "备\x00注"},
    )
    # The form body is refused whole by the one text rule before the view runs.
    assert response.status_code == 400
    assert "控制字符（U+0000）" in response.content.decode()
    assert not Figure.objects.filter(indicator=indicator, period=period).exists()
    # A 5,000-digit version in a tampered form is no version at all, never a 500.
    response = client.post(
        f"/entry/{period.code}/",
        {f"value-{indicator.code}": "5", f"version-{indicator.code}": "9" * 5000},
    )
    assert response.status_code < 500
