"""Two reviewers changing the catalogue at the same moment on PostgreSQL: formulas that would
read each other are never both saved (the second is refused as a cycle), whether the two
indicators were computed or entered before."""

import pytest
from django.core.exceptions import ValidationError

from metrics import services
from metrics.models import Department, Indicator, Section
from tests import factories
from tests.threads import at_once

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def setting_formula(indicator, user, formula):
    return lambda: services.update_indicator(indicator=indicator, user=user, formula=formula)


@pytest.mark.parametrize(
    "before",
    [("biz_review_cases_received + 1", "biz_review_cases_received + 2"), ("", "")],
    ids=["computed", "entered"],
)
def test_two_formulas_saved_at_once_never_make_a_cycle(postgres, before):
    sfj = Department.objects.get(code="sfj")
    biz = Section.objects.get(code="biz")
    alice = factories.UserFactory(role="reviewer")
    bob = factories.UserFactory(role="reviewer")
    for _ in range(5):  # several rounds, so both orders of arrival are exercised
        Indicator.objects.filter(code__in=["ca", "cb"]).delete()
        a, b = (
            services.create_indicator(
                user=alice, name=name, section=biz, department=sfj, code=code, formula=formula
            )
            for name, code, formula in zip(("甲", "乙"), ("ca", "cb"), before, strict=True)
        )
        results = at_once([setting_formula(a, alice, "cb + 1"), setting_formula(b, bob, "ca + 1")])
        saved = [r for r in results if isinstance(r, Indicator)]
        refused = [r for r in results if isinstance(r, ValidationError)]
        assert len(saved) == 1 and len(refused) == 1, results
        assert "循环" in " ".join(refused[0].messages)
        expected = {"ca": before[0], "cb": before[1], saved[0].code: saved[0].formula}
        stored = Indicator.objects.filter(code__in=["ca", "cb"]).values_list("code", "formula")
        assert dict(stored) == expected  # the refused one kept its formula


def section_codes():
    return list(Section.objects.order_by("order").values_list("code", flat=True))


def test_two_quick_clicks_on_a_sections_arrow_move_it_twice(postgres):
    reviewer = factories.UserFactory(role="reviewer")
    first = section_codes()[0]
    for _ in range(3):  # several rounds, so both orders of arrival are exercised
        start = section_codes()
        section = Section.objects.get(code=start[0])  # the page loaded it once, both clicks use it
        click = lambda section=section: services.move_section(  # noqa: E731
            section=section, user=reviewer, up=False
        )
        results = at_once([click, click])
        assert all(isinstance(r, list) for r in results), results
        assert section_codes() == [*start[1:3], start[0], *start[3:]]
        services.reorder_sections(user=reviewer, codes=start)  # back for the next round
    assert section_codes()[0] == first
