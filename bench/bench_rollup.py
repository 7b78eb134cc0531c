"""Benchmark of the roll-up at a province's size: the roll-up API and the area dashboard at
city and province level, and how long a township's approval takes to show at the top.

Builds, into a PostgreSQL database of its own (created when missing), a province with bulk
inserts: 1 province, 16 cities, 130 districts, 1,500 townships with one 司法所 each, 100
indicators (80 summed counts, 5 minima, 5 maxima, 10 rates recomputed from summed pairs),
five years of annual and quarterly periods (25) and every township's figure of every entered
indicator in each (≈3.4 million figures, written with COPY). Then times requests in-process
with ``django.test.Client`` (middleware, queries, serializer or template; no network) as the
province's reviewer (API) and leader (dashboard): median and p95 over the requests, the SQL
queries of one request, and the time from approving a township's figure through the service
until the province's roll-up shows the new value. Prints a markdown table.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/lawgov_bench_rollup \\
        .venv/bin/python bench/bench_rollup.py [--small] [--requests 20] [--rebuild]

The tree is built once and reused by later runs (``--rebuild`` drops the database first);
``--small`` builds a separate small tree (2 cities, 4 districts, 20 townships, one year)
for a quick check.
"""

import argparse
import io
import os
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lawgov.settings")
os.environ.setdefault("DJANGO_DEBUG", "false")
os.environ.setdefault("DJANGO_SECRET_KEY", "bench-only-not-a-secret")
os.environ.setdefault("DJANGO_SECURE_SSL_REDIRECT", "false")
os.environ.setdefault("LOG_LEVEL", "WARNING")

from bench_dashboard import analyze, measure, percentile, setup_django  # noqa: E402

FULL = {"cities": 16, "districts": 130, "townships": 1500, "years": 5, "province": "43"}
SMALL = {"cities": 2, "districts": 4, "townships": 20, "years": 1, "province": "44"}
SUMS, MINS, MAXS, RATES = 80, 5, 5, 10
PERIOD = "2026"
PREVIOUS = "2025"  # the comparable period the dashboards set beside it (同比)


def ensure_database() -> None:
    """Create the database DATABASE_URL names when it does not exist yet."""
    import psycopg2
    from django.conf import settings

    db = settings.DATABASES["default"]
    params = {k: db[k.upper()] for k in ("host", "port", "user", "password") if db.get(k.upper())}
    conn = psycopg2.connect(dbname="postgres", **params)
    conn.autocommit = True
    with conn.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [db["NAME"]])
        if cursor.fetchone() is None:
            cursor.execute(f'CREATE DATABASE "{db["NAME"]}"')
    conn.close()


def drop_database() -> None:
    import psycopg2
    from django.conf import settings

    db = settings.DATABASES["default"]
    params = {k: db[k.upper()] for k in ("host", "port", "user", "password") if db.get(k.upper())}
    conn = psycopg2.connect(dbname="postgres", **params)
    conn.autocommit = True
    with conn.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{db["NAME"]}"')
    conn.close()


