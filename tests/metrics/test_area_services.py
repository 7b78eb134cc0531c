"""The area tree's changes: a new area, a township closed when it merges or moves, and the
installation's district joining a city (the one change of a parent)."""

import datetime

import pytest
from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied, ValidationError

from metrics.areas import home_area, subtree
from metrics.models import Area, AreaLevel, Figure, User
from metrics.services import areas as area_services
from metrics.system import SystemAccount, system_account
from tests import factories

DAY = datetime.date


def _codes(exc: ValidationError) -> dict[str, list[str]]:
    return {field: [e.code for e in errors] for field, errors in exc.error_dict.items()}


def _messages(exc: ValidationError) -> str:
    return "".join(m for messages in exc.message_dict.values() for m in messages)


@pytest.fixture
def admin(db):
    return factories.UserFactory(role="admin")


@pytest.fixture
def city(admin):
    return area_services.create_area(
        user=admin,
        code="990100",
        name="示范市",
        short_name="示范",
        level=AreaLevel.CITY,
        parent=None,
        valid_from=DAY(2000, 1, 1),
        reason="建市级区域",
    )


def _area_manager(area=None):
    user = factories.UserFactory(role="reviewer", area=area)
    user.user_permissions.add(Permission.objects.get(codename="manage_areas"))
    return User.objects.get(pk=user.pk)


SINCE_2020 = DAY(2020, 1, 1)


def _township(admin, code, *, parent=None, valid_from=SINCE_2020, name=None):
    return area_services.create_area(
        user=admin,
        code=code,
        name=name or f"镇{code}",
        level=AreaLevel.TOWNSHIP,
        parent=parent or home_area(),
        valid_from=valid_from,
        reason="新设乡镇",
    )


# ---------------------------------------------------------------------------------------
# create_area


def test_a_new_township_gets_its_path_and_a_history_naming_who_and_why(admin):
    township = _township(admin, "000000001", name="城关街道")
    assert township.path == "/000000/000000001/"
    assert township.parent == home_area()
    row = township.history.get()
    assert (row.history_user, row.history_change_reason) == (admin, "新设乡镇")


@pytest.mark.parametrize("code", ["12a", "1", "1234567890123", " "])
def test_a_code_that_is_no_area_code_is_refused_in_chinese(admin, code):
    with pytest.raises(ValidationError) as caught:
        _township(admin, code)
    assert _codes(caught.value) == {"code": ["invalid_area_code"]}
    assert "2 至 12 位数字" in _messages(caught.value)


def test_a_duplicate_code_names_the_area_that_has_it(admin):
    _township(admin, "000000001", name="城关街道")
    with pytest.raises(ValidationError) as caught:
        _township(admin, "000000001", name="新华街道")
    assert _codes(caught.value) == {"code": ["duplicate_area_code"]}
    assert "城关街道" in _messages(caught.value)
    assert not Area.objects.filter(name="新华街道").exists()


def test_a_child_is_at_a_lower_level_than_its_parent(admin):
    with pytest.raises(ValidationError) as caught:
        area_services.create_area(
            user=admin,
            code="990102",
            name="东城区",
            level=AreaLevel.DISTRICT,
            parent=home_area(),  # a district
            reason="新设区",
        )
    assert _codes(caught.value) == {"level": ["level_not_below_parent"]}
    assert "层级必须低于上级区域" in _messages(caught.value)


def test_no_area_is_opened_under_a_closed_one_nor_before_its_parent(admin):
    old = _township(admin, "000000001")
    area_services.close_area(user=admin, area=old, valid_to=DAY(2024, 12, 31), reason="撤并")
    with pytest.raises(ValidationError) as caught:
        area_services.create_area(
            user=admin,
            code="990102",
            name="东城区",
            level=AreaLevel.DISTRICT,
            parent=factories.AreaFactory(code="990100", level=AreaLevel.CITY, parent=None),
            valid_from=DAY(1999, 1, 1),
            reason="新设区",
        )
    assert _codes(caught.value) == {"valid_from": ["before_parent"]}


def test_a_new_root_must_be_above_the_installation_root(admin):
    with pytest.raises(ValidationError) as caught:
        area_services.create_area(
            user=admin, code="990102", name="东城区", level=AreaLevel.DISTRICT, parent=None,
            reason="新设区",
        )  # fmt: skip
    assert _codes(caught.value) == {"level": ["root_level"]}


def test_a_reason_is_required(admin):
    with pytest.raises(ValidationError) as caught:
        area_services.create_area(
            user=admin, code="000000001", name="城关街道", level=AreaLevel.TOWNSHIP,
            parent=home_area(), reason="  ",
        )  # fmt: skip
    assert _codes(caught.value) == {"reason": ["reason_required"]}


