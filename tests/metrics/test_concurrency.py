"""Two people save the same figure at the same moment on PostgreSQL: one wins, the other is
refused with the current value, never a silent overwrite. Many requests creating the same
figure at once: no 5xx, one figure row, every upload stored once."""

from decimal import Decimal

import pytest

from metrics import services
from metrics.models import Department, Figure, Indicator
from tests import factories
from tests.threads import at_once

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def _race(workers):
    def conflict(exc):
        if isinstance(exc, services.FigureConflict):
            return ("conflict", exc.figure)
        return ("error", exc)  # shown in the assertion

    return at_once([lambda work=work: ("saved", work()) for work in workers], handle=conflict)


def test_two_sessions_saving_the_same_version(postgres):
    sfj = Department.objects.get(code="sfj")
    period = factories.period("2026")
    alice = factories.UserFactory(role="clerk", department=sfj)
    bob = factories.UserFactory(role="clerk", department=sfj)
    indicator = Indicator.objects.get(code="biz_inhouse_counsel")
    loaded = services.save_figure(indicator=indicator, period=period, value=Decimal(5), user=alice)

    def save(user, value):
        return lambda: services.save_figure(
            indicator=indicator,
            period=period,
            value=Decimal(value),
            user=user,
            expected_version=loaded.version,
        )

    for attempt in range(3):  # several rounds, so both orders of arrival are exercised
        loaded = Figure.objects.get(pk=loaded.pk)
        results = _race([save(alice, 10 + attempt), save(bob, 20 + attempt)])
        kinds = sorted(kind for kind, _ in results)
        assert kinds == ["conflict", "saved"], results
        winner = next(value for kind, value in results if kind == "saved")
        loser_saw = next(value for kind, value in results if kind == "conflict")
        stored = Figure.objects.get(pk=loaded.pk)
        assert stored.value == winner.value
        assert stored.version == loaded.version + 1
        assert loser_saw.value == winner.value  # the refusal shows the current value
    assert Figure.objects.get(pk=loaded.pk).history.count() == 4


def test_two_sessions_saving_the_entry_form(postgres):
    sfj = Department.objects.get(code="sfj")
    period = factories.period("2026")
    alice = factories.UserFactory(role="clerk", department=sfj)
    bob = factories.UserFactory(role="clerk", department=sfj)

    def save(user, value):
        return lambda: services.save_draft(
            department=sfj,
            period=period,
            user=user,
            entries=[services.Entry(code="biz_inhouse_counsel", value=str(value), version=0)],
        )

    results = _race([save(alice, 11), save(bob, 22)])
    assert [kind for kind, _ in results] == ["saved", "saved"], results  # no exception
    drafts = [draft for _, draft in results]
    assert sorted(bool(draft.errors) for draft in drafts) == [False, True], results
    refused = next(draft for draft in drafts if draft.errors)
    assert refused.saved == [] and set(refused.conflicts) == {"biz_inhouse_counsel"}
    stored = Figure.objects.get(indicator__code="biz_inhouse_counsel", period=period)
    assert f"当前值为 {stored.value.normalize()}" in refused.errors["biz_inhouse_counsel"][0]
    assert Figure.objects.count() == 1


# ---------------------------------------------------------------------------------------
# Many requests creating the same figure at once, through the API.

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
THREADS = 20


def _token_client(user):
    from rest_framework.test import APIClient

    client = APIClient(raise_request_exception=False)
    client.credentials(HTTP_AUTHORIZATION=f"Token {factories.api_token(user)}")
    return client


@pytest.fixture
def racing_clerk(postgres):
    sfj = Department.objects.get(code="sfj")
    clerk = factories.UserFactory(role="clerk", department=sfj)
    return sfj, factories.period("2026"), clerk


def test_twenty_bulk_writes_creating_the_same_figure(racing_clerk):
    sfj, period, clerk = racing_clerk
    clients = [_token_client(clerk) for _ in range(THREADS)]

    def bulk(index):
        return clients[index].post(
            "/api/v1/figures/bulk/",
            {
                "period": period.code,
                "department": sfj.code,
                "figures": [{"code": "biz_inhouse_counsel", "value": str(index + 1)}],
            },
            format="json",
        )

    responses = at_once([lambda i=i: bulk(i) for i in range(THREADS)])
    statuses = sorted(getattr(r, "status_code", repr(r)) for r in responses)
    assert all(isinstance(s, int) and s < 500 for s in statuses), statuses
    assert set(statuses) <= {200, 409}, statuses
    assert 200 in statuses
    stored = Figure.objects.get(indicator__code="biz_inhouse_counsel", period=period)
    assert Figure.objects.filter(period=period).count() == 1
    for response in responses:
        body = response.json()
        if response.status_code == 409:
            # The refusal shows what stands now, to decide on.
            assert body["code"] == "conflict", body
            assert body["current"]["id"] == stored.pk
            assert body["current"]["version"] >= 1
    # Every accepted write is a version of its own: none was lost without a trace.
    accepted = statuses.count(200)
    assert stored.history.count() == accepted == stored.version


def test_ten_uploads_to_a_figure_that_does_not_exist_yet(racing_clerk, media):
    from metrics.models import Evidence

    sfj, period, clerk = racing_clerk
    count = 10
    clients = [_token_client(clerk) for _ in range(count)]

    def upload(index):
        from django.core.files.uploadedfile import SimpleUploadedFile

        return clients[index].post(
            "/api/v1/evidence/",
            {
                "period": period.code,
                "indicator": "biz_inhouse_counsel",
                "file": SimpleUploadedFile(f"材料{index}.pdf", PDF + str(index).encode()),
            },
            format="multipart",
        )

    responses = at_once([lambda i=i: upload(i) for i in range(count)])
    statuses = [getattr(r, "status_code", repr(r)) for r in responses]
    assert statuses == [201] * count, [
        (s, getattr(r, "content", b"")[:300]) for s, r in zip(statuses, responses, strict=True)
    ]
    figure = Figure.objects.get(indicator__code="biz_inhouse_counsel", period=period)
    assert Figure.objects.filter(period=period).count() == 1
    items = list(Evidence.objects.filter(figure=figure))
    assert sorted(i.original_name for i in items) == sorted(f"材料{i}.pdf" for i in range(count))
    # Each upload stored once: one file per row, nothing left over on disk.
    on_disk = sorted(str(p.relative_to(media)) for p in media.rglob("*") if p.is_file())
    assert on_disk == sorted(i.file.name for i in items)
