from accounts.demo import DEMO_PASSWORD
from reports.models import JobStatus, ReportJob


def test_leader_requests_a_final_report_and_downloads_it(
    eager_tasks, leader_client, media, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = leader_client.post("/reports/", {"period": "2025", "kind": "final"})
    job = ReportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/reports/jobs/{job.pk}/"
    page = leader_client.get(response["Location"]).content.decode()
    assert "下载 PDF" in page and "已完成" in page
    pdf = leader_client.get(f"/reports/jobs/{job.pk}/download/pdf/")
    assert pdf.status_code == 200
    assert b"".join(pdf.streaming_content).startswith(b"%PDF")
    assert "attachment" in pdf["Content-Disposition"]
    docx = leader_client.get(f"/reports/jobs/{job.pk}/download/docx/")
    assert b"".join(docx.streaming_content).startswith(b"PK")


def test_final_refusal_lists_gaps_by_department(leader_client):
    response = leader_client.post("/reports/", {"period": "2026", "kind": "final"})
    page = response.content.decode()
    assert response.status_code == 409
    assert "向未报齐的部门催报" in page  # the leader may send the reminders from here
    assert "暂不能生成正式稿" in page
    assert "公安分局（2 项）" in page
    assert "组建专职巡逻队的乡镇（街道） —— 未填" in page
    assert not ReportJob.objects.exists()


def test_status_fragment_asks_again_until_finished(leader_client, leader_user):
    from metrics.models import ReportingPeriod
    from reports import services

    job = services.create_report_job(
        period=ReportingPeriod.objects.get(code="2025"), kind="final", user=leader_user
    )
    fragment = leader_client.get(f"/reports/jobs/{job.pk}/status/").content.decode()
    # The next request waits on the server for the job to leave the status shown.
    assert "?seen=queued" in fragment and 'hx-trigger="load' in fragment and "排队中" in fragment
    ReportJob.objects.filter(pk=job.pk).update(status=JobStatus.FAILED, error="测试失败原因")
    fragment = leader_client.get(f"/reports/jobs/{job.pk}/status/?seen=queued").content.decode()
    assert "hx-trigger" not in fragment and "测试失败原因" in fragment


def test_clerk_cannot_see_reports(client, demo_data):
    assert client.login(username="clerk_sfj", password=DEMO_PASSWORD)
    assert client.get("/reports/").status_code == 403
    assert client.post("/reports/", {"period": "2025", "kind": "draft"}).status_code == 403
    assert not ReportJob.objects.exists()


def test_template_page_previews_and_saves_a_new_version(reviewer_client):
    page = reviewer_client.get("/reports/template/")
    assert page.status_code == 200 and "当前第1版" in page.content.decode()
    text = page.context["text"]
    preview = reviewer_client.post("/reports/template/preview/", {"text": text}).content.decode()
    assert "srcdoc" in preview and "尊敬的各位领导" in preview
    bad = reviewer_client.post(
        "/reports/template/preview/", {"text": text + "\n{oops}"}
    ).content.decode()
    assert "oops" in bad
    refused = reviewer_client.post("/reports/template/", {"text": text + "\n{oops}"})
    assert refused.status_code == 400
    assert "{oops}" in refused.content.decode()  # what was typed is kept
    saved = reviewer_client.post(
        "/reports/template/", {"text": text.replace("谢谢大家", "谢谢各位"), "comment": "改"}
    )
    assert saved.status_code == 302
    assert "当前第2版" in reviewer_client.get("/reports/template/").content.decode()
    assert reviewer_client.get("/reports/template/versions/1/").status_code == 200


def test_leader_cannot_edit_the_template(leader_client):
    assert leader_client.get("/reports/template/").status_code == 403


def test_reviewer_reminds_the_departments_a_final_report_waits_for(reviewer_client):
    from metrics.models import Reminder

    page = reviewer_client.post("/reports/", {"period": "2026", "kind": "final"}).content.decode()
    assert "向未报齐的部门催报" in page
    reviewer_client.post("/dashboard/remind/?period=2026")
    reminded = set(Reminder.objects.values_list("department__code", flat=True))
    assert "gaj" in reminded and "spj" not in reminded


def test_job_page_lists_what_changed_since_the_previous_report_in_chinese(
    leader_client, leader_user, media
):
    from decimal import Decimal

    from metrics.models import Figure, FigureStatus, ReportingPeriod
    from reports import services

    period = ReportingPeriod.objects.get(code="2026")
    first = services.create_report_job(period=period, kind="draft", user=leader_user)
    services.run_report_job(job_id=first.pk)
    Figure.objects.filter(indicator__code="grass_grid_workers", period=period).update(
        value=Decimal(2000), status=FigureStatus.APPROVED
    )
    second = services.create_report_job(period=period, kind="draft", user=leader_user)
    page = leader_client.get(f"/reports/jobs/{second.pk}/").content.decode()
    assert "1 项数据有变化" in page
    assert "1925（已报送）" in page and "2000（已审核）" in page
    for english in ("submitted", "approved", "draft", "missing"):
        assert f"（{english}）" not in page
