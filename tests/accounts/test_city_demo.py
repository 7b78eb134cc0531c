"""The demo city (seed_demo(city=True)): 示范市 with 示范区 and two smaller districts, their
townships' 司法所, officials, clerks and two years of figures; seed_demo(city=False) is the one
district as it always was."""

import io
from decimal import Decimal

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.db import transaction

from accounts import demo, demo_city
from accounts.roles import Role, role_of
from metrics.areas import home_area
from metrics.catalogue import DEPARTMENTS
from metrics.models import (
    Area,
    AreaLevel,
    Department,
    Figure,
    FigureStatus,
    Indicator,
    RollUp,
    UnitKind,
    User,
)
from tests import factories

HOME_CODES = [code for code, _, _ in DEPARTMENTS]


@pytest.fixture
def city_demo(db):
    demo.seed_demo(city=True)


def _home_figures():
    """示范区's own departments' figures as a reader sees them."""
    return sorted(
        Figure.objects.filter(unit__code__in=HOME_CODES).values_list(
            "indicator__code", "period__code", "unit__code", "value", "status", "version",
            "updated_by__username",
        )
    )  # fmt: skip


def _everything():
    return {
        "areas": sorted(Area.objects.values_list("code", "path", "valid_to")),
        "units": sorted(Department.objects.values_list("code", "area__code", "kind__code")),
        "users": sorted(User.objects.values_list("username", "area__code", "department__code")),
        "figures": sorted(
            Figure.objects.values_list(
                "indicator__code", "period__code", "unit__code", "value", "status"
            )
        ),  # fmt: skip
        "history": (Figure.history.count(), Area.history.count(), Indicator.history.count()),
    }


def test_the_tree_is_a_city_of_three_districts_and_their_townships(city_demo):
    city = home_area()
    assert (city.code, city.name, city.level) == ("990100", "示范市", AreaLevel.CITY)
    districts = list(city.children.order_by("path"))
    assert [(d.code, d.name) for d in districts] == [
        ("000000", "示范区"),
        ("990102", "东城区"),
        ("990103", "西城区"),
    ]
    assert all(d.level == AreaLevel.DISTRICT for d in districts)
    townships = {d.name: [t.name for t in d.children.order_by("path")] for d in districts}
    assert townships == {
        "示范区": ["城关街道", "新华街道", "青山镇", "柳河乡"],
        "东城区": ["东关街道", "朝阳镇"],
        "西城区": ["西关街道", "白马镇"],
    }
    assert Area.objects.get(code="000000001").path == "/990100/000000/000000001/"
    assert Area.objects.filter(level=AreaLevel.TOWNSHIP).count() == 8


def test_each_district_has_its_units_of_the_same_kinds(city_demo):
    home = Area.objects.get(code="000000")
    assert sorted(home.units.values_list("code", flat=True)) == sorted(HOME_CODES)
    for code in ("990102", "990103"):
        units = Department.objects.filter(area__code=code)
        kinds = {u.code.split("_")[0]: u.kind for u in units}
        assert sorted(kinds) == sorted(demo_city.DISTRICT_KINDS)
        for kind_code, kind in kinds.items():
            assert kind == Department.objects.get(code=kind_code).kind  # reports the same
    assert Department.objects.get(code="sfj_990102").name == "东城区司法局"
    assert Department.objects.get(code="gaj_990103").name == "西城公安分局"
    township_kind = UnitKind.objects.get(code="sfs")
    assert township_kind.level == AreaLevel.TOWNSHIP
    units = Department.objects.filter(kind=township_kind).select_related("area")
    assert units.count() == 8
    assert all(u.area.level == AreaLevel.TOWNSHIP for u in units)
    assert Department.objects.get(code="sfs_000000002").name == "新华街道司法所"


