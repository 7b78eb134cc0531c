"""Demo and benchmark data: the seven departments' users, periods 2025 and 2026 with plausible
figures in every state, by default the demo city around the district (accounts.demo_city), and
optional synthetic departments for benchmarks."""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth.models import Group
from django.db import transaction
from simple_history.utils import bulk_create_with_history

from metrics import totals
from metrics.areas import home_area
from metrics.catalogue import DEPARTMENTS
from metrics.models import (
    Area,
    AreaLevel,
    Department,
    Figure,
    FigureStatus,
    Indicator,
    PeriodState,
    ReportingPeriod,
    Section,
    UnitKind,
    User,
    ValueType,
    default_rollup,
)
from metrics.periods import PeriodCode

from . import demo_city
from .roles import GROUP_NAMES, Role

DEMO_PASSWORD = "Lawgov-demo-2026"

# 2025's approved figures: the speech as it was delivered.
FIGURES_2025 = {
    "lead_council_study_per_quarter": 1,
    "biz_approval_reforms": 106,
    "biz_license_items_merged": 42,
    "biz_post_approval_filings": 35,
    "biz_inhouse_counsel": 12,
    "biz_external_law_experts": 3,
    "biz_external_lawyers": 8,
    "biz_external_law_firms": 4,
    "biz_counsel_litigation_cases": 27,
    "biz_leader_court_appearance_rate": 100,
    "biz_review_cases_received": 58,
    "biz_review_cases_closed": 55,
    "biz_township_penalty_powers": 126,
    "biz_subdistrict_penalty_powers": 98,
    "grass_district_centers": 1,
    "grass_township_centers": 14,
    "grass_grid_workers": 1860,
    "grass_grid_coverage": 100,
    "grass_mass_prevention_force": 23456,
    "grass_functional_branches": 56,
    "grass_joint_functional_branches": 18,
    "grass_grid_branches": 312,
    "grass_building_party_groups": 1245,
    "grass_patrol_townships": 14,
    "grass_patrol_min_size": 10,
    "grass_disputes_mediated": 2138,
    "edu_materials_distributed": 123456,
    "edu_legal_consultations": 3270,
    "edu_people_educated": 86500,
    "edu_bulletin_boards": 260,
    "edu_culture_signs": 145,
    "edu_publicity_panels": 380,
}

# 2026 so far: (value, status); an indicator absent here has not been filled in yet.
A, S, D = FigureStatus.APPROVED, FigureStatus.SUBMITTED, FigureStatus.DRAFT
FIGURES_2026 = {
    # 区司法局: partly approved, partly submitted, some drafts, two not filled
    "lead_council_study_per_quarter": (1, A),
    "biz_inhouse_counsel": (13, A),
    "biz_external_law_experts": (4, A),
    "biz_external_lawyers": (9, A),
    "biz_external_law_firms": (4, A),
    "biz_counsel_litigation_cases": (31, S),
    "biz_leader_court_appearance_rate": (100, S),
    "biz_review_cases_received": (64, S),
    "biz_review_cases_closed": (60, S),
    "grass_disputes_mediated": (2415, S),
    "edu_materials_distributed": (131200, D),
    "edu_legal_consultations": (3580, D),
    "edu_bulletin_boards": (275, D),
    # 区行政审批服务局: approved
    "biz_approval_reforms": (118, A),
    "biz_license_items_merged": (47, A),
    "biz_post_approval_filings": (38, A),
    # 区委编办: approved
    "biz_township_penalty_powers": (132, A),
    "biz_subdistrict_penalty_powers": (104, A),
    # 区委政法委: submitted, waiting for review
    "grass_district_centers": (1, S),
    "grass_township_centers": (14, S),
    "grass_grid_workers": (1925, S),
    "grass_grid_coverage": (100, S),
    "grass_mass_prevention_force": (25310, S),
    # 区委组织部: drafts
    "grass_functional_branches": (61, D),
    "grass_joint_functional_branches": (21, D),
    "grass_grid_branches": (330, D),
    "grass_building_party_groups": (1302, D),
    # 公安分局: nothing yet (grass_patrol_*)
    # 区委宣传部: approved
    "edu_people_educated": (91800, A),
}

CLERK_NAMES = {
    "sfj": ("陈", "静"),
    "spj": ("刘", "洋"),
    "bb": ("赵", "敏"),
    "zfw": ("孙", "磊"),
    "zzb": ("周", "婷"),
    "gaj": ("吴", "刚"),
    "xcb": ("郑", "丽"),
}


@dataclass(frozen=True)
class Login:
    username: str
    role: str
    department: str
    # The area it is printed under (示范市, 东城区 …); empty: the installation's own district.
    group: str = ""


