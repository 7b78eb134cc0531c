"""The template editor for people who know the figures by name: the 插入数据 panel (search by
name or department, pick the form), the preview naming each figure on hover, and the help
page in the portal, in Chinese."""

import html
import json
import re

from django.test import Client

from metrics.models import Indicator


def test_the_editor_offers_the_insert_panel_and_links_its_help(reviewer_client):
    page = reviewer_client.get("/reports/template/").content.decode()
    assert "插入数据" in page and 'role="combobox"' in page
    for form in ("原数", "万余", "多", "同比"):
        assert "<option value=" in page and form in page
    listed = re.search(
        r'<script id="indicator-picker-data" type="application/json">(.*?)</script>', page, re.S
    )
    entries = json.loads(listed.group(1))
    received = next(e for e in entries if e["name"] == "受理行政复议案件")
    assert received["department"] == "区司法局" and received["unit"]
    assert 'href="/reports/template/help/"' in page
    assert "docs/template-syntax.md" not in page


def test_the_help_page_is_in_the_portal_in_chinese(reviewer_client, leader_user):
    page = reviewer_client.get("/reports/template/help/")
    text = page.content.decode()
    assert page.status_code == 200 and "<h1>模板写法</h1>" in text
    assert "插入数据" in text and "个百分点" in text and "【待填：指标名称】" in text
    leader = Client()
    leader.force_login(leader_user)
    assert leader.get("/reports/template/help/").status_code == 403


def test_the_preview_names_each_figure_on_hover(reviewer_client):
    received = Indicator.objects.get(code="biz_review_cases_received")
    text = f"# 标题\n受理{{{received.code}}}件，区名{{district}}。"
    preview = reviewer_client.post("/reports/template/preview/", {"text": text}).content.decode()
    frame = html.unescape(preview)
    # The figure (or its gap marker, in a draft) says which figure it is.
    shown = re.search(rf'data-code="{received.code}"[^>]*title="([^"]*)"', frame)
    assert shown and shown.group(1).startswith(received.name)
    assert 'data-code="district" title="区县名称"' in frame
