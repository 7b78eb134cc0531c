"""The demo city (示范市): the installation's district joins a city with two smaller districts,
townships whose 司法所 report the township indicators, officials for the city and each
district, a clerk for every unit, and two years of figures for every unit.

Accounts (password DEMO_PASSWORD): city_reviewer and city_leader (area = the city, the
city reviewer also keeps the area tree, metrics.manage_areas); reviewer_<district code> and
leader_<district code> for the new districts (the demo's own reviewer and leader keep
示范区); clerk_<unit code> for every new unit, where a district's unit code is
<kind>_<district code> (clerk_sfj_990102) and a township's 司法所 is sfs_<township code>
(clerk_sfs_000000001). Everything is created only when missing: running twice changes
nothing. Values are fixed tables and arithmetic on them, never random."""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.contrib.auth.models import Permission

from metrics.areas import home_area
from metrics.models import (
    Area,
    AreaLevel,
    Department,
    Figure,
    FigureStatus,
    Indicator,
    Section,
    UnitKind,
    User,
    ValueType,
)
from metrics.models.areas import EARLIEST
from metrics.services import areas as area_services
from metrics.services.catalogue_indicators import create_indicator
from metrics.services.catalogue_organisation import create_department

from .roles import Role

CITY = ("990100", "示范市", "示范")
REASON = "演示数据：示范市"


@dataclass(frozen=True)
class DemoDistrict:
    code: str
    name: str
    short_name: str
    share: Decimal  # its figures as a share of 示范区's
    townships: tuple[tuple[str, str], ...]  # (name, short name); codes: district code + 001 …


# The smaller districts have four of 示范区's kinds of department (by 示范区's department code).
DISTRICT_KINDS = ("sfj", "zfw", "gaj", "xcb")
HOME_TOWNSHIPS = (
    ("城关街道", "城关"),
    ("新华街道", "新华"),
    ("青山镇", "青山"),
    ("柳河乡", "柳河"),
)
DISTRICTS = (
    DemoDistrict(
        "990102", "东城区", "东城", Decimal("0.5"), (("东关街道", "东关"), ("朝阳镇", "朝阳"))
    ),
    DemoDistrict(
        "990103", "西城区", "西城", Decimal("0.35"), (("西关街道", "西关"), ("白马镇", "白马"))
    ),
)

TOWNSHIP_KIND = ("sfs", "乡镇（街道）司法所")
COUNT, PERCENTAGE = ValueType.COUNT, ValueType.PERCENTAGE
# What each township's 司法所 reports (the speech's sums over townships), and the rate the
# portal computes from two of them, recomputed on the sums when figures roll up.
TOWNSHIP_INDICATORS = (
    ("town_centers", "乡镇（街道）综治中心", "个", COUNT),
    ("town_grid_workers", "乡镇（街道）专（兼）职网格员", "名", COUNT),
    ("town_patrol_teams", "乡镇（街道）专职巡逻队", "支", COUNT),
    ("town_disputes_mediated", "乡镇（街道）调处矛盾纠纷", "件", COUNT),
    ("town_disputes_resolved", "乡镇（街道）调解成功矛盾纠纷", "件", COUNT),
)
TOWNSHIP_RATE = (
    "town_mediation_success_rate",
    "乡镇（街道）矛盾纠纷调解成功率",
    "town_disputes_resolved / town_disputes_mediated * 100",
)
# 示范区's four townships, in order: 2025 sums to the speech's 1860 网格员 and 2138 纠纷;
# 2026 to 1925 and 2415. The other districts' townships report their share of these.
TOWNSHIP_VALUES = {
    "2025": {
        "town_centers": (1, 1, 1, 1),
        "town_grid_workers": (520, 480, 450, 410),
        "town_patrol_teams": (1, 1, 1, 1),
        "town_disputes_mediated": (612, 548, 503, 475),
        "town_disputes_resolved": (590, 521, 482, 449),
    },
    "2026": {
        "town_centers": (1, 1, 1, 1),
        "town_grid_workers": (540, 495, 465, 425),
        "town_patrol_teams": (1, 1, 1, 2),
        "town_disputes_mediated": (690, 622, 571, 532),
        "town_disputes_resolved": (668, 597, 549, 503),
    },
}
# A unit's 2025 figures in 2026 grow by this much (a count), a rate stays.
GROWTH_2026 = Decimal("1.06")
A, S, D = FigureStatus.APPROVED, FigureStatus.SUBMITTED, FigureStatus.DRAFT

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN_NAMES = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超霞平刚"


