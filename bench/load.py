"""Deadline-day load test: 50 clerks saving and submitting figures while reviewers approve and
the leader requests reports, against gunicorn + PostgreSQL + Redis + one Celery worker.

    python bench/load.py [--clerks 50] [--seconds 120]

Everything runs on this machine over loopback: the script creates its own PostgreSQL
database (lawgov_load), starts gunicorn and a worker, drives them through the REST API with
tokens, stops them, and checks the database for lost updates. Bounded in count and time.
"""

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections import defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DB_NAME = "lawgov_load"
PORT = 8765
BASE = f"http://127.0.0.1:{PORT}/api/v1"
PERIOD = "2027"
INDICATORS_PER_DEPARTMENT = 8


class Recorder:
    def __init__(self):
        self.lock = threading.Lock()
        self.latency = defaultdict(list)
        self.status = defaultdict(lambda: defaultdict(int))
        self.accepted = defaultdict(list)  # figure code -> [(version, value)]

    def add(self, op, seconds, code):
        with self.lock:
            self.latency[op].append(seconds)
            self.status[op][code] += 1


def call(method, path, token, body=None, rec=None, op=None):
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(BASE + path, data=data, method=method)
    request.add_header("Authorization", f"Token {token}")
    request.add_header("Accept", "application/json")
    if data is not None:
        request.add_header("Content-Type", "application/json")
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            code, payload = response.status, response.read()
    except urllib.error.HTTPError as exc:
        code, payload = exc.code, exc.read()
    except (urllib.error.URLError, TimeoutError, ConnectionError) as exc:
        code, payload = 599, str(exc).encode()
    if rec is not None:
        rec.add(op, time.perf_counter() - started, code)
    try:
        return code, json.loads(payload or b"{}")
    except ValueError:
        return code, {"raw": payload[:200].decode(errors="replace")}


def manage(env, *args, input_text=None):
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=REPO,
        env=env,
        check=True,
        capture_output=True,
        text=True,
        input=input_text,
    ).stdout


SETUP = """
import json
from django.contrib.auth.models import Group
from accounts.models import ApiToken
from accounts.demo import ensure_period, seed_demo
from metrics.models import Department, Indicator, Section, User
from accounts.roles import GROUP_NAMES, Role
seed_demo()
ensure_period("{period}")
sections = list(Section.objects.order_by("order"))
clerk_group = Group.objects.get(name=GROUP_NAMES[Role.CLERK])
tokens = {{"clerks": []}}
for d in range(1, {clerks} + 1):
    department, _ = Department.objects.get_or_create(code=f"load{{d:02d}}", defaults={{"name": f"压测部门{{d:02d}}", "order": 500 + d}})
    codes = []
    for i in range(1, {per} + 1):
        code = f"load{{d:02d}}_i{{i}}"
        Indicator.objects.get_or_create(code=code, defaults={{"name": f"压测指标{{d:02d}}-{{i}}", "section": sections[i % 4], "unit": "个", "department": department, "order": 2000 + i}})
        codes.append(code)
    for n in (1, 2):
        user, created = User.objects.get_or_create(username=f"loadclerk{{d:02d}}_{{n}}", defaults={{"department": department}})
        user.groups.add(clerk_group)
        tokens["clerks"].append({{"department": department.code, "codes": codes, "token": ApiToken.objects.create(user=user, name="压测")[1], "session": n}})
for role in ("reviewer", "leader"):
    tokens[role] = ApiToken.objects.create(user=User.objects.get(username=role), name="压测")[1]
print(json.dumps(tokens))
"""

CHECK = """
import json
from metrics.models import Figure
print(json.dumps({{f.indicator.code: [format(f.value.normalize(), "f"), f.version, f.status, f.history.count()]
                  for f in Figure.objects.filter(period__code="{period}").select_related("indicator")}}))
"""