def test_only_an_area_manager_within_their_subtree_changes_the_tree(admin, city):
    reviewer = factories.UserFactory(role="reviewer")  # a district's 法制办: no manage_areas
    with pytest.raises(PermissionDenied):
        _township(reviewer, "000000001")
    neighbour = factories.AreaFactory(code="990102", level=AreaLevel.DISTRICT, parent=city)
    manager = _area_manager(area=neighbour)
    with pytest.raises(PermissionDenied, match="所辖范围"):
        _township(manager, "000000001")  # under 示范区, not theirs
    assert _township(manager, "990102001", parent=neighbour).parent == neighbour
    with pytest.raises(PermissionDenied):
        area_services.create_area(
            user=manager, code="990000", name="省", level=AreaLevel.PROVINCE, parent=None,
            reason="新设",
        )  # fmt: skip
    with pytest.raises(TypeError):
        _township(None, "000000002")


# ---------------------------------------------------------------------------------------
# close_area: a township merges or moves; its figures stay where they were reported


def test_closing_before_opening_is_refused(admin):
    township = _township(admin, "000000001", valid_from=DAY(2025, 1, 1))
    with pytest.raises(ValidationError) as caught:
        area_services.close_area(
            user=admin, area=township, valid_to=DAY(2024, 12, 31), reason="撤并"
        )
    assert _codes(caught.value) == {"valid_to": ["closed_before_opened"]}
    township.refresh_from_db()
    assert township.valid_to is None


def test_an_area_is_closed_once_and_only_after_its_children(admin):
    township = _township(admin, "000000001")
    with pytest.raises(ValidationError) as caught:
        area_services.close_area(
            user=admin, area=home_area(), valid_to=DAY(2025, 12, 31), reason="撤销"
        )
    assert _codes(caught.value) == {"area": ["root_area"]}
    area_services.close_area(user=admin, area=township, valid_to=DAY(2025, 12, 31), reason="撤并")
    with pytest.raises(ValidationError) as caught:
        area_services.close_area(
            user=admin, area=township, valid_to=DAY(2026, 6, 30), reason="撤并"
        )
    assert _codes(caught.value) == {"valid_to": ["already_closed"]}


def test_a_district_with_an_open_township_is_not_closed(admin, city):
    district = factories.AreaFactory(code="990102", level=AreaLevel.DISTRICT, parent=city)
    factories.AreaFactory(code="990102001", name="东关街道", parent=district)
    with pytest.raises(ValidationError) as caught:
        area_services.close_area(
            user=admin, area=district, valid_to=DAY(2025, 12, 31), reason="撤销"
        )
    assert _codes(caught.value) == {"area": ["children_open"]}
    assert "东关街道" in _messages(caught.value)


def test_a_moved_township_keeps_its_past_figures_where_they_were_reported(admin, city):
    home = home_area()
    east = factories.AreaFactory(code="990102", level=AreaLevel.DISTRICT, parent=city)
    kind = factories.UnitKindFactory(code="sfs", name="乡镇（街道）司法所", level="township")
    old = _township(admin, "000000003", name="青山镇", valid_from=DAY(2000, 1, 1))
    old_unit = factories.DepartmentFactory(code="sfs_000000003", area=old, kind=kind)
    indicator = factories.IndicatorFactory(department=old_unit)
    past = factories.FigureFactory(
        indicator=indicator, period=factories.period("2025", locked=True), unit=old_unit, value=7
    )
    # 青山镇 moves to 东城区 from 2026: closed here, a new area opened there with a new unit.
    area_services.close_area(user=admin, area=old, valid_to=DAY(2025, 12, 31), reason="划归东城区")
    new = _township(
        admin, "990102003", name="青山镇（东城）", parent=east, valid_from=DAY(2026, 1, 1)
    )
    new_unit = factories.DepartmentFactory(code="sfs_990102003", area=new, kind=kind)
    factories.FigureFactory(indicator=indicator, period=factories.period("2026"), unit=new_unit)

    old.refresh_from_db()
    past.refresh_from_db()
    assert old.valid_to == DAY(2025, 12, 31) and old.parent == home
    assert old.path == "/000000/000000003/"
    assert (past.unit, past.value) == (old_unit, 7)
    assert past.unit.area == old
    in_home_2025 = Figure.objects.filter(
        period__code="2025", unit__area__path__startswith=home.path
    )
    assert list(in_home_2025) == [past]
    assert new.path == "/990100/990102/990102003/"
    assert not old.is_valid_during(DAY(2026, 1, 1), DAY(2026, 12, 31))
    assert new.is_valid_during(DAY(2026, 1, 1), DAY(2026, 12, 31))
    assert not Figure.objects.filter(period__code="2025", unit__area__path__startswith=east.path)


# ---------------------------------------------------------------------------------------
# attach_root_under: the installation's district joins a city


def _snapshot():
    return sorted(
        Figure.objects.values_list("pk", "indicator_id", "period_id", "unit_id", "value", "status",
                                   "version", "updated_by_id")
    )  # fmt: skip


