"""Benchmark of the leader's dashboard: server time of the page and of its JSON endpoint.

Seeds the demo plus synthetic departments (``seed_demo --departments N --periods 12``: about 60
indicators and one figure per indicator and period per synthetic department) into a PostgreSQL
database of its own, then times requests in-process with ``django.test.Client`` (the whole
middleware stack, the queries and the template; no network) as the leader, and prints a
markdown table: median and p95 over the requests, the number of SQL queries, and the growth
from the smallest size.

    createdb -h 127.0.0.1 -U postgres lawgov_bench   # or: psql -h 127.0.0.1 -U postgres -c 'create database lawgov_bench'
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/lawgov_bench \\
        .venv/bin/python bench/bench_dashboard.py --sizes 0,50,200 --periods 12 --requests 30

``--sizes`` are the synthetic departments added to the demo's seven, as ``seed_demo
--departments`` takes them (0, 50, 200 → 7, 57, 207 departments shown). The data is only ever added, so sizes must grow; run it against a fresh
database for comparable numbers (``--reset`` drops the synthetic departments first).
"""

import argparse
import math
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

# A production-like process: no DEBUG query log, no HTTPS redirect for the in-process client.
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lawgov.settings")
os.environ.setdefault("DJANGO_DEBUG", "false")
os.environ.setdefault("DJANGO_SECRET_KEY", "bench-only-not-a-secret")
os.environ.setdefault("DJANGO_SECURE_SSL_REDIRECT", "false")
os.environ.setdefault("LOG_LEVEL", "WARNING")


def setup_django():
    import django
    from django.conf import settings

    django.setup()
    # Templates resolve {% static %} without a collectstatic manifest.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


def seed(*, synthetic: int, periods: int) -> None:
    from accounts import demo

    demo.seed_demo()
    if synthetic:
        demo.seed_synthetic(departments=synthetic, periods=periods)


def reset_synthetic() -> None:
    from django.db import transaction

    from metrics.models import Department, Figure, Indicator

    with transaction.atomic():
        history = Figure.history.model
        history.objects.filter(indicator__code__startswith="syn").delete()
        Figure.objects.filter(indicator__code__startswith="syn").delete()
        Indicator.history.model.objects.filter(code__startswith="syn").delete()
        Indicator.objects.filter(code__startswith="syn").delete()
        Department.objects.filter(code__startswith="syn").delete()


def analyze() -> None:
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def percentile(samples, share):
    """Nearest-rank percentile."""
    ordered = sorted(samples)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def measure(client, url, *, requests: int, warmup: int):
    from django.db import connection

    for _ in range(warmup):
        assert client.get(url).status_code == 200, url
    executed = []

    def count(execute, sql, params, many, context):
        executed.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        response = client.get(url)
    assert response.status_code == 200, url
    samples = []
    for _ in range(requests):
        start = time.perf_counter()
        response = client.get(url)
        samples.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, url
    return {
        "median": statistics.median(samples),
        "p95": percentile(samples, 0.95),
        "queries": len(executed),
        "bytes": len(response.content),
    }


def counts(period_code: str):
    from metrics.models import Department, Figure, Indicator

    return (
        Department.objects.count(),
        Indicator.objects.count(),
        Figure.objects.count(),
        Figure.objects.filter(period__code=period_code).count(),
    )


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="0,50,200", help="synthetic departments, growing")
    parser.add_argument("--periods", type=int, default=12)
    parser.add_argument("--requests", type=int, default=30)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--period", default="2026")
    parser.add_argument("--reset", action="store_true", help="drop synthetic data first")
    parser.add_argument(
        "--allow-sqlite", action="store_true", help="run against SQLite (not the benchmark)"
    )
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",")]
    if sizes != sorted(sizes):
        parser.error("--sizes must grow: data is only ever added")

    setup_django()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from metrics.models import User

    if connection.vendor != "postgresql" and not args.allow_sqlite:
        parser.error("set DATABASE_URL=postgres://postgres@127.0.0.1:5432/lawgov_bench")
    call_command("migrate", verbosity=0)
    if args.reset:
        reset_synthetic()

    urls = {
        "page": f"/dashboard/?period={args.period}",
        "json": f"/dashboard/data.json?period={args.period}",
    }
    print(
        f"database: {connection.vendor} {connection.settings_dict['NAME']} · "
        f"{args.requests} requests after {args.warmup} warm-up · in-process django.test.Client "
        f"as the leader · {os.cpu_count()} CPUs",
        file=sys.stderr,
    )
    results = []
    for size in sizes:
        start = time.perf_counter()
        seed(synthetic=size, periods=args.periods)
        analyze()
        seeded = time.perf_counter() - start
        client = Client()
        client.force_login(User.objects.get(username="leader"))
        departments, indicators, figures, in_period = counts(args.period)
        print(
            f"  {departments} departments, {indicators} indicators, {figures} figures "
            f"(seeded in {seeded:.0f} s)",
            file=sys.stderr,
        )
        row = {
            "departments": departments,
            "indicators": indicators,
            "figures": figures,
            "in_period": in_period,
        }
        for name, url in urls.items():
            row[name] = measure(client, url, requests=args.requests, warmup=args.warmup)
        results.append(row)

    base = results[0]
    print()
    print(
        "| departments | indicators | figures (all periods) | page median ms | page p95 ms "
        "| page queries | JSON median ms | JSON p95 ms | JSON queries | page growth | JSON growth |"
    )
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for row in results:
        page, data = row["page"], row["json"]
        print(
            f"| {row['departments']} | {row['indicators']} | {row['figures']} "
            f"| {page['median']:.1f} | {page['p95']:.1f} | {page['queries']} "
            f"| {data['median']:.1f} | {data['p95']:.1f} | {data['queries']} "
            f"| ×{page['median'] / base['page']['median']:.2f} "
            f"| ×{data['median'] / base['json']['median']:.2f} |"
        )
    print()
    print(
        f"Departments ×{results[-1]['departments'] / base['departments']:.1f} from the first row "
        "to the last; growth no worse than linear means the time grows by less than that."
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
