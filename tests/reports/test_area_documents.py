"""Documents per area (issue 24): each district's speech from its own name and figures, the
city's summary from the figures rolled up from its districts with the comparison table
(各区主要指标对比) in the PDF and the Word file, a final summary refused while a district's
figure is not approved, and each leader reading only the documents of their own subtree.

The tree: the installation's own area stays the migration's district "000000" (home_area(),
the first root by path); these tests add a city beside it, 示范市 "990100" with 甲区 "990101"
and 乙区 "990102", each district with its 区司法局 of one kind. An area's parent never changes
(metrics.models.Area), so a city cannot be put above "000000"; a second root is the smallest
tree in which the city is a city and its leader's scope (User.area) is the whole of it."""

import io
import re
import subprocess

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from docx import Document

from metrics.models import AreaLevel, FigureStatus, ValueType
from reports import selectors, services
from reports.models import JobStatus, Layout, ReportJob, ReportTemplate, TemplateVersion
from tests import factories
from tests.reports.speech import pdf_text

DISTRICT_SPEECH = (
    "# 在{district}区{year}年法治政府建设工作会议上的讲话\n"
    "全年办理法律援助案件{area_legal_aid}件，调解矛盾纠纷{area_mediation}件。\n"
)
CITY_SUMMARY = (
    "# {district}{year}年法治政府建设情况汇总\n"
    "全市办理法律援助案件{area_legal_aid}件，调解矛盾纠纷{area_mediation}件。各区主要指标如下：\n"
    "@对比表 各区主要指标对比 {area_legal_aid} {area_mediation}\n"
    "以上数据均经各区审核。\n"
)
FIGURES = {"990101": (120, 30), "990102": (80, 20)}


def _document(slug: str, name: str, text: str) -> ReportTemplate:
    document = ReportTemplate.objects.create(
        name=name, slug=slug, title=name, layout=Layout.REPORT, position=40
    )
    TemplateVersion.objects.create(template=document, number=1, text=text)
    return document


@pytest.fixture
def city(db):
    """示范市 with 甲区 and 乙区; each district's 区司法局 reports 法律援助案件 and 人民调解案件,
    approved for 2026; their leaders, and the city's."""
    city = factories.AreaFactory(
        code="990100", name="示范市", short_name="示范市", level=AreaLevel.CITY, parent=None
    )
    kind = factories.UnitKindFactory(code="qsfj", name="区级司法局", level=AreaLevel.DISTRICT)
    districts, units = {}, {}
    for code, name in (("990101", "甲"), ("990102", "乙")):
        districts[code] = factories.AreaFactory(
            code=code, name=f"{name}区", short_name=name, level=AreaLevel.DISTRICT, parent=city
        )
        units[code] = factories.DepartmentFactory(
            code=f"sfj-{code}", name=f"{name}区司法局", area=districts[code], kind=kind
        )
    first = units["990101"]
    legal_aid = factories.IndicatorFactory(
        code="area_legal_aid", name="法律援助案件", unit="件", department=first
    )
    mediation = factories.IndicatorFactory(
        code="area_mediation", name="人民调解案件", unit="件", department=first
    )
    figures = {}
    for code, (aid, mediated) in FIGURES.items():
        for indicator, value in ((legal_aid, aid), (mediation, mediated)):
            figures[(indicator.code, code)] = factories.FigureFactory(
                indicator=indicator, unit=units[code], value=value, status=FigureStatus.APPROVED
            )
    return {
        "city": city,
        "districts": districts,
        "figures": figures,
        "period": factories.period("2026"),
        "speech": _document("district-speech", "工作会议讲话", DISTRICT_SPEECH),
        "summary": _document("city-summary", "全市法治政府建设情况汇总", CITY_SUMMARY),
        "city_leader": factories.UserFactory(role="leader", area=city),
        "leader_a": factories.UserFactory(role="leader", area=districts["990101"]),
        "leader_b": factories.UserFactory(role="leader", area=districts["990102"]),
    }