def person(n: int) -> tuple[str, str]:
    """A fixed, plausible name for the n-th demo account of the city."""
    return SURNAMES[n % len(SURNAMES)], GIVEN_NAMES[(n * 7 + 3) % len(GIVEN_NAMES)]


def township_code(district_code: str, n: int) -> str:
    return f"{district_code}{n:03d}"


def status_2026(unit_index: int, indicator_index: int):
    """The state of a unit's 2026 figure: units take turns being approved, submitted, half
    drafted and barely started (None: not filled yet); each has at least its first figure."""
    plan = unit_index % 4
    if plan == 0:
        return A
    if plan == 1:
        return S
    if plan == 2:
        return D if indicator_index % 2 else S
    return D if indicator_index < 2 else None


def scaled(value, share: Decimal, value_type: str) -> Decimal:
    """A smaller district's or township's value: a rate as it is, a count its share, at
    least 1 where the base is not 0."""
    value = Decimal(value)
    if value_type == PERCENTAGE:
        return value
    result = (value * share).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    return max(result, Decimal(1)) if value > 0 else result


def grown(value: Decimal, value_type: str) -> Decimal:
    if value_type == PERCENTAGE:
        return value
    return (value * GROWTH_2026).quantize(Decimal(1), rounding=ROUND_HALF_UP)


# ---------------------------------------------------------------------------------------
# The tree


def _area(admin, *, code, name, short_name, level, parent, order=0) -> Area:
    area = Area.objects.filter(code=code).first()
    if area is not None:
        return area
    return area_services.create_area(
        user=admin,
        code=code,
        name=name,
        short_name=short_name,
        level=level,
        parent=parent,
        order=order,
        valid_from=EARLIEST,
        reason=REASON,
    )


def build_tree(admin) -> dict:
    """The city, 示范区 under it (attached once), the two districts and every township:
    {"city": area, "districts": [示范区, 东城区, 西城区], "townships": {district code: [...]}}."""
    city = Area.objects.filter(code=CITY[0]).first()
    new_codes = [d.code for d in DISTRICTS]
    home = (
        home_area()
        if city is None
        else city.children.exclude(code__in=new_codes).order_by("path").first()
    )
    if city is None:
        city = _area(
            admin,
            code=CITY[0],
            name=CITY[1],
            short_name=CITY[2],
            level=AreaLevel.CITY,
            parent=None,
        )
        home = area_services.attach_root_under(user=admin, root=home, parent=city, reason=REASON)
    districts = [home]
    for order, spec in enumerate(DISTRICTS, start=1):
        district = _area(
            admin,
            code=spec.code,
            name=spec.name,
            short_name=spec.short_name,
            level=AreaLevel.DISTRICT,
            parent=city,
            order=order,
        )
        districts.append(district)
    townships = {}
    for district, names in zip(
        districts, [HOME_TOWNSHIPS, *(d.townships for d in DISTRICTS)], strict=True
    ):
        townships[district.code] = [
            _area(
                admin,
                code=township_code(district.code, n),
                name=name,
                short_name=short,
                level=AreaLevel.TOWNSHIP,
                parent=district,
            )
            for n, (name, short) in enumerate(names, start=1)
        ]
    return {"city": city, "districts": districts, "townships": townships}


# ---------------------------------------------------------------------------------------
# Units and the township indicators


def district_unit_name(home_department: Department, district: Area) -> str:
    """东城区司法局 for 区司法局, 东城区委政法委 for 区委政法委, 东城公安分局 for 公安分局."""
    name = home_department.name
    if name.startswith("区"):
        return f"{district.name}{name[1:]}"
    return f"{district.short_name or district.name}{name}"


