"""What a template editor may paste, through the preview and the save: refused with the line
named, quickly, and never stored to fail every report job later."""

import time

import pytest
from django.core.exceptions import ValidationError

from reports import selectors, services


def test_a_control_character_is_refused_at_save_naming_the_line(reviewer_user):
    template = selectors.active_template()
    text = "# 标题\n正文\n共{biz_review_cases_closed}件\x01。"
    with pytest.raises(ValidationError) as refused:
        services.save_template_version(template=template, text=text, user=reviewer_user)
    assert refused.value.messages == ["第3行含有不可见的控制字符（U+0001），请删除后再保存。"]
    assert template.versions.count() == 1


def test_the_preview_names_a_control_character(reviewer_client):
    response = reviewer_client.post("/reports/template/preview/", {"text": "正文\n第二段\x1f"})
    page = response.content.decode()
    assert "第2行含有不可见的控制字符（U+001F）" in page
    assert "srcdoc" not in page  # nothing rendered


def test_the_editor_page_refuses_a_control_character(reviewer_client):
    response = reviewer_client.post("/reports/template/", {"text": "正文\x08"})
    assert response.status_code == 400
    assert "第1行含有不可见的控制字符（U+0008）" in response.content.decode()


def test_the_preview_answers_a_long_run_of_blanks_after_an_option_at_once(reviewer_client):
    # 5 KB of this once took the preview 18.5 s (the option regex backtracked, cubic).
    text = "正文\n@a" + " " * 50_000 + "b" + " " * 50_000 + "c"
    started = time.perf_counter()
    response = reviewer_client.post("/reports/template/preview/", {"text": text})
    assert time.perf_counter() - started < 2.0
    assert response.status_code == 200
    assert "未知的选项" in response.content.decode()