def test_every_unit_has_figures_for_both_years(city_demo):
    units = Department.objects.filter(retired_at__isnull=True)
    assert units.count() == 7 + 2 * 4 + 8
    for unit in units:
        in_2025 = Figure.objects.filter(unit=unit, period__code="2025")
        assert in_2025.exists(), unit
        assert set(in_2025.values_list("status", flat=True)) == {FigureStatus.APPROVED}
        expected = Indicator.objects.entered().filter(reporting_kind_id=unit.kind_id)
        assert in_2025.count() == expected.count(), unit
        if unit.code != "gaj":  # 示范区's 公安分局 has entered nothing for 2026 yet, as before
            assert Figure.objects.filter(unit=unit, period__code="2026").exists(), unit
    new_units_2026 = Figure.objects.filter(period__code="2026").exclude(unit__code__in=HOME_CODES)
    assert set(new_units_2026.values_list("status", flat=True)) == {
        "approved",
        "submitted",
        "draft",
    }


def test_township_indicators_have_one_figure_per_township(city_demo):
    entered = Indicator.objects.entered().filter(reporting_kind__code="sfs")
    assert sorted(entered.values_list("code", flat=True)) == sorted(
        code for code, *_ in demo_city.TOWNSHIP_INDICATORS
    )
    townships = Area.objects.filter(level=AreaLevel.TOWNSHIP)
    for indicator in entered:
        assert indicator.rollup == RollUp.SUM
        figures = Figure.objects.filter(indicator=indicator, period__code="2025")
        assert sorted(figures.values_list("unit__area__code", flat=True)) == sorted(
            t.code for t in townships
        )
    # the speech's sums over 示范区's townships
    home_2025 = Figure.objects.filter(period__code="2025", unit__area__parent__code="000000")
    assert sum(
        home_2025.filter(indicator__code="town_disputes_mediated").values_list("value", flat=True)
    ) == Decimal(demo.FIGURES_2025["grass_disputes_mediated"])
    assert sum(
        home_2025.filter(indicator__code="town_grid_workers").values_list("value", flat=True)
    ) == Decimal(demo.FIGURES_2025["grass_grid_workers"])


def test_the_mediation_rate_is_computed_and_recomputed_never_stored(city_demo):
    rate = Indicator.objects.get(code="town_mediation_success_rate")
    assert rate.is_computed
    assert rate.rollup == RollUp.RECOMPUTE
    assert rate.formula == "town_disputes_resolved / town_disputes_mediated * 100"
    assert rate.reporting_kind.code == "sfs"
    assert not Figure.objects.filter(indicator=rate).exists()


def test_officials_and_clerks_work_for_their_area(city_demo):
    city, home = Area.objects.get(code="990100"), Area.objects.get(code="000000")
    east = Area.objects.get(code="990102")
    expected = {
        "city_reviewer": (Role.REVIEWER, city),
        "city_leader": (Role.LEADER, city),
        "reviewer": (Role.REVIEWER, home),
        "leader": (Role.LEADER, home),
        "reviewer_990102": (Role.REVIEWER, east),
        "leader_990102": (Role.LEADER, east),
        "admin": (Role.ADMIN, None),
    }
    for username, (role, area) in expected.items():
        user = authenticate(username=username, password=demo.DEMO_PASSWORD)
        assert user is not None, username
        assert (role_of(user), user.area) == (role, area), username
    assert User.objects.get(username="city_reviewer").has_perm("metrics.manage_areas")
    assert not User.objects.get(username="reviewer").has_perm("metrics.manage_areas")
    for unit in Department.objects.all():
        clerk = User.objects.get(username=f"clerk_{unit.code}")
        assert clerk.department == unit and role_of(clerk) == Role.CLERK
    clerk = authenticate(username="clerk_sfs_990103002", password=demo.DEMO_PASSWORD)
    assert clerk.department.name == "白马镇司法所"


def test_approved_figures_name_the_reviewer_of_their_district(city_demo):
    approved = Figure.objects.filter(status=FigureStatus.APPROVED).select_related(
        "updated_by", "unit__area"
    )
    for figure in approved.exclude(unit__code__in=HOME_CODES):
        area = figure.unit.area
        district = area if area.level == AreaLevel.DISTRICT else area.parent
        expected = "reviewer" if district.code == "000000" else f"reviewer_{district.code}"
        assert figure.updated_by.username == expected, figure
        assert figure.history.get().history_user == figure.updated_by


