"""The level-by-level permission matrix (metrics.access): who enters, views and approves the
figures of which unit, and who approves which area as a whole, in a city of three districts
with two townships each."""

from metrics import access
from tests.metrics.unit_city import clerk_of, town

# Who: the clerk of 第1区1镇's 司法所 ("clerk"), of 第1区司法局 ("sfj_clerk"), the reviewer
# of 第1区 ("d1") and of 第2区 ("d2"), the city's reviewer ("city").
WHO = ("clerk", "sfj_clerk", "d1", "d2", "city")


def _users(tree):
    return dict(
        zip(
            WHO,
            (
                clerk_of(tree, town(tree, 1, 1)),
                tree["sfj_clerks"][tree["districts"][0].code],
                tree["reviewers"][0],
                tree["reviewers"][1],
                tree["city_reviewer"],
            ),
            strict=True,
        )
    )


def _matrix(tree, check) -> dict[str, bool]:
    return {name: check(user) for name, user in _users(tree).items()}


def test_who_enters_a_township_indicator_for_which_unit(tree):
    own, neighbour = town(tree, 1, 1), town(tree, 1, 2)
    cases = tree["cases"]
    assert _matrix(tree, lambda u: access.can_enter_indicator(u, cases, own)) == {
        "clerk": True, "sfj_clerk": False, "d1": False, "d2": False, "city": False,
    }  # fmt: skip
    assert not any(
        _matrix(tree, lambda u: access.can_enter_indicator(u, cases, neighbour)).values()
    )
    district_unit = tree["sfj"][tree["districts"][0].code]
    assert _matrix(tree, lambda u: access.can_enter_indicator(u, tree["reviews"], district_unit)) == {
        "clerk": False, "sfj_clerk": True, "d1": False, "d2": False, "city": False,
    }  # fmt: skip


def test_who_views_a_townships_figures(tree):
    unit = town(tree, 1, 1)
    assert _matrix(tree, lambda u: access.can_view_department(u, unit)) == {
        "clerk": True, "sfj_clerk": False, "d1": True, "d2": False, "city": True,
    }  # fmt: skip


def test_who_approves_which_units_figures(tree):
    township, district_unit = town(tree, 1, 1), tree["sfj"][tree["districts"][0].code]
    for unit in (township, district_unit):
        assert _matrix(tree, lambda u, unit=unit: access.can_approve_unit(u, unit)) == {
            "clerk": False, "sfj_clerk": False, "d1": True, "d2": False, "city": False,
        }  # fmt: skip


def test_who_approves_a_district_as_a_whole(tree):
    first = tree["districts"][0]
    assert _matrix(tree, lambda u: access.can_approve_area(u, first)) == {
        "clerk": False, "sfj_clerk": False, "d1": False, "d2": False, "city": True,
    }  # fmt: skip
    township_area = town(tree, 1, 1).area
    assert not any(_matrix(tree, lambda u: access.can_approve_area(u, township_area)).values())
    assert not any(_matrix(tree, lambda u: access.can_approve_area(u, tree["city"])).values())