def test_the_district_joins_a_city_with_every_path_rewritten_and_no_figure_changed(admin):
    home = home_area()
    townships = [_township(admin, f"00000000{n}") for n in (1, 2)]
    unit = factories.DepartmentFactory(area=townships[0])
    factories.FigureFactory(unit=unit, indicator=factories.IndicatorFactory(department=unit))
    factories.FigureFactory(indicator=factories.IndicatorFactory())
    before = _snapshot()
    figures_history = Figure.history.count()
    city = area_services.create_area(
        user=admin, code="990100", name="示范市", level=AreaLevel.CITY, parent=None,
        valid_from=DAY(2000, 1, 1), reason="建市",
    )  # fmt: skip

    root = area_services.attach_root_under(user=admin, root=home, parent=city, reason="并入示范市")

    assert root.parent == city and root.code == home.code
    assert root.path == "/990100/000000/"
    assert sorted(a.path for a in Area.objects.exclude(pk=city.pk)) == [
        "/990100/000000/",
        "/990100/000000/000000001/",
        "/990100/000000/000000002/",
    ]
    assert home_area() == city
    assert set(subtree(root)) == {root, *townships}
    assert _snapshot() == before
    assert Figure.history.count() == figures_history
    latest = Area.history.filter(id=root.pk).order_by("-history_id").first()
    assert (latest.history_user, latest.history_change_reason) == (admin, "并入示范市")
    assert latest.path == "/990100/000000/"
    # the path before the move is kept in the history
    assert Area.history.filter(id=root.pk, path="/000000/").exists()


def test_officials_who_saw_the_district_keep_seeing_it_after_it_joins_the_city(admin, city):
    home = home_area()
    reviewer = factories.UserFactory(role="reviewer")
    leader = factories.UserFactory(role="leader")
    clerk = factories.UserFactory(role="clerk", department=factories.DepartmentFactory())
    scheduler = system_account(SystemAccount.SCHEDULER)
    area_services.attach_root_under(user=admin, root=home, parent=city, reason="并入示范市")
    assert User.objects.get(pk=reviewer.pk).area == home
    assert User.objects.get(pk=leader.pk).area == home
    assert User.objects.get(pk=clerk.pk).area is None  # a clerk's scope is their unit
    assert User.objects.get(pk=admin.pk).area is None  # the administrator sees the city
    assert User.objects.get(pk=scheduler.pk).area is None


def test_attaching_is_refused_twice_into_itself_or_below_a_lower_level(admin, city):
    home = home_area()
    township = _township(admin, "000000001")
    with pytest.raises(ValidationError) as caught:
        area_services.attach_root_under(user=admin, root=city, parent=township, reason="x")
    assert _codes(caught.value) == {"parent": ["level_not_below_parent"]}
    with pytest.raises(ValidationError) as caught:
        area_services.attach_root_under(user=admin, root=home, parent=township, reason="x")
    assert _codes(caught.value) == {"parent": ["cycle"]}
    area_services.attach_root_under(user=admin, root=home, parent=city, reason="并入示范市")
    with pytest.raises(ValidationError) as caught:
        area_services.attach_root_under(user=admin, root=home_area(), parent=city, reason="x")
    assert _codes(caught.value) == {"parent": ["cycle"]}
    other_city = factories.AreaFactory(code="990200", level=AreaLevel.CITY, parent=None)
    with pytest.raises(ValidationError) as caught:
        area_services.attach_root_under(
            user=admin, root=Area.objects.get(pk=home.pk), parent=other_city, reason="x"
        )
    assert _codes(caught.value) == {"root": ["not_a_root"]}
    assert "上级一经设定不再改变" in _messages(caught.value)


def test_a_city_is_not_attached_under_a_district(admin):
    city = factories.AreaFactory(code="990100", level=AreaLevel.CITY, parent=None)
    with pytest.raises(ValidationError) as caught:
        area_services.attach_root_under(user=admin, root=city, parent=home_area(), reason="x")
    assert _codes(caught.value) == {"parent": ["level_not_below_parent"]}


def test_only_a_manager_of_the_whole_installation_attaches_the_root(admin, city):
    with pytest.raises(PermissionDenied):
        area_services.attach_root_under(
            user=_area_manager(area=city), root=home_area(), parent=city, reason="并入"
        )
    installation_manager = _area_manager(area=None)
    root = area_services.attach_root_under(
        user=installation_manager, root=home_area(), parent=city, reason="并入"
    )
    assert root.parent == city


def test_attaching_costs_the_same_queries_however_many_townships(
    admin, city, django_assert_max_num_queries
):
    for n in range(1, 13):
        _township(admin, f"000000{n:03d}")
    # 15: the area totals' generation moves on (metrics.totals.invalidate).
    with django_assert_max_num_queries(15):
        area_services.attach_root_under(user=admin, root=home_area(), parent=city, reason="并入")
    assert Area.objects.filter(path__startswith="/990100/000000/").count() == 13
