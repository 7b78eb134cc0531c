from django.contrib.auth.models import Group

from metrics.catalogue import INDICATORS
from metrics.models import Department, Indicator, Section, ValidationRule

SPEECH_CODES = [
    "lead_council_study_per_quarter",
    "biz_approval_reforms",
    "biz_license_items_merged",
    "biz_post_approval_filings",
    "biz_inhouse_counsel",
    "biz_external_law_experts",
    "biz_external_lawyers",
    "biz_external_law_firms",
    "biz_counsel_litigation_cases",
    "biz_leader_court_appearance_rate",
    "biz_review_cases_received",
    "biz_review_cases_closed",
    "biz_township_penalty_powers",
    "biz_subdistrict_penalty_powers",
    "grass_district_centers",
    "grass_township_centers",
    "grass_grid_workers",
    "grass_grid_coverage",
    "grass_mass_prevention_force",
    "grass_functional_branches",
    "grass_joint_functional_branches",
    "grass_grid_branches",
    "grass_building_party_groups",
    "grass_patrol_townships",
    "grass_patrol_min_size",
    "grass_disputes_mediated",
    "edu_materials_distributed",
    "edu_legal_consultations",
    "edu_people_educated",
    "edu_bulletin_boards",
    "edu_culture_signs",
    "edu_publicity_panels",
]


def test_every_database_holds_exactly_the_speech_catalogue(db):
    assert (
        list(Indicator.objects.entered().order_by("order").values_list("code", flat=True))
        == SPEECH_CODES
    )
    assert len(INDICATORS) == 32


def test_sections_are_the_speech_parts_in_order(db):
    assert list(Section.objects.values_list("code", "name")) == [
        ("lead", "组织领导"),
        ("biz", "依法行政与营商环境"),
        ("grass", "基层治理"),
        ("edu", "普法宣传"),
    ]


def test_indicators_belong_to_the_seven_departments(db):
    assert set(Department.objects.values_list("name", flat=True)) == {
        "区司法局",
        "区行政审批服务局",
        "区委编办",
        "区委政法委",
        "区委组织部",
        "公安分局",
        "区委宣传部",
    }
    rate = Indicator.objects.get(code="grass_grid_coverage")
    assert (rate.value_type, rate.unit, rate.department.name) == ("percentage", "%", "区委政法委")
    people = Indicator.objects.get(code="edu_people_educated")
    assert (people.unit, people.department.name, people.section.code) == (
        "人次",
        "区委宣传部",
        "edu",
    )


def test_review_cases_rule_is_seeded_as_blocking(db):
    rule = ValidationRule.objects.get(left__code="biz_review_cases_closed")
    assert (rule.operator, rule.right.code, rule.severity) == (
        "<=",
        "biz_review_cases_received",
        "error",
    )


def test_every_indicator_of_the_speech_explains_what_to_count(db):
    from metrics.models import Indicator

    missing = list(Indicator.objects.entered().filter(help_text="").values_list("code", flat=True))
    assert missing == []
    # Where the speech rounds a figure, clerks are told to enter the exact number.
    wan = Indicator.objects.get(code="grass_mass_prevention_force").help_text
    assert "不要换算成万" in wan


def test_role_groups_carry_their_permissions(db):
    """The migrations grant each group exactly what accounts.roles says the role may do."""
    from accounts.roles import GROUP_NAMES, ROLE_PERMISSIONS

    for role, expected in ROLE_PERMISSIONS.items():
        held = {
            f"{p.content_type.app_label}.{p.codename}"
            for p in Group.objects.get(name=GROUP_NAMES[role]).permissions.select_related(
                "content_type"
            )
            if p.content_type.app_label == "metrics"
        }
        assert held == set(expected), role
