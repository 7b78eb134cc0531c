"""Two people save the same figure at the same moment on PostgreSQL: one wins, the other is
refused with the current value, never a silent overwrite."""

import threading
from decimal import Decimal

import pytest
from django.db import connection

from metrics import services
from metrics.models import Department, Figure, Indicator
from tests import factories

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def _race(workers):
    barrier = threading.Barrier(len(workers))
    results = [None] * len(workers)

    def run(index, work):
        try:
            barrier.wait(timeout=10)
            results[index] = ("saved", work())
        except services.FigureConflict as conflict:
            results[index] = ("conflict", conflict.figure)
        except Exception as exc:  # pragma: no cover - shown in the assertion
            results[index] = ("error", exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, w)) for i, w in enumerate(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results


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