def _built(tree, *, template, area, user=None, kind="final") -> ReportJob:
    job = services.create_report_job(
        period=tree["period"],
        kind=kind,
        user=user or tree["city_leader"],
        template=template,
        area=area,
    )
    job = services.run_report_job(job_id=job.pk)
    assert job.status == JobStatus.SUCCEEDED, job.error
    return job


def _layout_rows(pdf: bytes) -> list[list[str]]:
    text = subprocess.run(
        ["pdftotext", "-layout", "-enc", "UTF-8", "-", "-"],
        input=pdf,
        capture_output=True,
        check=True,
    ).stdout.decode("utf-8")
    return [re.split(r"\s{2,}", line.strip()) for line in text.splitlines() if line.strip()]


def test_each_district_speech_uses_its_own_name_and_figures(city, media):
    texts = {}
    for code, district in city["districts"].items():
        job = _built(city, template=city["speech"], area=district)
        assert job.area == district
        assert job.snapshot["district_name"] == district.short_name
        assert job.snapshot["figures"]["area_legal_aid"]["department"] == f"{district.name}司法局"
        with job.pdf.open("rb") as f:
            texts[code] = pdf_text(f.read())
    assert "在甲区2026年法治政府建设工作会议上的讲话" in texts["990101"]
    assert "全年办理法律援助案件120件，调解矛盾纠纷30件。" in texts["990101"]
    assert "在乙区2026年法治政府建设工作会议上的讲话" in texts["990102"]
    assert "全年办理法律援助案件80件，调解矛盾纠纷20件。" in texts["990102"]
    assert "甲区" not in texts["990102"] and "120" not in texts["990102"]


def test_the_city_summary_has_the_rolled_up_figures_and_the_table_in_pdf_and_word(city, media):
    job = _built(city, template=city["summary"], area=city["city"])
    assert [a["name"] for a in job.snapshot["areas"]] == ["甲区", "乙区"]
    with job.pdf.open("rb") as f:
        pdf = f.read()
    assert "全市办理法律援助案件200件，调解矛盾纠纷50件。" in pdf_text(pdf)
    assert "示范市2026年法治政府建设情况汇总" in pdf_text(pdf)
    rows = {row[0]: row[1:] for row in _layout_rows(pdf) if row[0] in ("甲区", "乙区", "全市")}
    assert rows == {"甲区": ["120", "30"], "乙区": ["80", "20"], "全市": ["200", "50"]}
    with job.docx.open("rb") as f:
        word = Document(io.BytesIO(f.read()))
    [table] = word.tables
    cells = [[cell.text for cell in row.cells] for row in table.rows]
    assert cells[0] == ["地区", "法律援助案件（件）", "人民调解案件（件）"]
    assert cells[1:] == [["甲区", "120", "30"], ["乙区", "80", "20"], ["全市", "200", "50"]]
    assert any(p.text == "各区主要指标对比" for p in word.paragraphs)


def test_a_final_city_summary_is_refused_while_a_district_figure_awaits_review(city, media):
    figure = city["figures"][("area_mediation", "990102")]
    figure.status = FigureStatus.SUBMITTED
    figure.save()
    with pytest.raises(services.ReportNotReady) as refused:
        services.create_report_job(
            period=city["period"],
            kind="final",
            user=city["city_leader"],
            template=city["summary"],
            area=city["city"],
        )
    gaps = refused.value.gaps
    assert [(g["code"], g["name"], g["department"]) for g in gaps] == [
        ("area_mediation@990102", "人民调解案件", "乙区")
    ]
    assert "0/1 个填报单位的数据已审核" in gaps[0]["reason"]
    assert refused.value.api_message() == "尚有 1 项数据未填写或未审核，不能生成正式稿。"
    # A draft prints the city's value as awaiting review and marks 乙区's cell.
    draft = _built(city, template=city["summary"], area=city["city"], kind="draft")
    with draft.docx.open("rb") as f:
        word = Document(io.BytesIO(f.read()))
    table = word.tables[-1]
    row = next(r for r in table.rows if r.cells[0].text == "乙区")
    assert row.cells[1].text == "80" and "待" in row.cells[2].text
    # 甲区's own speech does not wait for 乙区.
    _built(city, template=city["speech"], area=city["districts"]["990101"])