def _unit(admin, *, code, name, short_name, area, kind) -> Department:
    unit = Department.objects.filter(code=code).first()
    if unit is not None:
        return unit
    return create_department(
        user=admin,
        code=code,
        name=name,
        short_name=short_name,
        area=area,
        kind=kind,
        reason=REASON,
    )


def build_units(admin, tree: dict) -> dict:
    """{district code: [its district-level units]} and {township code: its 司法所}: the new
    districts get the kinds in DISTRICT_KINDS, each township one unit of the township kind."""
    home_units = {d.code: d for d in Department.objects.filter(code__in=DISTRICT_KINDS)}
    district_units = {}
    for district in tree["districts"][1:]:
        district_units[district.code] = [
            _unit(
                admin,
                code=f"{code}_{district.code}",
                name=district_unit_name(home_units[code], district),
                short_name=home_units[code].short_name,
                area=district,
                kind=home_units[code].kind,
            )
            for code in DISTRICT_KINDS
        ]
    kind, _ = UnitKind.objects.get_or_create(
        code=TOWNSHIP_KIND[0], defaults={"name": TOWNSHIP_KIND[1], "level": AreaLevel.TOWNSHIP}
    )
    township_units = {}
    for townships in tree["townships"].values():
        for township in townships:
            township_units[township.code] = _unit(
                admin,
                code=f"{TOWNSHIP_KIND[0]}_{township.code}",
                name=f"{township.name}司法所",
                short_name=f"{township.short_name}司法所",
                area=township,
                kind=kind,
            )
    return {"districts": district_units, "townships": township_units, "township_kind": kind}


def build_township_indicators(admin, *, owner: Department) -> list[Indicator]:
    """The township indicators and their rate, through the catalogue's own service; `owner`
    (the first township's 司法所) is the legacy owning unit, its kind the reporting kind."""
    section = Section.objects.get(code="grass")
    have = set(Indicator.objects.filter(code__startswith="town_").values_list("code", flat=True))
    for code, name, unit, value_type in TOWNSHIP_INDICATORS:
        if code not in have:
            create_indicator(
                user=admin,
                code=code,
                name=name,
                section=section,
                unit=unit,
                value_type=value_type,
                department=owner,
                reason=REASON,
            )
    code, name, formula = TOWNSHIP_RATE
    if code not in have:
        create_indicator(
            user=admin,
            code=code,
            name=name,
            section=section,
            unit="%",
            value_type=PERCENTAGE,
            department=owner,
            formula=formula,
            decimal_places=1,
            reason=REASON,
        )
    return list(Indicator.objects.filter(code__startswith="town_").order_by("order", "code"))


# ---------------------------------------------------------------------------------------
# Accounts


def _grant_area_management(user: User) -> None:
    permission = Permission.objects.get(content_type__app_label="metrics", codename="manage_areas")
    user.user_permissions.add(permission)


def build_officials(make_user, tree: dict) -> dict:
    """The city's reviewer and leader, and each new district's: {area code: reviewer}."""
    city = tree["city"]
    reviewer = make_user(
        "city_reviewer", role=Role.REVIEWER, last_name="王", first_name="芳", area=city
    )
    _grant_area_management(reviewer)
    make_user("city_leader", role=Role.LEADER, last_name="高", first_name="远", area=city)
    reviewers = {city.code: reviewer}
    for n, district in enumerate(tree["districts"][1:], start=1):
        last, first = person(2 * n)
        reviewers[district.code] = make_user(
            f"reviewer_{district.code}",
            role=Role.REVIEWER,
            last_name=last,
            first_name=first,
            area=district,
        )
        last, first = person(2 * n + 1)
        make_user(
            f"leader_{district.code}",
            role=Role.LEADER,
            last_name=last,
            first_name=first,
            area=district,
        )
    return reviewers


def build_clerks(make_user, units: list[Department]) -> dict:
    """clerk_<unit code> for every unit given: {unit pk: clerk}."""
    clerks = {}
    for n, unit in enumerate(units, start=10):
        last, first = person(n)
        clerks[unit.pk] = make_user(
            f"clerk_{unit.code}",
            role=Role.CLERK,
            last_name=last,
            first_name=first,
            department=unit,
        )
    return clerks


