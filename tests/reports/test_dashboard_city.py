"""The city's 驾驶舱 and a district's, as their leaders meet them: the child areas side by side
(completeness, timeliness, the headline figures rolled up with 同比, a ranking, the area's own
totals), drill-down to a district and its townships within the leader's subtree only, the
totals moving when a township's figure is approved, the workbook's sheet, and a query count
that does not grow with the number of children."""

import datetime
from decimal import Decimal
from io import BytesIO

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from accounts.demo import ensure_period
from metrics.models import AreaLevel, DeadlineExtension, Figure, FigureStatus
from metrics.services import approve_figure
from tests import factories
from tests.reports.city import CITY, FAR, build_city, figure, seed_city, town

A, S = FigureStatus.APPROVED, FigureStatus.SUBMITTED


@pytest.fixture
def city(db):
    tree = seed_city()
    tree["leader"] = factories.UserFactory(role="leader", area=tree["city"])
    return tree


def _page(client, user, query="period=2026"):
    client.force_login(user)
    return client.get(f"{reverse('dashboard:index')}?{query}")


def _cells(row):
    return {code: cell for code, cell in zip(("cases", "rate", "reviews"), row.cells, strict=True)}


def test_the_city_shows_its_districts_side_by_side(client, city):
    response = _page(client, city["leader"])
    assert response.status_code == 200
    areas = response.context["board"].children
    assert [c.code for c in areas.columns] == ["mediated", "mediated_rate", "reviews"]
    one, two, three = areas.children
    assert [r.name for r in areas.children] == ["第1区", "第2区", "第3区"]
    # Values side by side, on the approved figures; 同比 against 2025's roll-up.
    assert _cells(one)["cases"].value == Decimal(100)
    assert _cells(one)["cases"].change_text == "与上年持平"
    assert _cells(one)["rate"].value_display == "84.0"
    assert _cells(one)["rate"].change_text == "同比下降1.0个百分点"  # 84.0 against 85.0
    assert _cells(two)["cases"].value == Decimal(100)  # the township awaiting review is not in
    assert (_cells(two)["cases"].reported, _cells(two)["cases"].expected) == (1, 2)
    assert _cells(two)["cases"].change_text == "同比增长25.0%"
    assert _cells(two)["rate"].change_text == "同比提高5.0个百分点"  # 95.0 against 90.0
    assert _cells(three)["cases"].value is None
    # Completeness: filled as the figures stand, approved, of what is due (2 + 2 + 1).
    assert [(r.filled, r.approved, r.expected) for r in areas.children] == [
        (5, 5, 5),
        (5, 3, 5),
        (1, 1, 5),
    ]
    # The city's own rolled-up totals.
    total = _cells(areas.total)
    assert (total["cases"].value, total["cases"].reported, total["cases"].expected) == (
        Decimal(200),
        3,
        6,
    )
    assert total["rate"].value_display == "89.5"  # (36+48+95) / (40+60+100), never averaged
    assert total["rate"].change_text == "同比提高2.3个百分点"  # against 157 / 180 = 87.2
    assert (areas.total.filled, areas.total.approved, areas.total.expected) == (11, 9, 15)
    html = response.content.decode()
    assert "下级区域 · 各区（县）" in html
    assert "示例市合计" in html
    assert f"?period=2026&amp;area={city['districts'][0].code}" in html


def test_the_ranking_puts_ties_together_and_the_unreported_last(client, city):
    areas = _page(client, city["leader"], "period=2026&rank=reviews").context["board"].children
    assert areas.ranking_column.code == "reviews"
    assert [(r.position, r.name, r.display) for r in areas.ranking] == [
        (1, "第2区", "8"),
        (1, "第3区", "8"),
        (3, "第1区", "5"),
    ]
    default = _page(client, city["leader"]).context["board"].children
    assert default.ranking_column.code == "mediated"  # the first headline indicator
    assert [(r.position, r.name, r.display) for r in default.ranking] == [
        (1, "第1区", "100"),
        (1, "第2区", "100"),
        (None, "第3区", "未报"),
    ]
    assert "未报" in _page(client, city["leader"]).content.decode()