def test_a_district_snapshot_reads_its_unit_as_entered(city):
    figure = city["figures"][("area_legal_aid", "990101")]
    figure.status = FigureStatus.SUBMITTED
    figure.save()
    snapshot = selectors.figure_snapshot(
        period=city["period"],
        codes=["area_legal_aid"],
        area=city["districts"]["990101"],
    )
    entry = snapshot["figures"]["area_legal_aid"]
    assert (entry["value"], entry["status"]) == ("120", FigureStatus.SUBMITTED)
    assert [g["code"] for g in selectors.gaps(snapshot)] == ["area_legal_aid"]


def test_the_home_snapshot_is_what_it_always_was(city):
    """The installation's own district reads no figure of the city beside it, and is named
    by the office's setting."""
    period = city["period"]
    home = selectors.figure_snapshot(period=period, codes=["area_legal_aid"])
    assert home == {
        "district_name": "示范",
        "period": "2026",
        "period_label": period.label,
        "figures": {
            "area_legal_aid": {
                "value": None,
                "status": "missing",
                "name": "法律援助案件",
                "unit": "件",
                "department": "甲区司法局",
                "previous": None,
                "change": "percent",
            }
        },
    }


def test_the_city_snapshot_reads_as_many_queries_whatever_its_districts(city):
    codes = ["area_legal_aid", "area_mediation"]

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            snapshot = selectors.figure_snapshot(
                period=city["period"], codes=codes, area=city["city"], table_codes=codes
            )
        return len(captured), len(snapshot["areas"])

    before, listed = queries()
    kind = city["districts"]["990101"].units.get().kind
    for n in range(3, 9):
        district = factories.AreaFactory(
            code=f"9901{n:02d}", name=f"第{n}区", level=AreaLevel.DISTRICT, parent=city["city"]
        )
        unit = factories.DepartmentFactory(code=f"sfj-{n}", area=district, kind=kind)
        factories.FigureFactory(
            indicator=city["figures"][("area_legal_aid", "990101")].indicator,
            unit=unit,
            value=n,
            status=FigureStatus.APPROVED,
        )
    assert queries() == (before, listed + 6)
    assert before <= 12


def test_the_city_leader_picks_an_area_and_a_district_leader_reads_only_theirs(city, client, media):
    summary = _built(city, template=city["summary"], area=city["city"])
    speech_b = _built(city, template=city["speech"], area=city["districts"]["990102"])
    client.force_login(city["city_leader"])
    page = client.get("/reports/?period=2026&document=city-summary").content.decode()
    assert '<select name="area"' in page
    assert '<option value="990101"' in page and '<option value="990102"' in page
    assert f'href="/reports/jobs/{summary.pk}/"' in page
    district_page = client.get("/reports/?period=2026&document=district-speech&area=990102")
    assert f'href="/reports/jobs/{speech_b.pk}/"' in district_page.content.decode()
    word = client.get(f"/reports/jobs/{summary.pk}/download/docx/")
    assert word.status_code == 200
    [table] = Document(io.BytesIO(b"".join(word.streaming_content))).tables
    assert [row.cells[0].text for row in table.rows] == ["地区", "甲区", "乙区", "全市"]
    download = client.get(f"/reports/jobs/{speech_b.pk}/download/pdf/")
    assert download.status_code == 200
    assert (
        "乙区" in download["Content-Disposition"]
        or "%E4%B9%99%E5%8C%BA" in (download["Content-Disposition"])
    )

    client.force_login(city["leader_a"])
    own = client.get("/reports/?period=2026&document=district-speech").content.decode()
    assert '<select name="area"' not in own  # one area only: no choice to make
    for url in (
        f"/reports/jobs/{summary.pk}/",
        f"/reports/jobs/{speech_b.pk}/",
        f"/reports/jobs/{speech_b.pk}/download/pdf/",
        f"/reports/jobs/{speech_b.pk}/download/docx/",
        f"/reports/jobs/{speech_b.pk}/status/",
        "/reports/?period=2026&area=990102",
        "/reports/?period=2026&area=990100",
    ):
        assert client.get(url).status_code == 404, url
    with pytest.raises(PermissionDenied):
        services.request_report(
            period=city["period"],
            kind="draft",
            user=city["leader_a"],
            template=city["speech"],
            area=city["districts"]["990102"],
        )