def clerk(rec, stop, info, rounds, results):
    """Save each figure a few times (carrying the version), then submit the department. The
    second session of a department races the first on the same figures."""
    versions = {}
    ids = {}
    for _ in range(rounds):
        for code in info["codes"]:
            if stop.is_set():
                return
            value = str(random.randint(1, 10_000))
            if code in ids:
                status, body = call(
                    "PUT",
                    f"/figures/{ids[code]}/",
                    info["token"],
                    {"value": value, "version": versions[code]},
                    rec,
                    "save",
                )
            else:
                status, body = call(
                    "POST",
                    "/figures/",
                    info["token"],
                    {
                        "period": PERIOD,
                        "indicator": code,
                        "value": value,
                        "version": versions.get(code, 0),
                    },
                    rec,
                    "save",
                )
            if status in (200, 201):
                ids[code], versions[code] = body["id"], body["version"]
                with rec.lock:
                    rec.accepted[code].append((body["version"], value))
            elif status == 409:
                current = body.get("current") or {}
                if current.get("id"):
                    ids[code], versions[code] = current["id"], current["version"]
            elif status == 400 and info["session"] == 2:
                pass  # the other session submitted first: the figure is no longer editable
            else:
                results["unexpected"].append((status, body))
    if info["session"] == 1:
        status, body = call(
            "POST",
            f"/periods/{PERIOD}/departments/{info['department']}/submit/",
            info["token"],
            {},
            rec,
            "submit",
        )
        if status not in (200, 400, 409):
            results["unexpected"].append((status, body))


def reviewer(rec, stop, token, departments):
    pending = set(departments)
    while pending and not stop.is_set():
        for department in sorted(pending):
            status, body = call(
                "POST",
                f"/periods/{PERIOD}/departments/{department}/approve/",
                token,
                {},
                rec,
                "approve",
            )
            if status == 200 and body.get("count"):
                pending.discard(department)
        time.sleep(0.5)


def leader(rec, stop, token, results):
    while not stop.is_set():
        status, body = call(
            "POST", "/reports/", token, {"period": PERIOD, "kind": "draft"}, rec, "report"
        )
        if status != 202:
            results["unexpected"].append((status, body))
            return
        job_id = body["id"]
        while not stop.is_set():
            status, body = call("GET", f"/reports/{job_id}/", token, None, rec, "report-status")
            if body.get("status") in ("succeeded", "failed"):
                results["jobs"][body["status"]] += 1
                break
            time.sleep(0.5)
        stop.wait(3)