def spread(total: int, over: int) -> list[int]:
    """`total` split over `over` parts as evenly as whole numbers go."""
    return [total // over + (1 if i < total % over else 0) for i in range(over)]


def build(size: dict) -> None:
    from django.db import connection, transaction

    from accounts.demo import ensure_period
    from metrics.models import (
        Area,
        AreaLevel,
        Department,
        Indicator,
        RollUp,
        Section,
        UnitKind,
        ValueType,
    )

    code = size["province"]
    with transaction.atomic():
        province = Area.objects.create(code=code, name=f"测试省{code}", level=AreaLevel.PROVINCE)

        def level(parents, counts, digits, lvl, label):
            rows = []
            for parent, count in zip(parents, counts, strict=True):
                for n in range(1, count + 1):
                    child = f"{parent.code}{n:0{digits}d}"
                    rows.append(
                        Area(
                            code=child,
                            name=f"{label}{child}",
                            level=lvl,
                            parent=parent,
                            path=f"{parent.path}{child}/",
                        )
                    )
            return Area.objects.bulk_create(rows)

        cities = level([province], [size["cities"]], 2, AreaLevel.CITY, "市")
        districts = level(
            cities, spread(size["districts"], len(cities)), 2, AreaLevel.DISTRICT, "区"
        )
        towns = level(
            districts, spread(size["townships"], len(districts)), 3, AreaLevel.TOWNSHIP, "镇"
        )
        kind, _ = UnitKind.objects.get_or_create(
            code=f"bench_sfs{code}",
            defaults={"name": f"基准司法所{code}", "level": AreaLevel.TOWNSHIP},
        )
        units = Department.objects.bulk_create(
            Department(code=f"b{t.code}", name=f"{t.name}司法所", area=t, kind=kind) for t in towns
        )
        section, _ = Section.objects.get_or_create(
            code=f"bench{code}", defaults={"name": "基准", "order": 900 + int(code) % 50}
        )
        owner = units[0]
        indicators = []
        for i in range(SUMS + MINS + MAXS):
            rollup = RollUp.SUM if i < SUMS else RollUp.MIN if i < SUMS + MINS else RollUp.MAX
            indicators.append(
                Indicator(
                    code=f"b{code}_n{i:02d}",
                    name=f"基准指标{code}-{i:02d}",
                    section=section,
                    unit="件",
                    value_type=ValueType.COUNT,
                    department=owner,
                    reporting_kind=kind,
                    rollup=rollup,
                    order=i,
                )
            )
        for r in range(RATES):  # settled / cases of a summed pair
            cases, settled = f"b{code}_n{2 * r:02d}", f"b{code}_n{2 * r + 1:02d}"
            indicators.append(
                Indicator(
                    code=f"b{code}_rate{r}",
                    name=f"基准比率{code}-{r}",
                    section=section,
                    unit="%",
                    value_type=ValueType.PERCENTAGE,
                    department=owner,
                    reporting_kind=kind,
                    formula=f"{settled} / {cases} * 100",
                    decimal_places=1,
                    rollup=RollUp.RECOMPUTE,
                    order=100 + r,
                )
            )
        indicators = Indicator.objects.bulk_create(indicators)
        entered = [i for i in indicators if not i.formula]
        years = range(2027 - size["years"], 2027)
        periods = [
            ensure_period(p) for y in years for p in (str(y), *(f"{y}Q{q}" for q in range(1, 5)))
        ]
    # COPY: ≈3.4 million rows, one indicator's figures of every township per buffer.
    columns = (
        "indicator_id, period_id, unit_id, value_type, value, remark, explanation, "
        "return_reason, status, updated_at, version"
    )
    now = "2026-12-01 00:00:00+00"
    with connection.cursor() as cursor:
        raw = cursor.cursor
        for period in periods:
            buffer = io.StringIO()
            for indicator in entered:
                odd = int(indicator.code[-2:]) % 2  # a pair's second: settled ≤ cases
                for n, unit in enumerate(units):
                    value = 40 + (n * 7 + indicator.pk) % 60 - 5 * odd
                    buffer.write(
                        f"{indicator.pk}\t{period.pk}\t{unit.pk}\tcount\t{value}\t\t\t\t"
                        f"approved\t{now}\t1\n"
                    )
            buffer.seek(0)
            raw.copy_expert(f"COPY metrics_figure ({columns}) FROM STDIN", buffer)
    analyze()


def users(size: dict):
    from accounts.demo import _user
    from accounts.roles import Role
    from metrics.models import Area

    code = size["province"]
    province = Area.objects.get(code=code)
    return (
        _user(f"bench_reviewer{code}", role=Role.REVIEWER, area=province),
        _user(f"bench_leader{code}", role=Role.LEADER, area=province),
    )


def measure_fold(area_code: str, *, requests: int) -> dict:
    """The peer in the same run: the rule folding every area of the tree in Python from every
    figure (metrics.rollup.roll_up over counted_figures), as rolled_up read before the
    grouped query (metrics.rollup_flat); the selector alone, no request around it."""
    from django.db import connection

    from metrics.models import Area, ReportingPeriod
    from metrics.rollup import roll_up
    from metrics.rollup_selectors import counted_figures, rules_in_force, tree_of

    area, period = Area.objects.get(code=area_code), ReportingPeriod.objects.get(code=PERIOD)

    def fold():
        return roll_up(
            tree=tree_of(area=area, period=period),
            rules=rules_in_force(period=period),
            figures=counted_figures(area=area, period=period),
        )

    fold()
    executed = []
    with connection.execute_wrapper(lambda ex, sql, *a: executed.append(sql) or ex(sql, *a)):
        fold()
    samples = []
    for _ in range(requests):
        start = time.perf_counter()
        fold()
        samples.append((time.perf_counter() - start) * 1000)
    return {
        "median": statistics.median(samples),
        "p95": percentile(samples, 0.95),
        "queries": len(executed),
    }


def approval_latency(client, size: dict) -> tuple[float, float]:
    """(ms to approve, ms until the province's roll-up shows it): a township's figure is
    sent back to submitted, then approved by its district's reviewer through the service."""
    from accounts.demo import _user
    from accounts.roles import Role
    from metrics.models import Figure, FigureStatus
    from metrics.services import approve_figure

    code = size["province"]
    figure = (
        Figure.objects.select_related("unit__area__parent", "indicator")
        .filter(period__code=PERIOD, indicator__code=f"b{code}_n10", unit__code__startswith="b")
        .order_by("-unit__code")
        .first()
    )
    district = figure.unit.area.parent
    reviewer = _user(f"bench_reviewer{district.code}", role=Role.REVIEWER, area=district)
    url = f"/api/v1/rollup/?area={code}&period={PERIOD}&indicator={figure.indicator.code}"
    before = client.get(url).json()["indicators"][0]["value"]
    _raw_update(figure, status=FigureStatus.SUBMITTED, value=figure.value + 1000)
    figure.refresh_from_db()
    start = time.perf_counter()
    approve_figure(figure=figure, user=reviewer)
    approved = (time.perf_counter() - start) * 1000
    while True:
        value = client.get(url).json()["indicators"][0]["value"]
        if Decimal(value) == Decimal(before) + 1000:
            break
        if time.perf_counter() - start > 30:
            raise RuntimeError("the approval did not show within 30 s")
    visible = (time.perf_counter() - start) * 1000
    _raw_update(figure, value=figure.value - 1000)  # as it was
    return approved, visible


def _raw_update(figure, **fields) -> None:
    """Change a figure behind the services' back (to stage the approval), keeping the area
    totals equal to the figures as the services do."""
    from django.db import transaction

    from metrics import totals
    from metrics.models import Figure

    with transaction.atomic():
        Figure.objects.filter(pk=figure.pk).update(**fields)
        totals.figures_written([figure])


def build_totals(period_codes) -> list[tuple[str, float, int]]:
    """Build the area totals (metrics.totals) of the periods the dashboards read, as the
    worker does after a change to the tree: (period, seconds, rows)."""
    from metrics import totals
    from metrics.models import ReportingPeriod

    built = []
    for period in ReportingPeriod.objects.filter(code__in=period_codes).order_by("code"):
        if totals.is_built(period):
            continue
        start = time.perf_counter()
        rows = totals.build_period(period_id=period.pk)
        built.append((period.code, time.perf_counter() - start, rows))
    return built


def measure_unbuilt(client, url: str, *, requests: int) -> dict:
    """The same request while the period's totals are not built: the roll-up reads the
    figures themselves (metrics.rollup_flat's grouped query), as before the rows existed."""
    from django.db import transaction

    from metrics.models import PeriodTotals

    with transaction.atomic():
        PeriodTotals.objects.filter(period__code=PERIOD).delete()
        result = measure(client, url, requests=requests, warmup=2)
        transaction.set_rollback(True)
    return result


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--small", action="store_true", help="a small tree, for a quick check")
    parser.add_argument("--requests", type=int, default=20)
    parser.add_argument("--rebuild", action="store_true", help="drop the database first")
    args = parser.parse_args(argv)
    size = SMALL if args.small else FULL

    setup_django()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from metrics.models import Area, Figure

    if connection.vendor != "postgresql":
        parser.error("set DATABASE_URL=postgres://postgres@127.0.0.1:5432/lawgov_bench_rollup")
    if args.rebuild:
        drop_database()
    ensure_database()
    call_command("migrate", verbosity=0, interactive=False)
    code = size["province"]
    if not Area.objects.filter(code=code).exists():
        start = time.perf_counter()
        build(size)
        print(f"built in {time.perf_counter() - start:.0f} s", file=sys.stderr)
    for period_code, seconds, count in build_totals([PERIOD, PREVIOUS]):
        print(
            f"area totals of {period_code} built in {seconds:.1f} s ({count} rows)", file=sys.stderr
        )
    reviewer, leader = users(size)
    city = Area.objects.filter(parent__code=code).order_by("code").first().code
    api, page = Client(), Client()
    api.force_login(reviewer)
    page.force_login(leader)
    from lawgov import collector

    collector.settle()  # as the web process does after start-up (lawgov/wsgi.py)
    print(
        f"database: {connection.settings_dict['NAME']} · {Area.objects.filter(path__startswith=f'/{code}/').count()} areas · "
        f"{Figure.objects.count()} figures · {args.requests} requests after 2 warm-up · "
        f"{os.cpu_count()} CPUs · load average before: {os.getloadavg()[0]:.2f}",
        file=sys.stderr,
    )
    cases = [
        ("roll-up API, city", f"/api/v1/rollup/?area={city}&period={PERIOD}", api),
        ("roll-up API, province", f"/api/v1/rollup/?area={code}&period={PERIOD}", api),
        ("dashboard, city", f"/dashboard/?area={city}&period={PERIOD}", page),
        ("dashboard, province", f"/dashboard/?area={code}&period={PERIOD}", page),
    ]
    rows = [
        (name, measure(client, url, requests=args.requests, warmup=2))
        for name, url, client in cases
    ]
    for name, url, client in cases:
        peer = measure_unbuilt(client, url, requests=max(5, args.requests // 4))
        rows.append((f"peer: {name}, read from the figures (totals not built)", peer))
    for name, area_code in (("city", city), ("province", code)):
        peer = measure_fold(area_code, requests=3)
        rows.append((f"peer: every figure folded area by area (selector alone), {name}", peer))
    approved, visible = approval_latency(api, size)
    print()
    print("| request | median ms | p95 ms | queries | p95 ≤ 300 ms |")
    print("|---|---:|---:|---:|:---:|")
    for name, r in rows:
        ok = "yes" if r["p95"] <= 300 else "**no**"
        print(f"| {name} | {r['median']:.0f} | {r['p95']:.0f} | {r['queries']} | {ok} |")
    print()
    print(
        f"Approval at a township: the service {approved:.0f} ms; the province's roll-up shows it "
        f"{visible:.0f} ms after the approval started (target ≤ 1000 ms: "
        f"{'met' if visible <= 1000 else 'missed'}). Load average after: "
        f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}."
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
