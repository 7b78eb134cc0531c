"""`manage.py build_report`: the speech built in the foreground, as an operator would on a
deadline day, through the same report jobs as the web."""

import hashlib
import io
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from docx import Document

from metrics.models import User
from reports.models import JobStatus, ReportJob
from tests.reports.speech import expected_speech, pdf_text

ROOT = Path(__file__).resolve().parents[2]

# The demo's 2026 gaps as the operator reads them: department, then the missing figures' names.
GAPS_2026 = {
    "区司法局": "受理行政复议案件",
    "区委政法委": "专（兼）职网格员",
    "区委组织部": "功能型党支部",
    "公安分局": "组建专职巡逻队的乡镇（街道）；每支专职巡逻队不少于",
}
# Departments whose 2026 figures are all approved are not listed.
COMPLETE_2026 = ["区行政审批服务局", "区委编办", "区委宣传部"]


def _pdfinfo(path: Path) -> dict[str, str]:
    out = subprocess.run(["pdfinfo", str(path)], capture_output=True, check=True, text=True).stdout
    return {
        key.strip(): value.strip()
        for key, _, value in (line.partition(":") for line in out.splitlines())
    }


def _assert_a4_speech_pdf(path: Path) -> dict[str, str]:
    assert path.read_bytes().startswith(b"%PDF")
    info = _pdfinfo(path)
    assert "(A4)" in info["Page size"], info
    assert int(info["Pages"]) >= 5, info
    return info


def _docx_text(path: Path) -> str:
    return "".join(p.text for p in Document(str(path)).paragraphs)


def _assert_gaps_listed(message: str) -> None:
    lines = message.splitlines()
    assert lines[0] == "2026年度不能生成正式稿，以下 21 项数据尚未填写或未审核：", lines[0]
    by_department = dict(line.strip().split("：", 1) for line in lines[1:])
    assert set(by_department) == set(GAPS_2026)
    for department, names in GAPS_2026.items():
        assert names in by_department[department], (department, by_department[department])
    for department in COMPLETE_2026:
        assert department not in message


def test_a_final_report_of_a_period_with_gaps_is_refused_listing_them_by_department(
    demo_data, media, tmp_path
):
    pdf, docx = tmp_path / "speech.pdf", tmp_path / "speech.docx"
    with pytest.raises(CommandError) as refused:
        call_command("build_report", "--period", "2026", "--output", str(pdf), "--docx", str(docx))
    _assert_gaps_listed(str(refused.value))
    assert not pdf.exists() and not docx.exists()
    assert not ReportJob.objects.exists()
    assert not (media / "reports").exists()


def test_a_draft_with_gaps_is_written_as_pdf_and_docx_and_recorded_as_a_job(
    demo_data, media, tmp_path, capsys
):
    pdf, docx = tmp_path / "draft.pdf", tmp_path / "draft.docx"
    call_command(
        "build_report",
        "--period",
        "2026",
        "--draft",
        "--output",
        str(pdf),
        "--docx",
        str(docx),
        "--user",
        "leader",
    )
    info = _assert_a4_speech_pdf(pdf)
    assert "（草稿）" in info["Title"]
    text = pdf_text(pdf.read_bytes())
    assert "【待填：组建专职巡逻队的乡镇（街道）】" in text
    assert "【待填：组建专职巡逻队的乡镇（街道）】" in _docx_text(docx)
    # Recorded like a web request: a succeeded draft job, by the named user, whose stored
    # files are the ones the command wrote out.
    job = ReportJob.objects.get()
    assert (job.period.code, job.kind, job.status) == ("2026", "draft", JobStatus.SUCCEEDED)
    assert job.requested_by == User.objects.get(username="leader")
    assert job.attempts == 1 and job.error == ""
    assert job.pdf_sha256 == hashlib.sha256(pdf.read_bytes()).hexdigest()
    assert job.docx_sha256 == hashlib.sha256(docx.read_bytes()).hexdigest()
    assert (media / job.pdf.name).is_file() and (media / job.docx.name).is_file()
    assert f"已生成2026年度讲话稿（草稿）#{job.pk}：{pdf}" in capsys.readouterr().out