def demo_logins() -> list[Login]:
    """The demo's accounts to print: the district's (admin, reviewer, leader, a clerk per
    department) and, once the city is built, the city's and each new district's reviewer
    and leader. The new units' clerks are too many to list one a line: city_clerk_lines."""
    city = Area.objects.filter(code=demo_city.CITY[0]).first()
    home = _home_district(city).name if city else ""  # a heading only beside the city's
    logins = [
        Login("admin", Role.ADMIN.label, ""),
        Login("reviewer", Role.REVIEWER.label, "区政府法制办", home),
        Login("leader", Role.LEADER.label, "副区长", home),
    ]
    logins += [
        Login(f"clerk_{code}", Role.CLERK.label, name, home) for code, name, _ in DEPARTMENTS
    ]
    if city is not None:
        logins += [
            Login("city_reviewer", Role.REVIEWER.label, f"{city.name}法制办", city.name),
            Login("city_leader", Role.LEADER.label, "副市长", city.name),
        ]
        for spec in demo_city.DISTRICTS:
            office = f"{spec.name}法制办"
            logins.append(Login(f"reviewer_{spec.code}", Role.REVIEWER.label, office, spec.name))
            logins.append(Login(f"leader_{spec.code}", Role.LEADER.label, "副区长", spec.name))
    return logins


def _home_district(city: Area) -> Area:
    new = [spec.code for spec in demo_city.DISTRICTS]
    return city.children.exclude(code__in=new).order_by("path").first()


def city_clerk_lines() -> list[str]:
    """The city's new units' clerks (clerk_<unit code>): a line for each district's
    departments and one for its townships' 司法所; none before the city is built."""
    city = Area.objects.filter(code=demo_city.CITY[0]).first()
    if city is None:
        return []
    units = (
        Department.objects.filter(
            members__username__startswith="clerk_", area__path__startswith=city.path
        )
        .exclude(code__in=[code for code, _, _ in DEPARTMENTS])
        .select_related("area", "area__parent")
        .order_by("area__path", "order")
        .distinct()
    )
    lines: dict[str, list[str]] = {}
    for unit in units:
        if unit.area.level == AreaLevel.TOWNSHIP:
            heading, label = f"{unit.area.parent.name}乡镇（街道）司法所", unit.area.name
        else:
            heading, label = f"{unit.area.name}各部门", unit.short_name
        lines.setdefault(heading, []).append(f"clerk_{unit.code}（{label}）")
    return [f"{heading}：{' '.join(names)}" for heading, names in lines.items()]


def _user(
    username, *, role, last_name="", first_name="", department=None, area=None, superuser=False
):
    user, created = User.objects.get_or_create(
        username=username,
        defaults={
            "last_name": last_name,
            "first_name": first_name,
            # Reminders go out by email; the console backend prints them in `make run`.
            "email": f"{username}@demo.lawgov.local",
            "department": department,
            "area": area,
            "is_staff": superuser or role == Role.REVIEWER,
            "is_superuser": superuser,
        },
    )
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
        user.groups.add(Group.objects.get(name=GROUP_NAMES[role]))
    return user


def ensure_period(
    code: str, *, deadline: datetime.date | None = None, locked=False
) -> ReportingPeriod:
    parsed = PeriodCode.parse(code)
    period, _ = ReportingPeriod.objects.get_or_create(
        code=code,
        defaults={
            "start": parsed.start,
            "end": parsed.end,
            "deadline": deadline or parsed.end + datetime.timedelta(days=15),
            "state": PeriodState.LOCKED if locked else PeriodState.OPEN,
        },
    )
    return period


@transaction.atomic
def seed_demo(*, city: bool = False) -> dict:
    """Create what the demo needs; never change what is there already. With `city`, the
    district then joins 示范市 with two smaller districts, townships, their officials, clerks
    and figures (accounts.demo_city); without, the one district as it always was."""
    departments = {
        d.code: d for d in Department.objects.filter(code__in=[c for c, _, _ in DEPARTMENTS])
    }
    admin = _user("admin", role=Role.ADMIN, last_name="系统", first_name="管理员", superuser=True)
    reviewer = _user("reviewer", role=Role.REVIEWER, last_name="李", first_name="明")
    _user("leader", role=Role.LEADER, last_name="张", first_name="华")
    clerks = {
        code: _user(
            f"clerk_{code}",
            role=Role.CLERK,
            last_name=last,
            first_name=first,
            department=departments[code],
        )
        for code, (last, first) in CLERK_NAMES.items()
    }
    p2025 = ensure_period("2025", deadline=datetime.date(2026, 1, 15), locked=True)
    p2026 = ensure_period("2026", deadline=datetime.date(2026, 12, 15))
    indicators = {i.code: i for i in Indicator.objects.select_related("department")}
    created = 0
    if not Figure.objects.filter(period=p2025).exists():
        created += _bulk_figures(
            [
                _figure(indicators[code], p2025, value, A, reviewer)
                for code, value in FIGURES_2025.items()
            ],
            admin,
        )
    if not Figure.objects.filter(period=p2026).exists():
        rows = []
        for code, (value, status) in FIGURES_2026.items():
            indicator = indicators[code]
            by = reviewer if status == A else clerks[indicator.department.code]
            rows.append(_figure(indicator, p2026, value, status, by))
        created += _bulk_figures(rows, admin)
    if city:
        rows = demo_city.seed_city(
            admin=admin,
            home_reviewer=reviewer,
            make_user=_user,
            make_figure=_figure,
            periods={"2025": p2025, "2026": p2026},
            base_2025=FIGURES_2025,
        )
        if rows:
            created += _bulk_figures(rows, admin)
    return {"figures_created": created}


