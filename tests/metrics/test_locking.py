"""Row locks taken while saving cover the figure alone: the figures' default ordering joins
indicators and sections, and locking those shared rows deadlocked concurrent clerks."""

from decimal import Decimal

from django.db import connection
from django.test.utils import CaptureQueriesContext

from metrics import services
from metrics.models import Indicator


def test_saving_a_figure_locks_only_figure_rows(postgres, period, clerk, sfj):
    indicator = Indicator.objects.get(code="biz_inhouse_counsel")
    services.save_figure(indicator=indicator, period=period, value=Decimal(3), user=clerk)
    with CaptureQueriesContext(connection) as queries:
        services.save_figure(indicator=indicator, period=period, value=Decimal(4), user=clerk)
    locks = [q["sql"] for q in queries.captured_queries if "FOR UPDATE" in q["sql"]]
    assert locks, "save_figure should lock the figure row"
    assert all('FOR UPDATE OF "metrics_figure"' in sql for sql in locks), locks