def test_the_final_report_of_the_approved_year_is_the_whole_speech(demo_data, media, tmp_path):
    pdf, docx = tmp_path / "final.pdf", tmp_path / "final.docx"
    call_command("build_report", "--period", "2025", "--output", str(pdf), "--docx", str(docx))
    info = _assert_a4_speech_pdf(pdf)
    assert "草稿" not in info["Title"]
    text = pdf_text(pdf.read_bytes())
    assert text.endswith("发言完毕，谢谢大家！")
    assert "【待" not in text
    job = ReportJob.objects.get()
    assert text == expected_speech(job.snapshot)
    words = _docx_text(docx)
    assert "发言完毕，谢谢大家！" in words and "【待" not in words
    # From the command line nobody is named as the requester unless --user says so.
    # Without --user, the job names the command line's system account, not nobody.
    assert (job.kind, job.status, job.requested_by.username) == (
        "final",
        JobStatus.SUCCEEDED,
        "system-cli",
    )
    assert job.pdf_sha256 == hashlib.sha256(pdf.read_bytes()).hexdigest()


def test_pdf_only_when_no_docx_is_asked_for(demo_data, media, tmp_path):
    call_command("build_report", "--period", "2025", "--output", str(tmp_path / "only.pdf"))
    assert sorted(p.name for p in tmp_path.iterdir() if p.is_file()) == ["only.pdf"]


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--period", "1999"], "报告期“1999”不存在。"),
        (["--period", "2025", "--user", "nobody"], "用户“nobody”不存在。"),
    ],
)
def test_unknown_period_or_user_is_refused_by_name(demo_data, tmp_path, arguments, message):
    output = tmp_path / "x.pdf"
    with pytest.raises(CommandError, match=re.escape(message)):
        call_command("build_report", *arguments, "--output", str(output))
    assert not output.exists() and not ReportJob.objects.exists()


def test_as_a_real_process_the_exit_status_says_whether_the_speech_was_built(tmp_path):
    """`python manage.py build_report` as a shell script or cron job runs it. The process gets
    a fresh SQLite database of its own (migrated and seeded by manage.py, as `make run` does),
    since the test's own database may be in memory."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "lawgov.settings",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'cli.sqlite3'}",
        "LAWGOV_MEDIA_ROOT": str(tmp_path / "media"),
        # Set but empty so that a .env file cannot fill them in: no broker is involved here.
        "REDIS_URL": "",
        "CELERY_BROKER_URL": "",
    }

    def manage(*arguments):
        return subprocess.run(
            [sys.executable, "manage.py", *arguments],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )

    for setup in (["migrate", "-v0"], ["seed_demo", "--district-only"]):
        done = manage(*setup)
        assert done.returncode == 0, done.stderr[-3000:]

    final = tmp_path / "final-2026.pdf"
    refused = manage("build_report", "--period", "2026", "--output", str(final))
    assert refused.returncode != 0
    assert refused.stderr.startswith("CommandError: "), refused.stderr[-3000:]
    _assert_gaps_listed(refused.stderr.removeprefix("CommandError: ").strip())
    assert not final.exists()

    draft = tmp_path / "draft-2026.pdf"
    built = manage("build_report", "--period", "2026", "--draft", "--output", str(draft))
    assert built.returncode == 0, built.stderr[-3000:]
    assert "已生成2026年度讲话稿（草稿）#1：" in built.stdout
    _assert_a4_speech_pdf(draft)


def test_an_output_folder_that_does_not_exist_is_refused_before_building(demo_data, tmp_path):
    with pytest.raises(CommandError, match="输出目录不存在"):
        call_command(
            "build_report",
            period="2025",
            output=str(tmp_path / "nowhere" / "speech.pdf"),
            stdout=io.StringIO(),
        )
    assert not ReportJob.objects.exists()