def test_timeliness_reads_each_units_deadline_and_extension(client, db):
    period = ensure_period("2024", deadline=datetime.date(2025, 1, 15))
    tree = build_city(districts=2)
    leader = factories.UserFactory(role="leader", area=tree["city"])
    for unit in tree["towns"][tree["districts"][0].code]:  # 第1区's townships: sent, late
        figure(tree["cases"], unit, 10, period="2024")
        figure(tree["settled"], unit, 5, status=S, period="2024")
    late_but_extended = tree["sfj"][tree["districts"][0].code]
    DeadlineExtension.objects.create(
        period=period, department=late_but_extended, deadline=FAR, reason="测试延期"
    )
    figure(tree["reviews"], late_but_extended, 3, status=S, period="2024")
    areas = _page(client, leader, "period=2024").context["board"].children
    first, second = areas.children
    assert (first.timeliness.on_time, first.timeliness.late, first.timeliness.overdue) == (1, 2, 0)
    assert first.timeliness.text == "按时报齐1，逾期报齐2"
    assert second.timeliness.overdue == 3 and second.timeliness.css == "late"
    assert areas.total.timeliness.units == 6


def test_drill_down_to_a_district_and_its_townships(client, city):
    first = city["districts"][0]
    response = _page(client, city["leader"], f"period=2026&area={first.code}")
    assert response.status_code == 200
    board = response.context["board"]
    assert [c.name for c in board.crumbs] == ["示例市"]
    assert board.children.children_label == "各乡镇（街道）"
    assert [r.name for r in board.children.children] == ["第1区1镇", "第1区2镇"]
    assert [r.code for r in board.rows] == [f"sfj{first.code}"]  # its own departments
    assert _cells(board.children.total)["cases"].value == Decimal(100)
    html = response.content.decode()
    assert f"?period=2026&amp;area={first.code}001" in html  # each township drills down
    assert f'<input type="hidden" name="area" value="{first.code}">' in html
    township = _page(client, city["leader"], f"period=2026&area={first.code}001")
    assert township.status_code == 200
    assert township.context["board"].children is None  # no child areas: no section
    assert [r.code for r in township.context["board"].rows] == [f"sfs{first.code}1"]
    department = client.get(
        reverse("dashboard:department", args=[f"sfj{first.code}"]) + "?period=2026"
    )
    assert department.status_code == 200


def test_a_district_leader_sees_only_their_district(client, city):
    first, second = city["districts"][:2]
    leader = factories.UserFactory(role="leader", area=first)
    own = _page(client, leader)
    assert own.status_code == 200
    assert own.context["board"].area == first
    assert [r.name for r in own.context["board"].children.children] == ["第1区1镇", "第1区2镇"]
    assert own.context["board"].crumbs == []  # the city above is not theirs to open
    for code in (second.code, CITY, f"{second.code}001", "000000", "nowhere"):
        assert _page(client, leader, f"period=2026&area={code}").status_code == 404, code
    neighbour = reverse("dashboard:department", args=[f"sfj{second.code}"]) + "?period=2026"
    assert client.get(neighbour).status_code == 404
    assert (
        client.get(reverse("dashboard:data") + f"?period=2026&area={second.code}").status_code
        == 404
    )
    assert (
        client.get(reverse("dashboard:export") + f"?period=2026&area={second.code}").status_code
        == 404
    )


def test_approving_a_township_figure_changes_the_district_and_city_totals(client, city):
    second = city["districts"][1]
    reviewer = factories.UserFactory(role="reviewer", area=second)

    def totals():
        city_page = _page(client, city["leader"]).context["board"].children
        district_page = _page(client, city["leader"], f"period=2026&area={second.code}")
        district = district_page.context["board"].children
        return (
            _cells(city_page.total)["cases"].value,
            _cells(city_page.children[1])["cases"].value,
            _cells(district.total)["cases"].value,
            city_page.total.approved,
        )

    assert totals() == (Decimal(200), Decimal(100), Decimal(100), 9)
    approve_figure(figure=city["waiting"], user=reviewer)
    assert Figure.objects.get(pk=city["waiting"].pk).status == A
    assert totals() == (Decimal(220), Decimal(120), Decimal(120), 10)
    html = _page(client, city["leader"]).content.decode()
    assert "220" in html


def test_the_workbook_has_the_children_sheet(client, city):
    client.force_login(city["leader"])
    response = client.get(reverse("dashboard:export") + "?period=2026&rank=reviews")
    assert response.status_code == 200
    assert f"dashboard-{CITY}-2026-" in response["Content-Disposition"]
    book = load_workbook(BytesIO(response.content))
    sheet = book["下级区域"]
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    assert rows[0][:7] == [
        "区域",
        "已填",
        "应填",
        "已审核",
        "报送时效",
        "调解案件数（件）",
        "调解案件数同比",
    ]
    assert rows[1][:7] == ["第1区", 5, 5, 5, "按时报齐3", 100, "与上年持平"]
    assert rows[-1][0] == "示例市合计" and rows[-1][5] == 200
    assert sheet["H2"].number_format == "0.0"  # the rate keeps its decimal place
    ranking = [[c.value for c in row] for row in book["下级区域排名"].iter_rows()]
    assert ranking[1:] == [[1, "第2区", 8], [1, "第3区", 8], [3, "第1区", 5]]