def pct(samples, q):
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--clerks", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=int, default=180)
    args = parser.parse_args()

    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{DB_NAME}",
        "REDIS_URL": os.environ.get("LOAD_REDIS_URL", "redis://127.0.0.1:6379/9"),
        "DJANGO_SETTINGS_MODULE": "lawgov.settings",
        "LAWGOV_MEDIA_ROOT": "/tmp/lawgov-load-media",
        "AXES_FAILURE_LIMIT": "1000",
    }
    psql = ["psql", "-h", "127.0.0.1", "-U", "postgres", "-d", "postgres", "-q", "-c"]
    subprocess.run([*psql, f"DROP DATABASE IF EXISTS {DB_NAME}"], check=True, capture_output=True)
    subprocess.run([*psql, f"CREATE DATABASE {DB_NAME}"], check=True, capture_output=True)
    subprocess.run(
        ["redis-cli", "-u", env["REDIS_URL"], "flushdb"], check=True, capture_output=True
    )
    manage(env, "migrate", "-v0")
    tokens = json.loads(
        manage(
            env,
            "shell",
            "--no-imports",
            "-c",
            SETUP.format(period=PERIOD, clerks=args.clerks, per=INDICATORS_PER_DEPARTMENT),
        )
        .strip()
        .splitlines()[-1]
    )

    log = open("/tmp/lawgov-load-servers.log", "w")
    web = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "lawgov.wsgi:application",
            "--bind",
            f"127.0.0.1:{PORT}",
            "--workers",
            "3",
            "--threads",
            "4",
            "--timeout",
            "60",
        ],
        cwd=REPO,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "lawgov",
            "worker",
            "--concurrency=1",
            "--loglevel=WARNING",
            "--without-mingle",
            "--without-gossip",
        ],
        cwd=REPO,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        for _ in range(100):
            if call("GET", "/periods/", tokens["leader"])[0] == 200:
                break
            time.sleep(0.2)
        rec, stop = Recorder(), threading.Event()
        results = {"unexpected": [], "jobs": defaultdict(int)}
        threads = [
            threading.Thread(target=clerk, args=(rec, stop, info, args.rounds, results))
            for info in tokens["clerks"]
        ]
        departments = sorted({info["department"] for info in tokens["clerks"]})
        side = [
            threading.Thread(
                target=reviewer, args=(rec, stop, tokens["reviewer"], departments[::2])
            ),
            threading.Thread(
                target=reviewer, args=(rec, stop, tokens["reviewer"], departments[1::2])
            ),
            threading.Thread(target=leader, args=(rec, stop, tokens["leader"], results)),
        ]
        started = time.perf_counter()
        for t in threads + side:
            t.start()
        deadline = started + args.seconds
        for t in threads:
            t.join(timeout=max(0, deadline - time.perf_counter()))
        clerks_done = time.perf_counter() - started
        for t in side[:2]:
            t.join(timeout=max(0, deadline - time.perf_counter()))
        stop.set()
        for t in threads + side:
            t.join(timeout=60)
        elapsed = time.perf_counter() - started
    finally:
        web.terminate()
        worker.terminate()
        web.wait(timeout=30)
        worker.wait(timeout=30)

    stored = json.loads(
        manage(env, "shell", "--no-imports", "-c", CHECK.format(period=PERIOD))
        .strip()
        .splitlines()[-1]
    )
    lost = []
    for code, writes in rec.accepted.items():
        last_version, last_value = max(writes, key=lambda w: w[0])
        value, version, _status, _history = stored.get(code, [None, None, None, 0])
        # Only saves change a value; submit and approve raise the version without changing it.
        if version is None or version < last_version or value != last_value:
            lost.append(code)
    requests = sum(len(v) for v in rec.latency.values())
    server_errors = sum(n for op in rec.status.values() for code, n in op.items() if code >= 500)
    print(
        f"Clerks: {len(tokens['clerks'])} sessions ({args.clerks} departments × 2), "
        f"{INDICATORS_PER_DEPARTMENT} figures each, {args.rounds} rounds; 2 reviewers; 1 leader."
    )
    print(
        f"Wall time {elapsed:.1f} s (clerks finished after {clerks_done:.1f} s); "
        f"{requests} requests, {requests / elapsed:.1f} req/s.\n"
    )
    print("| operation | requests | median ms | p95 ms | status codes |")
    print("|---|---:|---:|---:|---|")
    for op, samples in sorted(rec.latency.items()):
        codes = ", ".join(f"{c}×{n}" for c, n in sorted(rec.status[op].items()))
        print(
            f"| {op} | {len(samples)} | {statistics.median(samples) * 1000:.0f} | {pct(samples, 0.95) * 1000:.0f} | {codes} |"
        )
    print(
        f"\n5xx / connection errors: {server_errors}; unexpected responses: {len(results['unexpected'])}"
    )
    print(
        f"accepted saves: {sum(len(w) for w in rec.accepted.values())}; lost updates: {len(lost)}"
    )
    print(f"report jobs: {dict(results['jobs'])}")
    for item in results["unexpected"][:5]:
        print("  unexpected:", item)
    for code in lost[:5]:
        print("  lost:", code, "accepted", sorted(rec.accepted[code]), "stored", stored.get(code))


if __name__ == "__main__":
    main()
