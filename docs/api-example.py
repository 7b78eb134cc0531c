#!/usr/bin/env python3
"""Another system talks to lawgov with tokens only (Python standard library, no extra package):

1. a department's clerk token pushes the department's figures for a period (all or nothing),
2. submits them,
3. a reviewer token approves them,
4. requests the final report (202 Accepted + the job's URL), polls it, downloads the PDF.

    LAWGOV_URL=http://127.0.0.1:8000 \\
    CLERK_TOKEN=... REVIEWER_TOKEN=... \\
    python3 docs/api-example.py --period 2026 --department sfj figures.json

`figures.json` is a list of {"code": ..., "value": "...", "remark": "..."}; values as strings
keep their exact decimal value. Tokens: each user creates theirs on the portal's 我的接口令牌 page
(/account/tokens/); or `manage.py create_api_token clerk_sfj`; or, instead of CLERK_TOKEN, give
CLERK_USER and CLERK_PASSWORD (REVIEWER_USER, REVIEWER_PASSWORD) and the script gets a token with
`obtain_token` (POST /api/v1/auth/token/). Tokens expire (30 days by default). See docs/api.md.
"""

import argparse
import json
import os
import sys
import time
import urllib.error
import urllib.request

BASE = os.environ.get("LAWGOV_URL", "http://127.0.0.1:8000").rstrip("/")


# The API names statuses by code (FigureStatusEnum in the schema); people read these.
STATUS_LABELS = {
    "draft": "草稿",
    "submitted": "已报送待审核",
    "returned": "已退回",
    "approved": "已审核",
    "missing": "未填报",
}


class ApiError(Exception):
    def __init__(self, status: int, body: dict):
        self.status, self.body = status, body
        super().__init__(f"{status} {body.get('code')}: {body.get('message')}")


def call(method: str, path: str, token: str, body=None, *, raw=False):
    """One request; answers the decoded JSON (or the bytes with raw=True), raises ApiError
    with the API's {code, message, ...} on any 4xx/5xx."""
    url = path if path.startswith("http") else BASE + path
    data = None if body is None else json.dumps(body).encode("utf-8")
    request = urllib.request.Request(url, data=data, method=method)
    request.add_header("Authorization", f"Token {token}")
    request.add_header("Accept", "application/json")
    if data is not None:
        request.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            content = response.read()
            if raw:
                return content
            return json.loads(content) if content else None
    except urllib.error.HTTPError as exc:
        try:
            payload = json.loads(exc.read() or b"{}")
        except ValueError:
            payload = {"code": "http_error", "message": exc.reason}
        raise ApiError(exc.code, payload) from None


def obtain_token(username: str, password: str, otp: str = "", name: str = "api-example") -> str:
    """A token for the user (POST /api/v1/auth/token/; `otp`: the two-step code, for users who
    enrolled one). Wrong credentials: 401 invalid_credentials; too many: 429 locked_out."""
    body = {"username": username, "password": password, "otp": otp, "name": name}
    request = urllib.request.Request(
        BASE + "/api/v1/auth/token/", data=json.dumps(body).encode("utf-8"), method="POST"
    )
    request.add_header("Content-Type", "application/json")
    request.add_header("Accept", "application/json")
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return json.loads(response.read())["token"]
    except urllib.error.HTTPError as exc:
        raise ApiError(exc.code, json.loads(exc.read() or b"{}")) from None


def token_from_environment(role: str) -> str:
    """ROLE_TOKEN, or a new token for ROLE_USER / ROLE_PASSWORD (ROLE_OTP if enrolled)."""
    prefix = role.upper()
    if os.environ.get(f"{prefix}_TOKEN"):
        return os.environ[f"{prefix}_TOKEN"]
    return obtain_token(
        os.environ[f"{prefix}_USER"],
        os.environ[f"{prefix}_PASSWORD"],
        os.environ.get(f"{prefix}_OTP", ""),
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--period", required=True, help="报告期代码，如 2026")
    parser.add_argument("--department", required=True, help="部门代码，如 sfj")
    parser.add_argument("figures", help="JSON file: [{code, value, remark}]")
    parser.add_argument("--out", default="report.pdf", help="where to save the PDF")
    args = parser.parse_args()
    clerk, reviewer = token_from_environment("clerk"), token_from_environment("reviewer")
    with open(args.figures, encoding="utf-8") as handle:
        figures = json.load(handle)

    try:
        # 1. Push the department's figures: one bad row refuses the whole batch.
        pushed = call(
            "POST",
            "/api/v1/figures/bulk/",
            clerk,
            {"period": args.period, "department": args.department, "figures": figures},
        )
        print(f"写入 {pushed['count']} 项数据")

        # 2. Submit them for review (add {"force": true} to send warned figures with 上报说明).
        dept_url = f"/api/v1/periods/{args.period}/departments/{args.department}"
        submitted = call("POST", f"{dept_url}/submit/", clerk, {})
        print(f"报送 {submitted['count']} 项数据")

        # 3. The legal affairs office approves the department's submitted figures.
        approved = call("POST", f"{dept_url}/approve/", reviewer, {"comment": "接口审核"})
        print(f"审核通过 {approved['count']} 项数据")

        # 4. Ask for the final speech; it is built in the background.
        job = call("POST", "/api/v1/reports/", reviewer, {"period": args.period, "kind": "final"})
        print(f"已申请生成正式稿，任务 {job['url']}")
        for _ in range(120):
            job = call("GET", job["url"], reviewer)
            if job["status"] in ("succeeded", "failed"):
                break
            time.sleep(1)
        if job["status"] != "succeeded":
            print(f"生成未完成：{job['status']} {job.get('error', '')}", file=sys.stderr)
            return 1
        pdf = call("GET", job["pdf_url"], reviewer, raw=True)
        with open(args.out, "wb") as handle:
            handle.write(pdf)
        print(f"已下载 {args.out}（{len(pdf)} 字节）")
        return 0
    except ApiError as exc:
        print(f"请求被拒绝：{exc}", file=sys.stderr)
        for detail in exc.body.get("errors", []) or []:
            print(f"  - {detail}", file=sys.stderr)
        for gap in exc.body.get("gaps", []) or []:
            state = STATUS_LABELS.get(gap["status"], gap["status"] or "未填报")
            print(f"  - 缺：{gap['department']} {gap['name']}（{state}）", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