def test_running_twice_changes_nothing(city_demo):
    first = _everything()
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    assert "新建数据 0 条" in out.getvalue()
    assert _everything() == first


def test_the_city_grows_around_a_district_seeded_before_it(db):
    demo.seed_demo(city=False)
    before = _home_figures()
    demo.seed_demo(city=True)
    assert _home_figures() == before  # 示范区's figures unchanged by joining the city
    assert Area.objects.get(code="000000").parent.code == "990100"
    once = _everything()
    demo.seed_demo(city=True)
    demo.seed_demo(city=False)
    assert _everything() == once


def test_the_district_alone_is_the_demo_as_it_always_was(db):
    demo.seed_demo(city=False)
    assert list(Area.objects.values_list("code", "path")) == [("000000", "/000000/")]
    assert Department.objects.count() == 7
    assert not Indicator.objects.filter(code__startswith="town_").exists()
    assert User.objects.filter(username__startswith="clerk_").count() == 7
    assert set(
        User.objects.exclude(username__startswith="system-").values_list("area", flat=True)
    ) == {None}
    figures_2025 = dict(
        Figure.objects.filter(period__code="2025").values_list("indicator__code", "value")
    )
    assert figures_2025 == {code: Decimal(v) for code, v in demo.FIGURES_2025.items()}
    figures_2026 = {
        code: (value, status)
        for code, value, status in Figure.objects.filter(period__code="2026").values_list(
            "indicator__code", "value", "status"
        )
    }
    assert figures_2026 == {code: (Decimal(v), s) for code, (v, s) in demo.FIGURES_2026.items()}
    assert [login.username for login in demo.demo_logins()] == [
        "admin", "reviewer", "leader", *(f"clerk_{code}" for code in HOME_CODES)
    ]  # fmt: skip
    assert demo.city_clerk_lines() == []


class _Undo(Exception):
    pass


def test_the_district_figures_are_the_same_with_or_without_the_city(db):
    try:
        with transaction.atomic():
            demo.seed_demo(city=False)
            alone = _home_figures()
            raise _Undo
    except _Undo:
        pass
    assert not Figure.objects.exists()
    demo.seed_demo(city=True)
    assert _home_figures() == alone
    assert len(alone) == len(demo.FIGURES_2025) + len(demo.FIGURES_2026)


def test_the_logins_are_grouped_by_city_and_district(city_demo):
    logins = demo.demo_logins()
    for login in logins:
        assert User.objects.filter(username=login.username).exists(), login
    groups = {}
    for login in logins:
        groups.setdefault(login.group, []).append(login.username)
    assert groups["示范市"] == ["city_reviewer", "city_leader"]
    assert groups["东城区"] == ["reviewer_990102", "leader_990102"]
    assert "reviewer" in groups["示范区"]
    lines = demo.city_clerk_lines()
    assert len(lines) == 5  # 示范区's townships; each other district's departments, townships
    text = "\n".join(lines)
    for unit in Department.objects.exclude(code__in=HOME_CODES):
        assert f"clerk_{unit.code}" in text
    out = io.StringIO()
    call_command("seed_demo", logins_only=True, stdout=out)
    assert len(out.getvalue().splitlines()) < 35
    assert "clerk_<单位代码>" in out.getvalue()


def test_a_township_added_later_with_factories_is_left_alone(city_demo):
    """Idempotence leaves what the office added: a new township and its unit stay as made."""
    extra = factories.AreaFactory(
        code="990102009", name="新城镇", parent=Area.objects.get(code="990102")
    )
    unit = factories.DepartmentFactory(
        code="sfs_990102009", area=extra, kind=UnitKind.objects.get(code="sfs")
    )
    demo.seed_demo(city=True)
    assert not Figure.objects.filter(unit=unit).exists()
    assert not User.objects.filter(username="clerk_sfs_990102009").exists()
