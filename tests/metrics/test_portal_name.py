"""The header names whose portal it is: the one district as always; in the city's tree, the
area the signed-in official works for."""

import pytest

from accounts import demo
from metrics.models import User


@pytest.mark.parametrize(
    "username, name",
    [
        ("city_leader", "示范市"),
        ("city_reviewer", "示范市"),
        ("reviewer", "示范区"),
        ("clerk_sfj", "示范区"),
        # A township's 司法所 reports to its district's office: the district's portal.
        ("clerk_sfs_000000004", "示范区"),
    ],
)
def test_in_the_city_each_official_sees_their_own_area(db, client, username, name):
    demo.seed_demo(city=True)
    client.force_login(User.objects.get(username=username))
    page = client.get("/", follow=True).content.decode()
    assert f"{name}法治政府建设工作汇报门户" in page
    others = {"示范市", "示范区", "柳河乡"} - {name}
    assert not any(f"{other}法治政府建设工作汇报门户" in page for other in others)


def test_the_one_district_keeps_its_office_name(db, client):
    demo.seed_demo()
    client.force_login(User.objects.get(username="leader"))
    assert "示范区法治政府建设工作汇报门户" in client.get("/", follow=True).content.decode()