def test_the_districts_dashboard_without_townships_has_no_children_sheet(client, db):
    from accounts import demo

    demo.seed_demo()
    client.force_login(factories.UserFactory(role="leader"))
    response = client.get(reverse("dashboard:index") + "?period=2026")
    assert response.context["board"].children is None
    assert "下级区域" not in response.content.decode()
    book = load_workbook(BytesIO(client.get(reverse("dashboard:export") + "?period=2026").content))
    assert "下级区域" not in book.sheetnames


def _count(client, url):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


def _fill(tree):
    for district in tree["districts"]:
        figure(tree["reviews"], tree["sfj"][district.code], 3)
        for unit in tree["towns"][district.code]:
            figure(tree["cases"], unit, 10)
            figure(tree["settled"], unit, 7, status=S)


# The district's page (tests/reports/test_dashboard_views.py: 27) plus the 下级区域 section's
# fixed reads: whether there are children, the tree and the rules in force, the figures on
# both bases, the previous period's roll-up, the indicators' names, the sent figures and the
# extensions; whether each roll-up's period has its area totals built (metrics.totals: the
# period on both bases and the previous one).
MAX_QUERIES = 45


def test_query_count_does_not_grow_with_the_children(client, db, django_assert_max_num_queries):
    ensure_period("2026", deadline=FAR)
    factories.period("2025", locked=True)
    small = build_city(districts=3, towns=1)
    _fill(small)
    client.force_login(factories.UserFactory(role="leader", area=small["city"]))
    urls = [
        reverse("dashboard:index") + "?period=2026",
        reverse("dashboard:export") + "?period=2026",
        reverse("dashboard:data") + "?period=2026",
    ]
    few = [_count(client, url) for url in urls]
    for d in range(4, 31):  # 27 more districts in the same city: 30 children
        district = factories.AreaFactory(
            code=f"9901{d:02d}", name=f"第{d}区", level=AreaLevel.DISTRICT, parent=small["city"]
        )
        small["districts"].append(district)
        small["sfj"][district.code] = factories.DepartmentFactory(
            code=f"sfj{district.code}", area=district, kind=small["sfj"]["990101"].kind
        )
        small["towns"][district.code] = [
            factories.DepartmentFactory(
                code=f"sfs{district.code}1",
                area=factories.AreaFactory(
                    code=f"{district.code}001", level=AreaLevel.TOWNSHIP, parent=district
                ),
                kind=town(small, 1, 1).kind,
            )
        ]
        figure(small["reviews"], small["sfj"][district.code], d)
        figure(small["cases"], small["towns"][district.code][0], d, status=S)
    board = client.get(urls[0]).context["board"].children
    assert len(board.children) == 30
    for url in urls:
        with django_assert_max_num_queries(MAX_QUERIES):
            client.get(url)
    assert [_count(client, url) for url in urls] == few


def test_a_districts_department_tables_read_its_own_figures_not_its_neighbours(client, city):
    """The indicator 第1区司法局 is the department of is reported by every district's 司法局:
    its department tables show its own figure once; the neighbours' reach the city rolled up."""
    first = city["districts"][0]
    board = _page(client, city["leader"], f"period=2026&area={first.code}").context["board"]
    reviews = [h for h in board.headlines if h.code == "reviews"]
    assert [(h.value, h.status) for h in reviews] == [(Decimal(5), A)]
    client.force_login(city["leader"])
    page = client.get(reverse("dashboard:department", args=[f"sfj{first.code}"]) + "?period=2026")
    rows = [r for r in page.context["rows"] if r["code"] == "reviews"]
    assert [r["value"] for r in rows] == [Decimal(5)]
    indicator = client.get(reverse("dashboard:indicator", args=["reviews"]))
    assert [f.value for f in indicator.context["figures"]] == [Decimal(5)]


def test_a_districts_department_row_counts_its_own_figures(client, city):
    first = city["districts"][0]
    board = _page(client, city["leader"], f"period=2026&area={first.code}").context["board"]
    (row,) = board.rows
    assert (row.expected, row.filled, row.approved, row.empty) == (1, 1, 1, 0)
