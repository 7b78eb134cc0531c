import hashlib
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from metrics.models import Figure, FigureStatus, ReportingPeriod
from reports import selectors, services
from reports.models import JobStatus, ReportJob, TemplateVersion
from tests.reports.speech import expected_speech, pdf_text


def _period(code):
    return ReportingPeriod.objects.get(code=code)


def test_final_2025_report_is_the_reference_speech_with_the_figures(
    eager_tasks, media, leader_user, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        job = services.request_report(period=_period("2025"), kind="final", user=leader_user)
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED, job.error
    pdf = job.pdf.read()
    assert job.pdf_size == len(pdf)
    assert job.pdf_sha256 == hashlib.sha256(pdf).hexdigest()
    assert pdf_text(pdf) == expected_speech(job.snapshot)
    assert job.docx_size > 0 and job.template_version.number == 1


def test_final_report_is_refused_with_the_gaps_by_department(leader_user):
    with pytest.raises(services.ReportNotReady) as refused:
        services.request_report(period=_period("2026"), kind="final", user=leader_user)
    by_department = refused.value.by_department
    assert {g["code"] for g in by_department["公安分局"]} == {
        "grass_patrol_townships",
        "grass_patrol_min_size",
    }
    assert "区委政法委" in by_department  # submitted but not approved
    assert "区行政审批服务局" not in by_department  # all approved
    assert not ReportJob.objects.exists()


def test_draft_can_always_be_built_and_marks_gaps(
    eager_tasks, media, leader_user, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        job = services.request_report(period=_period("2026"), kind="draft", user=leader_user)
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED, job.error
    text = pdf_text(job.pdf.read())
    assert "【待填：组建专职巡逻队的乡镇（街道）】" in text
    assert "*" not in text


def test_snapshot_is_frozen_at_request_time(media, leader_user):
    job = services.create_report_job(period=_period("2025"), kind="final", user=leader_user)
    Figure.objects.filter(indicator__code="biz_review_cases_received", period__code="2025").update(
        value=999
    )
    job = services.run_report_job(job_id=job.pk)
    assert job.snapshot["figures"]["biz_review_cases_received"]["value"] == "58"
    text = pdf_text(job.pdf.read())
    assert "共受理行政复议案件58起" in text and "999" not in text


def test_running_a_job_twice_makes_one_file(media, leader_user):
    job = services.create_report_job(period=_period("2025"), kind="final", user=leader_user)
    first = services.run_report_job(job_id=job.pk)
    again = services.run_report_job(job_id=job.pk)
    assert (again.pdf.name, again.pdf_sha256, again.attempts) == (
        first.pdf.name,
        first.pdf_sha256,
        1,
    )
    # a redelivery after a crash mid-build rebuilds into the same file names
    ReportJob.objects.filter(pk=job.pk).update(status=JobStatus.RUNNING)
    rebuilt = services.run_report_job(job_id=job.pk)
    assert rebuilt.pdf.name == first.pdf.name and rebuilt.attempts == 2
    files = list((media / "reports" / "2025").iterdir())
    assert sorted(p.suffix for p in files) == [".docx", ".ofd", ".pdf"]


def test_clerk_cannot_request_a_report(demo_data):
    from metrics.models import User

    clerk = User.objects.get(username="clerk_sfj")
    with pytest.raises(PermissionDenied):
        services.request_report(period=_period("2025"), kind="draft", user=clerk)


def test_template_edit_makes_a_new_version_and_keeps_the_old(reviewer_user):
    template = selectors.active_template()
    old = template.current_version
    text = old.text.replace("发言完毕，谢谢大家！", "发言完毕，谢谢！")
    version = services.save_template_version(
        template=template, text=text, user=reviewer_user, comment="改结束语"
    )
    assert version.number == old.number + 1
    assert TemplateVersion.objects.get(pk=old.pk).text == old.text
    assert template.current_version == version


def test_unknown_code_or_filter_is_refused_naming_it_and_the_line(reviewer_user):
    template = selectors.active_template()
    text = (
        template.current_version.text + "\n共办理{no_such_code}件，{biz_review_cases_closed|nope}。"
    )
    with pytest.raises(ValidationError) as refused:
        services.save_template_version(template=template, text=text, user=reviewer_user)
    joined = " ".join(refused.value.messages)
    assert "no_such_code" in joined and "nope" in joined
    assert "第" in joined and "行" in joined
    assert template.versions.count() == 1


def test_leader_cannot_edit_the_template(leader_user):
    template = selectors.active_template()
    with pytest.raises(PermissionDenied):
        services.save_template_version(template=template, text="x", user=leader_user)


def test_changes_between_two_reports(media, leader_user, reviewer_user):
    period = _period("2026")
    first = services.create_report_job(period=period, kind="draft", user=leader_user)
    Figure.objects.filter(indicator__code="grass_grid_workers", period=period).update(
        value=Decimal(2000), status=FigureStatus.APPROVED
    )
    second = services.create_report_job(period=period, kind="draft", user=leader_user)
    changes = selectors.snapshot_changes(old=first.snapshot, new=second.snapshot)
    assert [(c["code"], c["old"], c["new"]) for c in changes] == [
        ("grass_grid_workers", "1925", "2000")
    ]
    # What the job page shows: the value with its status in Chinese.
    assert (changes[0]["old_text"], changes[0]["new_text"]) == ("1925（已报送）", "2000（已审核）")


def test_template_cannot_reach_anything_but_figures(reviewer_user, leader_user, media):
    template = selectors.active_template()
    base = template.current_version.text
    for attempt in (
        "{__class__}",
        "{settings}",
        "{biz_review_cases_received.__class__}",
        "{biz_review_cases_received|safe}",
    ):
        with pytest.raises(ValidationError):
            services.save_template_version(
                template=template, text=base + "\n" + attempt, user=reviewer_user
            )
    # Django template syntax is printed as text, never evaluated.
    version = services.save_template_version(
        template=template,
        text=base + "\n{{ settings.SECRET_KEY }}{{% debug %}}",
        user=reviewer_user,
    )
    job = services.run_report_job(
        job_id=services.create_report_job(period=_period("2025"), kind="draft", user=leader_user).pk
    )
    assert job.template_version == version
    text = pdf_text(job.pdf.read())
    assert "{settings.SECRET_KEY}" in text and "dev-only" not in text


# ---------------------------------------------------------------------------------------
# The same request again while its job is queued or running.


@pytest.fixture
def queued(monkeypatch):
    """Jobs stay queued: no worker takes them during the test."""
    monkeypatch.setattr(services, "_enqueue", lambda job_id, new_job: None)


def test_the_same_request_while_its_job_is_queued_returns_that_job(
    queued, leader_user, reviewer_user, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as first_queued:
        first = services.request_report(period=_period("2025"), kind="final", user=leader_user)
    with django_capture_on_commit_callbacks(execute=True) as again_queued:
        again = services.request_report(period=_period("2025"), kind="final", user=reviewer_user)
    assert again.pk == first.pk and again.reused and not first.reused
    assert len(first_queued) == 1 and again_queued == []  # not queued a second time
    assert ReportJob.objects.count() == 1
    assert ReportJob.objects.get().requested_by == leader_user
    # Still so while it runs.
    ReportJob.objects.filter(pk=first.pk).update(status=JobStatus.RUNNING)
    assert services.request_report(period=_period("2025"), kind="final", user=leader_user) == first


def test_a_request_that_differs_or_comes_after_the_job_gets_a_new_job(
    queued, media, leader_user, reviewer_user
):
    first = services.request_report(period=_period("2025"), kind="final", user=leader_user)
    other_kind = services.request_report(period=_period("2025"), kind="draft", user=leader_user)
    other_period = services.request_report(period=_period("2026"), kind="draft", user=leader_user)
    assert len({first.pk, other_kind.pk, other_period.pk}) == 3
    # Another figure: the queued job would not say what is stored now.
    Figure.objects.filter(indicator__code="biz_review_cases_received", period__code="2026").update(
        value=Decimal(999)
    )
    changed = services.request_report(period=_period("2026"), kind="draft", user=leader_user)
    assert changed.pk != other_period.pk and not changed.reused
    # Another template version.
    template = TemplateVersion.objects.get(template__slug="speech").template
    services.save_template_version(
        template=template, text=template.current_version.text + "\n", user=reviewer_user
    )
    new_version = services.request_report(period=_period("2025"), kind="final", user=leader_user)
    assert new_version.pk != first.pk and new_version.template_version.number == 2
    # A finished (or failed) job is not waited for: the request builds anew.
    services.run_report_job(job_id=first.pk)
    ReportJob.objects.filter(pk=new_version.pk).update(status=JobStatus.FAILED)
    after = services.request_report(period=_period("2025"), kind="final", user=leader_user)
    assert after.pk not in (first.pk, new_version.pk)
    assert ReportJob.objects.count() == 6


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_identical_requests_at_the_same_moment_make_one_job(postgres, demo_data, monkeypatch):
    from metrics.models import User
    from tests.threads import at_once

    queued_ids = []
    monkeypatch.setattr(services, "_enqueue", lambda job_id, new_job: queued_ids.append(job_id))
    leader = User.objects.get(username="leader")
    period = _period("2025")
    results = at_once(
        [lambda: services.request_report(period=period, kind="final", user=leader).pk] * 10
    )
    job = ReportJob.objects.get()
    assert results == [job.pk] * 10
    assert queued_ids == [job.pk]