def _figure(indicator, period, value, status, user, unit=None):
    figure = Figure.blank(
        indicator=indicator,
        period=period,
        unit=unit,
        value=Decimal(value),
        status=status,
        updated_by=user,
        version=1,
    )
    figure._history_user = user  # the history names the same person as 最后修改人
    return figure


def _bulk_figures(figures, user) -> int:
    bulk_create_with_history(
        figures, Figure, batch_size=2000, default_user=user, default_change_reason="演示数据"
    )
    totals.figures_written(figures)  # the area totals of a period already built
    return len(figures)


def _synthetic_unit(d: int) -> Department:
    code = f"syn{d:03d}"
    kind, _ = UnitKind.objects.get_or_create(code=code, defaults={"name": f"合成部门{d:03d}"})
    return Department.objects.create(
        code=code,
        name=f"合成部门{d:03d}",
        short_name=f"合成{d:03d}",
        order=100 + d,
        area=home_area(),
        kind=kind,
    )


def _synthetic_indicators(departments: int, sections: list) -> None:
    """~60 indicators for each synthetic department (syn001 …), those missing only."""
    new_indicators = []
    for d in range(1, departments + 1):
        department = Department.objects.filter(code=f"syn{d:03d}").first() or _synthetic_unit(d)
        for i in range(1, 61):
            code = f"syn{d:03d}_i{i:02d}"
            new_indicators.append(
                Indicator(
                    code=code,
                    name=f"合成指标{d:03d}-{i:02d}",
                    section=sections[i % len(sections)],
                    unit="个" if i % 10 else "%",
                    value_type=ValueType.COUNT if i % 10 else ValueType.PERCENTAGE,
                    department=department,
                    reporting_kind_id=department.kind_id,
                    rollup=default_rollup(
                        value_type=ValueType.COUNT if i % 10 else ValueType.PERCENTAGE,
                        computed=False,
                    ),
                    order=1000 + i,
                )
            )
    existing_codes = set(
        Indicator.objects.filter(code__startswith="syn").values_list("code", flat=True)
    )
    Indicator.objects.bulk_create(
        [i for i in new_indicators if i.code not in existing_codes], batch_size=2000
    )


@transaction.atomic
def seed_synthetic(*, departments: int, periods: int, last_year: int = 2026) -> dict:
    """N synthetic departments with ~60 indicators each, and M yearly periods of figures, for
    benchmarks. Values and states are deterministic so runs are comparable."""
    sections = list(Section.objects.order_by("order"))
    admin = User.objects.filter(is_superuser=True).first()
    years = list(range(last_year - periods + 1, last_year + 1))
    period_objs = [ensure_period(str(y), locked=y < last_year) for y in years]
    _synthetic_indicators(departments, sections)
    indicators = list(
        Indicator.objects.filter(code__startswith="syn", department__code__startswith="syn")
    )
    have = set(
        Figure.objects.filter(indicator__in=indicators, period__in=period_objs).values_list(
            "indicator_id", "period_id"
        )
    )
    statuses = (
        [FigureStatus.APPROVED] * 6
        + [FigureStatus.SUBMITTED] * 2
        + [FigureStatus.DRAFT, FigureStatus.RETURNED]
    )
    figures = []
    for p_index, period in enumerate(period_objs):
        is_current = period.code == str(last_year)
        for n, indicator in enumerate(indicators):
            if (indicator.pk, period.pk) in have:
                continue
            if is_current and n % 7 == 0:
                continue  # gaps in the current period
            base = (n * 37 + 11) % 900 + 50
            value = (
                min(base * 100 // 900, 100)
                if indicator.value_type == ValueType.PERCENTAGE
                else base + p_index * (n % 13)
            )
            status = (
                statuses[(n + p_index) % len(statuses)] if is_current else FigureStatus.APPROVED
            )
            figures.append(_figure(indicator, period, value, status, admin))
    created = _bulk_figures(figures, admin) if figures else 0
    return {"departments": departments, "indicators": len(indicators), "figures_created": created}
