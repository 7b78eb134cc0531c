"""The entry form, the review pages and the figure page through HTTP: what each role sees,
what is refused (403, never a 500 or a silent no-op) and the query budget."""

import re
from decimal import Decimal

import pytest

from accounts.demo import DEMO_PASSWORD
from metrics import services
from metrics.models import Figure, FigureStatus, Indicator
from metrics.numbers import plain


def _login(client, username):
    assert client.login(username=username, password=DEMO_PASSWORD)
    return client


def _fig(code, period="2026"):
    return Figure.objects.get(indicator__code=code, period__code=period)


def _form_for(page_figures: dict, **values):
    """POST data for the sfj entry form as the page would send it."""
    data = {}
    for code, (value, version) in page_figures.items():
        data[f"value-{code}"] = value
        data[f"remark-{code}"] = ""
        data[f"version-{code}"] = str(version)
    for code, value in values.items():
        data[f"value-{code}"] = value
    return data


def _editable_sfj():
    editable = {}
    for indicator in Indicator.objects.entered().filter(department__code="sfj"):
        figure = Figure.objects.filter(indicator=indicator, period__code="2026").first()
        if figure is None:
            editable[indicator.code] = ("", 0)
        elif figure.status in ("draft", "returned"):
            editable[indicator.code] = (plain(figure.value), figure.version)
    return editable


def test_clerk_home_links_to_the_entry_form(client, demo_data):
    page = _login(client, "clerk_sfj").get("/").content.decode()
    assert 'href="/entry/2026/"' in page and "待填 2 项" in page and "2026年12月15日" in page
    assert "法治文化展示牌" in page  # left to fill
    assert "外聘律师事务所" not in page  # approved, nothing left to do


def test_reviewer_home_is_the_queue(client, demo_data):
    page = _login(client, "reviewer").get("/").content.decode()
    assert 'href="/review/2026/zfw/"' in page and "待审核" in page


def test_entry_form_groups_rows_by_section(client, demo_data, django_assert_max_num_queries):
    _login(client, "clerk_sfj")
    # Two more than the rows: the department's own deadline (延期) and 系统设置's district name;
    # one more: whether the office above approved the unit's area as a whole (AreaApproval).
    with django_assert_max_num_queries(18):
        response = client.get("/entry/2026/")
    page = response.content.decode()
    sections = [
        page.index(name) for name in ("组织领导", "依法行政与营商环境", "基层治理", "普法宣传")
    ]
    assert sections == sorted(sections)
    assert 'name="value-edu_culture_signs"' in page  # not filled: editable
    assert 'name="version-edu_materials_distributed"' in page  # draft: editable
    assert 'name="value-biz_inhouse_counsel"' not in page  # approved: read-only
    assert 'name="value-biz_review_cases_received"' not in page  # submitted: read-only
    assert "123456" in page  # previous period's value


def test_save_draft_and_submit_through_the_form(client, demo_data):
    _login(client, "clerk_sfj")
    data = _form_for(_editable_sfj(), edu_culture_signs="150", edu_publicity_panels="")
    response = client.post("/entry/2026/", {**data, "action": "save"}, follow=True)
    assert "草稿已保存" in response.content.decode()
    assert _fig("edu_culture_signs").value == 150

    data = _form_for(_editable_sfj(), edu_publicity_panels="400")
    response = client.post("/entry/2026/", {**data, "action": "submit"}, follow=True)
    assert "已报送 5 项数据" in response.content.decode()
    assert _fig("edu_publicity_panels").status == FigureStatus.SUBMITTED