def test_the_district_leader_builds_their_own_speech_on_the_page(
    city, client, media, eager_tasks, django_capture_on_commit_callbacks
):
    client.force_login(city["leader_a"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/reports/", {"period": "2026", "kind": "final", "document": "district-speech"}
        )
    job = ReportJob.objects.get()
    assert response.status_code == 302 and job.area == city["districts"]["990101"]
    assert job.status == JobStatus.SUCCEEDED, job.error
    page = client.get(f"/reports/jobs/{job.pk}/").content.decode()
    assert "2026年度甲区工作会议讲话" in page


def test_the_api_takes_an_area_and_hides_jobs_outside_the_scope(city, client, media, eager_tasks):
    token = factories.api_token(city["city_leader"])
    headers = {"HTTP_AUTHORIZATION": f"Token {token}"}
    body = {"period": "2026", "kind": "final", "document": "district-speech", "area": "990101"}
    created = client.post("/api/v1/reports/", body, content_type="application/json", **headers)
    assert created.status_code == 202, created.content
    job = ReportJob.objects.get(pk=created.json()["id"])
    assert job.area.code == "990101"
    detail = client.get(f"/api/v1/reports/{job.pk}/", **headers).json()
    assert detail["area"] == "990101"

    b_headers = {"HTTP_AUTHORIZATION": f"Token {factories.api_token(city['leader_b'])}"}
    assert client.get(f"/api/v1/reports/{job.pk}/", **b_headers).status_code == 404
    assert client.get(f"/api/v1/reports/{job.pk}/pdf/", **b_headers).status_code == 404
    assert client.get("/api/v1/reports/", **b_headers).json()["results"] == []
    refused = client.post("/api/v1/reports/", body, content_type="application/json", **b_headers)
    assert refused.status_code == 403
    unknown = {**body, "area": "123456"}
    bad = client.post("/api/v1/reports/", unknown, content_type="application/json", **headers)
    assert bad.status_code == 400


def test_a_district_rolls_up_an_indicator_its_townships_report(city):
    """甲区's two townships each report 矛盾纠纷; the district's document reads their sum, and
    waits for the township whose figure is not approved, naming it."""
    district = city["districts"]["990101"]
    kind = factories.UnitKindFactory(code="town-sfs", name="镇司法所", level=AreaLevel.TOWNSHIP)
    units = []
    for n in (1, 2):
        town = factories.AreaFactory(
            code=f"99010100{n}", name=f"甲{n}镇", level=AreaLevel.TOWNSHIP, parent=district
        )
        units.append(
            factories.DepartmentFactory(
                code=f"sfs-{n}", name=f"甲{n}镇司法所", area=town, kind=kind
            )
        )
    disputes = factories.IndicatorFactory(
        code="area_disputes", name="排查矛盾纠纷", unit="件", department=units[0]
    )
    factories.FigureFactory(
        indicator=disputes, unit=units[0], value=10, status=FigureStatus.APPROVED
    )
    late = factories.FigureFactory(
        indicator=disputes, unit=units[1], value=15, status=FigureStatus.SUBMITTED
    )

    def read():
        return selectors.figure_snapshot(
            period=city["period"], codes=["area_disputes"], area=district
        )

    entry = read()["figures"]["area_disputes"]
    assert (entry["value"], entry["status"], entry["department"]) == (
        "10",
        "incomplete",
        "镇司法所",
    )
    assert [(g["code"], g["department"]) for g in selectors.gaps(read())] == [
        ("area_disputes@990101002", "甲2镇")
    ]
    late.status = FigureStatus.APPROVED
    late.save()
    entry = read()["figures"]["area_disputes"]
    assert (entry["value"], entry["status"]) == ("25", "approved")
    assert selectors.gaps(read()) == []


def test_a_rate_is_recomputed_for_each_area_and_the_city_compares_with_last_year(city):
    """A computed rate of a district or of the city is its formula over that area's own
    rolled-up inputs, never an average of rates; the city's 同比 is last year's roll-up."""
    first = city["figures"][("area_legal_aid", "990101")]
    factories.IndicatorFactory(
        code="area_mediation_rate",
        name="调解占比",
        formula="area_mediation / area_legal_aid * 100",
        value_type=ValueType.PERCENTAGE,
        unit="%",
        decimal_places=1,
        department=first.unit,
    )
    b_mediation = city["figures"][("area_mediation", "990102")]
    b_mediation.value = 24
    b_mediation.save()
    last_year = factories.period("2025")
    for (code, _), figure in city["figures"].items():
        if code == "area_legal_aid":
            factories.FigureFactory(
                indicator=figure.indicator,
                unit=figure.unit,
                period=last_year,
                value=figure.value - 40,
                status=FigureStatus.APPROVED,
            )
    codes = ["area_legal_aid", "area_mediation_rate"]
    snapshot = selectors.figure_snapshot(
        period=city["period"], codes=codes, area=city["city"], table_codes=codes
    )
    rate = snapshot["figures"]["area_mediation_rate"]
    # (30 + 24) / (120 + 80) = 27.0 %, where the average of 甲区's 25.0 and 乙区's 30.0 would
    # say 27.5; the cells say each district's own (printed with one decimal: `places`).
    assert (rate["value"], rate["status"], rate["places"]) == ("27", "approved", 1)
    assert snapshot["figures"]["area_legal_aid"]["previous"] == "120"  # (80 + 40) last year
    cells = {a["name"]: a["figures"]["area_mediation_rate"]["value"] for a in snapshot["areas"]}
    assert cells == {"甲区": "25", "乙区": "30"}
    district = selectors.figure_snapshot(
        period=city["period"], codes=codes, area=city["districts"]["990102"]
    )
    assert district["figures"]["area_mediation_rate"]["value"] == "30"
    assert district["figures"]["area_legal_aid"]["previous"] == "40"


def test_the_report_page_names_the_district_a_final_city_summary_waits_for(city, client):
    figure = city["figures"][("area_legal_aid", "990102")]
    figure.status = FigureStatus.SUBMITTED
    figure.save()
    client.force_login(city["city_leader"])
    response = client.post(
        "/reports/",
        {"period": "2026", "kind": "final", "document": "city-summary", "area": "990100"},
    )
    assert response.status_code == 409
    page = response.content.decode()
    assert "乙区（1 项）" in page and "法律援助案件 —— 0/1 个填报单位的数据已审核" in page
    assert not ReportJob.objects.exists()


def test_the_command_builds_a_districts_speech_and_refuses_an_unknown_area(city, media, tmp_path):
    """`build_report --area`: the operator's foreground build of one district's document, as
    the district's leader would ask for it on the page."""
    output = tmp_path / "yi.pdf"
    call_command(
        "build_report",
        period="2026",
        template="district-speech",
        area="990102",
        user=city["leader_b"].username,
        output=str(output),
    )
    text = pdf_text(output.read_bytes())
    assert "在乙区2026年法治政府建设工作会议上的讲话" in text
    assert "全年办理法律援助案件80件" in text
    assert ReportJob.objects.get().area == city["districts"]["990102"]
    with pytest.raises(CommandError, match="区域“990199”不存在"):
        call_command("build_report", period="2026", area="990199", output=str(tmp_path / "x.pdf"))
    # A district's leader builds nothing for the neighbouring district.
    with pytest.raises(CommandError, match="您无权生成该区域的文稿"):
        call_command(
            "build_report",
            period="2026",
            template="district-speech",
            area="990101",
            user=city["leader_b"].username,
            output=str(tmp_path / "jia.pdf"),
        )
    assert ReportJob.objects.count() == 1
