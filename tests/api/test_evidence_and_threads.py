"""What the figure page offers besides the value, through the API: evidence files (upload,
download, delete), the comment thread, and a reviewer reopening one approved figure."""

import os

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from metrics.models import Evidence, Figure, FigureComment, FigureStatus

from .conftest import PDF, figure_of, submitted_figure, token_client

COUNT = "biz_inhouse_counsel"  # a count of 区司法局 the demo leaves as a draft or empty


def _upload(client, *, indicator=COUNT, period="2026", data=PDF, name="依据.pdf"):
    return client.post(
        "/api/v1/evidence/",
        {"period": period, "indicator": indicator, "file": SimpleUploadedFile(name, data)},
        format="multipart",
    )


def _editable_indicator(p2026, department):
    figure = Figure.objects.filter(
        period=p2026,
        indicator__department=department,
        status__in=[FigureStatus.DRAFT, FigureStatus.RETURNED],
    ).first()
    return figure.indicator.code


def test_clerk_uploads_downloads_and_deletes_evidence(
    clerk, p2026, sfj, media, django_capture_on_commit_callbacks
):
    code = _editable_indicator(p2026, sfj)
    created = _upload(clerk, indicator=code, name="../../etc/复议台账.pdf")
    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["name"] == "复议台账.pdf" and body["content_type"] == "application/pdf"
    assert body["size"] == len(PDF)

    downloaded = clerk.get(body["url"])
    assert downloaded.status_code == 200 and b"".join(downloaded.streaming_content) == PDF
    figure = figure_of(p2026, code)
    detail = clerk.get(f"/api/v1/figures/{figure.pk}/").json()
    assert [e["id"] for e in detail["evidence"]] == [body["id"]]

    stored = Evidence.objects.get(pk=body["id"]).file.path
    with django_capture_on_commit_callbacks(execute=True):  # the file goes once committed
        deleted = clerk.delete(body["url"])
    assert deleted.status_code == 204
    assert not Evidence.objects.filter(pk=body["id"]).exists()
    assert not os.path.exists(stored)
    thread = [c["text"] for c in clerk.get(f"/api/v1/figures/{figure.pk}/").json()["comments"]]
    assert thread[-2:] == ["上传：复议台账.pdf", "删除：复议台账.pdf"]


@pytest.mark.parametrize(
    "data, name, message",
    [
        (b"MZ\x90\x00 not a pdf at all", "伪装.pdf", "不支持的文件类型"),
        (b"", "空.pdf", "文件是空的"),
    ],
)
def test_bad_uploads_are_refused_and_store_nothing(clerk, p2026, sfj, media, data, name, message):
    code = _editable_indicator(p2026, sfj)
    response = _upload(clerk, indicator=code, data=data, name=name)
    assert response.status_code == 400
    assert response.json()["code"] == "invalid" and message in response.json()["message"]
    assert not Evidence.objects.exists()
    assert not any(p.is_file() for p in media.rglob("*"))


def test_upload_needs_a_file_and_known_codes(clerk, p2026, media):
    missing = clerk.post(
        "/api/v1/evidence/", {"period": "2026", "indicator": COUNT}, format="multipart"
    )
    assert missing.status_code == 400 and "请选择要上传的文件" in str(missing.json()["errors"])
    unknown = _upload(clerk, indicator="no_such_code")
    assert unknown.status_code == 400 and "no_such_code" in str(unknown.json()["errors"])
    as_json = clerk.post("/api/v1/evidence/", {"period": "2026"}, format="json")
    assert as_json.status_code == 415 and as_json.json()["code"] == "unsupported_media_type"
    assert not Evidence.objects.exists()


def test_upload_and_delete_are_refused_on_other_departments_and_submitted_figures(
    users, clerk, p2026, sfj, media
):
    code = _editable_indicator(p2026, sfj)
    for role in ("clerk_other", "reviewer", "leader"):
        response = _upload(token_client(users[role]), indicator=code)
        assert response.status_code == 403, role
        assert response.json()["code"] == "forbidden"
    item = _upload(clerk, indicator=code).json()
    assert token_client(users["clerk_other"]).delete(item["url"]).status_code == 403
    Figure.objects.filter(pk=Evidence.objects.get(pk=item["id"]).figure_id).update(
        status=FigureStatus.SUBMITTED
    )
    refused = clerk.delete(item["url"])
    assert refused.status_code == 400 and "已报送" in refused.json()["message"]
    assert Evidence.objects.filter(pk=item["id"]).exists()
    submitted = submitted_figure(p2026, sfj)
    late = _upload(clerk, indicator=submitted.indicator.code)
    assert late.status_code == 400 and "不能再添加佐证材料" in late.json()["message"]


def test_comment_thread_for_the_clerk_and_the_reviewer(users, clerk, reviewer, p2026, sfj):
    figure = submitted_figure(p2026, sfj)
    url = f"/api/v1/figures/{figure.pk}/comments/"
    asked = reviewer.post(url, {"text": "请附复议台账"}, format="json")
    assert asked.status_code == 201
    assert asked.json()["author"] == "reviewer" and asked.json()["kind"] == "comment"
    answered = clerk.post(url, {"text": "  已补充  "}, format="json")
    assert answered.status_code == 201 and answered.json()["text"] == "已补充"
    empty = clerk.post(url, {"text": "   "}, format="json")
    assert empty.status_code == 400 and "不能为空" in empty.json()["message"]
    for role in ("clerk_other", "leader"):
        refused = token_client(users[role]).post(url, {"text": "路过"}, format="json")
        assert refused.status_code == 403, role
    thread = clerk.get(f"/api/v1/figures/{figure.pk}/").json()["comments"]
    assert [(c["author"], c["text"]) for c in thread[-2:]] == [
        ("reviewer", "请附复议台账"),
        ("clerk_sfj", "已补充"),
    ]
    assert FigureComment.objects.filter(figure=figure, text="路过").count() == 0


def test_reviewer_reopens_one_approved_figure(clerk, reviewer, p2026, sfj):
    figure = submitted_figure(p2026, sfj)
    url = f"/api/v1/figures/{figure.pk}/reopen/"
    not_yet = reviewer.post(url, {"reason": "更正"}, format="json")
    assert not_yet.status_code == 400 and "无需重新开放" in not_yet.json()["message"]
    reviewer.post(f"/api/v1/figures/{figure.pk}/approve/", {}, format="json")
    assert clerk.post(url, {"reason": "我想改"}, format="json").status_code == 403
    assert reviewer.post(url, {}, format="json").json()["code"] == "invalid"
    reopened = reviewer.post(url, {"reason": "口径调整，请更正"}, format="json")
    assert reopened.status_code == 200
    assert reopened.json()["status"] == "returned"
    detail = clerk.get(f"/api/v1/figures/{figure.pk}/").json()
    assert detail["return_reason"] == "口径调整，请更正"
    assert detail["comments"][-1]["kind"] == "reopen"
    assert detail["history"][0]["user"] == "reviewer"
    assert "重新开放" in detail["history"][0]["reason"]
