"""A city built with the factories for the area dashboard's tests (tests/reports and
tests/e2e): a root of its own beside the installation's district, its districts, their
townships and one reporting unit each, and the indicators they report."""

import datetime
from decimal import Decimal

from accounts.demo import ensure_period
from metrics.models import AreaLevel, FigureStatus, ValueType
from tests import factories

CITY = "990100"
FAR = datetime.date(2099, 1, 15)  # a deadline no run of these tests reaches


def build_city(*, districts=3, towns=2, code=CITY, name="示例市"):
    """A city (a root of its own beside the installation's district) whose districts each have
    a 司法局 and `towns` townships with one 司法所 each; the township pair 调解案件数 /
    调解成功数 with the computed 调解成功率, and the districts' 行政复议案件数."""
    city = factories.AreaFactory(code=code, name=name, level=AreaLevel.CITY, parent=None)
    sfs = factories.UnitKindFactory(code="sfs", name="乡镇（街道）司法所", level=AreaLevel.TOWNSHIP)
    sfj = factories.UnitKindFactory(code="qsfj", name="区（县）司法局", level=AreaLevel.DISTRICT)
    tree = {"city": city, "districts": [], "towns": {}, "sfj": {}}
    for d in range(1, districts + 1):
        district = factories.AreaFactory(
            code=f"{code[:4]}{d:02d}", name=f"第{d}区", level=AreaLevel.DISTRICT, parent=city
        )
        tree["districts"].append(district)
        tree["sfj"][district.code] = factories.DepartmentFactory(
            code=f"sfj{district.code}", name=f"第{d}区司法局", area=district, kind=sfj
        )
        tree["towns"][district.code] = [
            factories.DepartmentFactory(
                code=f"sfs{district.code}{t}",
                name=f"第{d}区{t}镇司法所",
                area=factories.AreaFactory(
                    code=f"{district.code}{t:03d}",
                    name=f"第{d}区{t}镇",
                    level=AreaLevel.TOWNSHIP,
                    parent=district,
                ),
                kind=sfs,
            )
            for t in range(1, towns + 1)
        ]
    owner = tree["towns"][tree["districts"][0].code][0]
    tree["cases"] = factories.IndicatorFactory(
        code="mediated", name="调解案件数", unit="件", department=owner, reporting_kind=sfs,
        headline_order=1,
    )  # fmt: skip
    tree["settled"] = factories.IndicatorFactory(
        code="mediated_ok", name="调解成功数", unit="件", department=owner, reporting_kind=sfs
    )
    tree["rate"] = factories.IndicatorFactory(
        code="mediated_rate", name="调解成功率", unit="%", department=owner,
        formula="mediated_ok / mediated * 100", value_type=ValueType.PERCENTAGE,
        decimal_places=1, headline_order=2,
    )  # fmt: skip
    tree["reviews"] = factories.IndicatorFactory(
        code="reviews", name="行政复议案件数", unit="件", reporting_kind=sfj,
        department=tree["sfj"][tree["districts"][0].code], headline_order=3,
    )  # fmt: skip
    return tree


def town(tree, district: int, number: int):
    return tree["towns"][tree["districts"][district - 1].code][number - 1]


def figure(indicator, unit, value, status=FigureStatus.APPROVED, period="2026"):
    return factories.FigureFactory(
        indicator=indicator,
        unit=unit,
        value=Decimal(value),
        status=status,
        period=factories.period(period),
    )


def seed_city():
    """Three districts: 第1区 all approved; 第2区 one township still awaiting review;
    第3区 only its 司法局's figure. 2025 approved for 第1区 and one township of 第2区."""
    ensure_period("2026", deadline=FAR)
    factories.period("2025", locked=True)
    tree = build_city()
    cases, settled, reviews = tree["cases"], tree["settled"], tree["reviews"]
    for unit, (c, s) in ((town(tree, 1, 1), (40, 36)), (town(tree, 1, 2), (60, 48))):
        figure(cases, unit, c)
        figure(settled, unit, s)
    figure(cases, town(tree, 2, 1), 100)
    figure(settled, town(tree, 2, 1), 95)
    tree["waiting"] = figure(cases, town(tree, 2, 2), 20, status=FigureStatus.SUBMITTED)
    figure(settled, town(tree, 2, 2), 19, status=FigureStatus.SUBMITTED)
    for district, value in zip(tree["districts"], (5, 8, 8), strict=True):
        figure(reviews, tree["sfj"][district.code], value)
    for unit, (c, s) in (
        (town(tree, 1, 1), (50, 40)),
        (town(tree, 1, 2), (50, 45)),
        (town(tree, 2, 1), (80, 72)),
    ):
        figure(cases, unit, c, period="2025")
        figure(settled, unit, s, period="2025")
    return tree