def test_refused_submit_keeps_what_was_typed(client, demo_data):
    _login(client, "clerk_sfj")
    data = _form_for(_editable_sfj(), edu_culture_signs="一百五十", edu_bulletin_boards="-2")
    data["remark-edu_culture_signs"] = "我的备注"
    response = client.post("/entry/2026/", {**data, "action": "submit"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "未保存" in page
    assert 'value="一百五十"' in page and 'value="我的备注"' in page and 'value="-2"' in page
    assert "“一百五十”不是数字" in page and "不能为负数" in page
    # An error is to be corrected, not explained: no 上报说明 box on those rows.
    assert 'name="explanation-edu_culture_signs"' not in page
    assert 'name="explanation-edu_bulletin_boards"' not in page
    assert not Figure.objects.filter(
        indicator__code="edu_culture_signs", period__code="2026"
    ).exists()
    assert _fig("edu_bulletin_boards").value == 275

    # Missing figures: saved as draft, refused at each missing field.
    data = _form_for(_editable_sfj(), edu_culture_signs="150")
    page = client.post("/entry/2026/", {**data, "action": "submit"}).content.decode()
    assert "草稿已保存，但未能报送" in page and "法治宣传板块尚未填写" in page
    assert _fig("edu_culture_signs").value == 150


def test_save_draft_keeps_the_valid_rows_and_shows_the_refused_ones(client, demo_data):
    _login(client, "clerk_sfj")
    editable = _editable_sfj()
    data = _form_for(
        editable, edu_culture_signs="150", edu_bulletin_boards="二百八", edu_publicity_panels=""
    )
    response = client.post("/entry/2026/", {**data, "action": "save"})
    assert response.status_code == 200
    page = response.content.decode()
    # Every valid row is stored; the summary counts what this save changed (one value), and
    # only that row is marked 已保存.
    assert "已保存 1 项；1 项未保存，请按提示修改标红的项目" in page
    assert _fig("edu_culture_signs").value == 150
    assert _fig("edu_bulletin_boards").value == 275
    row = page[page.index('<tbody id="row-edu_bulletin_boards"') :]
    row = row[: row.index("</tbody>")]
    assert "has-errors" in row and "data-unsaved" in row and 'value="二百八"' in row
    assert "“二百八”不是数字" in row
    saved_row = page[page.index('<tbody id="row-edu_culture_signs"') :]
    saved_row = saved_row[: saved_row.index("</tbody>")]
    assert 'value="150"' in saved_row and "has-errors" not in saved_row
    assert "data-unsaved" not in saved_row and "已保存" in saved_row
    assert page.count('<span class="saved">已保存</span>') == 1
    # The form carries the new version of the saved row: saving again is not a conflict.
    version = _fig("edu_culture_signs").version
    assert f'name="version-edu_culture_signs" value="{version}"' in page


def test_submit_with_a_refused_row_submits_nothing(client, demo_data):
    _login(client, "clerk_sfj")
    statuses = dict(
        Figure.objects.filter(period__code="2026").values_list("indicator__code", "status")
    )
    for action in ("submit", "force"):
        data = _form_for(
            _editable_sfj(),
            edu_culture_signs="150",
            edu_publicity_panels="400",
            edu_bulletin_boards="x",
        )
        page = client.post("/entry/2026/", {**data, "action": action}).content.decode()
        assert "1 项未保存" in page and "未报送" in page and "已报送 " not in page
        assert "草稿已保存，但未能报送" not in page
    after = dict(
        Figure.objects.filter(period__code="2026").values_list("indicator__code", "status")
    )
    assert {code: after[code] for code in statuses} == statuses
    assert after["edu_culture_signs"] == after["edu_publicity_panels"] == FigureStatus.DRAFT
    assert _fig("edu_bulletin_boards").value == 275


def _visible_text(page: str) -> str:
    """The text a person sees: no tags, attributes, scripts or styles."""
    from html.parser import HTMLParser

    class Text(HTMLParser):
        def __init__(self):
            super().__init__()
            self.parts, self.skip = [], 0

        def handle_starttag(self, tag, attrs):
            self.skip += tag in ("script", "style")

        def handle_endtag(self, tag):
            self.skip -= tag in ("script", "style")

        def handle_data(self, data):
            if not self.skip:
                self.parts.append(data)

    parser = Text()
    parser.feed(page)
    return " ".join(parser.parts)


def test_clerks_and_leaders_see_indicator_names_not_codes(client, demo_data):
    codes = list(Indicator.objects.values_list("code", flat=True))

    def shown(url, method="get", data=None):
        response = getattr(client, method)(url, data or {})
        assert response.status_code == 200, url
        text = _visible_text(response.content.decode())
        return text, [code for code in codes if code in text]

    _login(client, "clerk_sfj")
    text, leaked = shown("/entry/2026/")
    assert "法治文化展示牌" in text and leaked == []
    page = client.get("/entry/2026/").content.decode()
    assert 'name="value-edu_culture_signs"' in page  # field names keep the code
    data = {**_form_for(_editable_sfj(), edu_culture_signs="x"), "action": "submit"}
    text, leaked = shown("/entry/2026/", "post", data)
    assert "不是数字" in text and leaked == []
    for url in ("/", "/figures/2026/edu_culture_signs/", "/entry/2025/"):
        assert shown(url)[1] == [], url
    _login(client, "clerk_gaj")
    assert shown("/entry/2026/")[1] == []
    _login(client, "leader")
    assert shown("/figures/2026/edu_bulletin_boards/")[1] == []
    # The reviewers keep the code where they look a figure up.
    _login(client, "reviewer")
    assert shown("/figures/2026/edu_bulletin_boards/")[1] == ["edu_bulletin_boards"]


def test_stale_form_shows_the_current_value(client, demo_data):
    from metrics.models import User

    _login(client, "clerk_sfj")
    stale = _editable_sfj()
    services.save_figure(
        indicator=Indicator.objects.get(code="edu_bulletin_boards"),
        period=_fig("edu_bulletin_boards").period,
        value=Decimal(280),
        user=User.objects.get(username="clerk_sfj"),
    )
    data = _form_for(stale, edu_bulletin_boards="290")
    page = client.post("/entry/2026/", {**data, "action": "save"}).content.decode()
    assert "当前值为 280" in page and 'value="290"' in page
    assert _fig("edu_bulletin_boards").value == 280
    # The form now carries the current version: saving again is a deliberate overwrite.
    version = _fig("edu_bulletin_boards").version
    assert f'name="version-edu_bulletin_boards" value="{version}"' in page


def test_htmx_saves_one_row(client, demo_data):
    _login(client, "clerk_sfj")
    figure = _fig("edu_bulletin_boards")
    response = client.post(
        "/entry/2026/row/edu_bulletin_boards/",
        {"value-edu_bulletin_boards": "300", "version-edu_bulletin_boards": figure.version},
        HTTP_HX_REQUEST="true",
    )
    body = response.content.decode()
    assert response.status_code == 200 and body.lstrip().startswith("<tbody")
    assert "已保存" in body and _fig("edu_bulletin_boards").value == 300
    response = client.post(
        "/entry/2026/row/edu_bulletin_boards/",
        {"value-edu_bulletin_boards": "3x", "version-edu_bulletin_boards": figure.version + 1},
    )
    assert "不是数字" in response.content.decode()


def test_a_row_saved_with_enter_updates_the_headers_counts(client, demo_data):
    """The row answer carries the sheet's 已填 / 待填 (HX-Trigger entry-counts), which the
    page's header shows in the places entry.js fills in: one more filled, one less empty."""
    import json

    _login(client, "clerk_sfj")
    empty = next(code for code, (value, _) in _editable_sfj().items() if value == "")
    page = client.get("/entry/2026/").content.decode()
    before = {
        name: int(re.search(rf'data-count="{name}">(\d+)<', page).group(1))
        for name in ("filled", "empty")
    }
    response = client.post(
        f"/entry/2026/row/{empty}/", {f"value-{empty}": "7"}, HTTP_HX_REQUEST="true"
    )
    counts = json.loads(response["HX-Trigger"])["entry-counts"]
    assert counts == {"filled": before["filled"] + 1, "empty": before["empty"] - 1}
    page = client.get("/entry/2026/").content.decode()
    assert f'data-count="filled">{counts["filled"]}<' in page


def test_other_departments_clerk_gets_403(client, demo_data):
    _login(client, "clerk_gaj")
    before = _fig("edu_bulletin_boards").value
    assert (
        client.post(
            "/entry/2026/row/edu_bulletin_boards/", {"value-edu_bulletin_boards": "1"}
        ).status_code
        == 403
    )
    assert client.get("/figures/2026/edu_bulletin_boards/").status_code == 403
    assert (
        client.post("/figures/2026/edu_bulletin_boards/comment/", {"text": "x"}).status_code == 403
    )
    for url in ("/review/2026/", "/review/2026/sfj/", "/review/2026/export.xlsx"):
        assert client.get(url).status_code == 403
    assert client.post("/review/2026/sfj/action/", {"action": "approve_all"}).status_code == 403
    assert client.post("/review/2026/period/", {"action": "lock"}).status_code == 403
    assert _fig("edu_bulletin_boards").value == before
    # The own form only ever touches the own department.
    page = client.get("/entry/2026/").content.decode()
    assert "公安分局" in page and "设立宣传栏" not in page


def test_non_clerks_get_403_on_the_entry_form(client, demo_data):
    for username in ("reviewer", "leader"):
        _login(client, username)
        assert client.get("/entry/2026/").status_code == 403


def test_locked_period_form_is_read_only(client, demo_data):
    _login(client, "clerk_sfj")
    page = client.get("/entry/2025/").content.decode()
    assert "已锁定" in page and 'name="value-' not in page
    response = client.post("/entry/2025/", {"value-edu_bulletin_boards": "1", "action": "save"})
    assert "已锁定" in response.content.decode()


def test_review_department_page(client, demo_data, django_assert_max_num_queries):
    _login(client, "reviewer")
    # Two more than the rows: the department's own deadline (延期) and 系统设置's district name;
    # the reviewer's scope (is the unit theirs to review) and whether the office above
    # approved the unit's area as a whole (AreaApproval); the first request counts one more.
    with django_assert_max_num_queries(20):
        page = client.get("/review/2026/sfj/").content.decode()
    assert "全部审核通过（5 项）" in page
    assert "58" in page and "64" in page  # previous and current value
    with django_assert_max_num_queries(12):
        client.get("/review/2026/")


def test_review_actions_through_the_views(client, demo_data):
    _login(client, "reviewer")
    figure = _fig("biz_review_cases_received")
    page = client.post(
        "/review/2026/sfj/action/",
        {"action": "return", "figure": figure.pk, "reason": "请附立案登记表"},
        follow=True,
    ).content.decode()
    assert "已退回：受理行政复议案件" in page and "请附立案登记表" in page
    # The header's parts add up to the total: a returned figure is not also "未报送".
    summary = re.search(
        r"共 (\d+) 项 · 待审核 <strong>(\d+)</strong> 项 · 已退回 (\d+) 项 · "
        r"已审核 (\d+) 项 · 未报送 (\d+) 项",
        page,
    )
    total, *parts = (int(n) for n in summary.groups())
    assert parts[1] == 1 and sum(parts) == total
    page = client.post(
        "/review/2026/sfj/action/",
        {"action": "return", "figure": figure.pk, "reason": ""},
        follow=True,
    ).content.decode()
    assert "只有已报送或已审核的数据可以退回" in page or "请填写退回原因" in page
    client.post(
        "/review/2026/sfj/action/",
        {"action": "approve", "figure": _fig("biz_review_cases_closed").pk},
    )
    assert _fig("biz_review_cases_closed").status == FigureStatus.APPROVED
    client.post("/review/2026/sfj/action/", {"action": "approve_all", "confirmed": "yes"})
    statuses = dict(
        Figure.objects.filter(period__code="2026", indicator__department__code="sfj").values_list(
            "indicator__code", "status"
        )
    )
    assert statuses["biz_review_cases_received"] == FigureStatus.RETURNED
    assert statuses["grass_disputes_mediated"] == FigureStatus.APPROVED
    # A figure of another department cannot be reached through this department's page.
    other = _fig("grass_grid_workers")
    assert (
        client.post(
            "/review/2026/sfj/action/", {"action": "approve", "figure": other.pk}
        ).status_code
        == 404
    )

    # The clerk sees the reason at that figure.
    _login(client, "clerk_sfj")
    page = client.get("/entry/2026/").content.decode()
    assert "退回原因：</strong>请附立案登记表" in page
    assert 'name="value-biz_review_cases_received"' in page


def test_lock_and_reopen_period_from_the_queue(client, demo_data):
    _login(client, "reviewer")
    page = client.post(
        "/review/2026/period/", {"action": "lock", "confirmed": "yes"}, follow=True
    ).content.decode()
    assert "已锁定" in page and "重新开放报告期" in page
    page = client.post(
        "/review/2026/period/", {"action": "reopen", "reason": ""}, follow=True
    ).content.decode()
    assert "请填写重新开放报告期的原因" in page
    client.post("/review/2026/period/", {"action": "reopen", "reason": "更正"})
    assert _fig("edu_bulletin_boards").period.state == "open"


def test_figure_page_shows_history_and_comments(client, demo_data, django_assert_max_num_queries):
    _login(client, "reviewer")
    figure = _fig("biz_review_cases_received")
    client.post(
        "/review/2026/sfj/action/",
        {"action": "return", "figure": figure.pk, "reason": "请核实"},
    )
    client.post("/figures/2026/biz_review_cases_received/comment/", {"text": "另请附台账"})
    with django_assert_max_num_queries(15):
        page = client.get("/figures/2026/biz_review_cases_received/").content.decode()
    assert "退回：请核实" in page and "另请附台账" in page
    assert "已报送" in page and "已退回" in page and "→" in page
    _login(client, "leader")
    assert client.get("/figures/2026/biz_review_cases_received/").status_code == 200
    assert (
        client.post("/figures/2026/biz_review_cases_received/comment/", {"text": "x"}).status_code
        == 403
    )


@pytest.mark.parametrize("url", ["/entry/2099/", "/review/2099/", "/figures/2026/nope/"])
def test_unknown_things_are_404(client, demo_data, url):
    _login(client, "reviewer" if "review" in url else "clerk_sfj")
    assert client.get(url).status_code == 404


def test_stable_nav_links_redirect_to_the_current_period(client, demo_data):
    _login(client, "clerk_sfj")
    assert client.get("/entry/")["Location"] == "/entry/2026/"
    assert client.get("/review/").status_code == 403
    _login(client, "reviewer")
    assert client.get("/review/")["Location"] == "/review/2026/"


def test_review_page_shows_rule_results_to_the_reviewer(client, demo_data):
    """A warning rule that fails is shown as 预警 with its message; a rule that waits for
    another department's figure as 待校验."""
    from metrics.models import RuleSeverity, ValidationRule

    Figure.objects.filter(period__code="2026", indicator__code="grass_district_centers").update(
        value=Decimal(20)
    )  # more district centres (20) than township ones (14)
    ValidationRule.objects.create(
        name="调处纠纷数不应少于组建巡逻队的乡镇数",
        left=Indicator.objects.get(code="grass_disputes_mediated"),  # 区司法局
        operator=">=",
        right=Indicator.objects.get(code="grass_patrol_townships"),  # 公安分局, not filled
        severity=RuleSeverity.ERROR,
    )
    _login(client, "reviewer")
    zfw = client.get("/review/2026/zfw/").content.decode()
    results = zfw[zfw.index('class="rule-results"') :]
    assert '<span class="tag">预警</span>' in results and "区级综治中心" in results
    sfj = client.get("/review/2026/sfj/").content.decode()
    results = sfj[sfj.index('class="rule-results"') :]
    assert '<span class="tag">待校验</span>' in results and "数据未齐" in results