# ---------------------------------------------------------------------------------------
# Figures


@dataclass(frozen=True)
class UnitPlan:
    """What one unit reports: {indicator: 2025 value}, its 2026 values, and who approves."""

    unit: Department
    values_2025: dict
    values_2026: dict
    reviewer: User
    clerk: User


def unit_figures(plan: UnitPlan, *, unit_index: int, periods: dict, have: set, make) -> list:
    """The unit's missing figures: 2025 all approved, 2026 in the state status_2026 gives."""
    rows = []
    for indicator, value in plan.values_2025.items():
        if (indicator.pk, periods["2025"].pk, plan.unit.pk) not in have:
            rows.append(make(indicator, periods["2025"], value, A, plan.reviewer, plan.unit))
    for i, (indicator, value) in enumerate(plan.values_2026.items()):
        status = status_2026(unit_index, i)
        if status is None or (indicator.pk, periods["2026"].pk, plan.unit.pk) in have:
            continue
        by = plan.reviewer if status == A else plan.clerk
        rows.append(make(indicator, periods["2026"], value, status, by, plan.unit))
    return rows


def district_unit_values(unit: Department, share: Decimal, base_2025: dict) -> tuple[dict, dict]:
    indicators = Indicator.objects.entered().filter(reporting_kind_id=unit.kind_id)
    v2025 = {
        i: scaled(base_2025.get(i.code, 10), share, i.value_type)
        for i in indicators.order_by("section__order", "order", "code")
    }
    return v2025, {i: grown(v, i.value_type) for i, v in v2025.items()}


def township_unit_values(indicators, position: int, share: Decimal) -> tuple[dict, dict]:
    """The n-th township's values (示范区's table; another district's: its share of it)."""
    entered = [i for i in indicators if not i.is_computed]
    index = position % 4
    return tuple(
        {
            i: scaled(TOWNSHIP_VALUES[year][i.code][index], share, i.value_type)
            for i in entered
            if i.code in TOWNSHIP_VALUES[year]
        }
        for year in ("2025", "2026")
    )


def plans(tree, units, indicators, reviewers, clerks, base_2025) -> list[UnitPlan]:
    """Every new unit's plan, districts first, then townships, in tree order."""
    shares = {d.code: d.share for d in DISTRICTS}
    result = []
    for district_code, district_units in units["districts"].items():
        for unit in district_units:
            v2025, v2026 = district_unit_values(unit, shares[district_code], base_2025)
            result.append(UnitPlan(unit, v2025, v2026, reviewers[district_code], clerks[unit.pk]))
    for district in tree["districts"]:
        share = shares.get(district.code, Decimal(1))
        for position, township in enumerate(tree["townships"][district.code]):
            unit = units["townships"][township.code]
            v2025, v2026 = township_unit_values(indicators, position, share)
            result.append(UnitPlan(unit, v2025, v2026, reviewers[district.code], clerks[unit.pk]))
    return result


def seed_city(*, admin, home_reviewer, make_user, make_figure, periods, base_2025) -> list:
    """Build the city around the installation's district; return the new units' figures
    still missing, for the caller to write with their history."""
    tree = build_tree(admin)
    units = build_units(admin, tree)
    first_township = tree["townships"][tree["districts"][0].code][0]
    indicators = build_township_indicators(admin, owner=units["townships"][first_township.code])
    reviewers = build_officials(make_user, tree)
    reviewers[tree["districts"][0].code] = home_reviewer
    new_units = [u for us in units["districts"].values() for u in us]
    new_units += list(units["townships"].values())
    clerks = build_clerks(make_user, new_units)
    have = set(
        Figure.objects.filter(unit__in=new_units, period__in=periods.values()).values_list(
            "indicator_id", "period_id", "unit_id"
        )
    )
    rows = []
    for n, plan in enumerate(plans(tree, units, indicators, reviewers, clerks, base_2025)):
        rows += unit_figures(plan, unit_index=n, periods=periods, have=have, make=make_figure)
    return rows
