"""Item 8 and Build 4 of issue 21 on PostgreSQL, 20 clients at once: edits of one object
made over the same loaded version end in one save and 19 refusals (stale), never a silent
revert; a template save racing an indicator code change never leaves a template naming a
code that no longer exists (they are serialised by one lock, lawgov.locks)."""

import pytest

from lawgov.versions import StaleEdit, version_of
from metrics import services
from metrics.models import Department, Indicator, Section
from reports import selectors as report_selectors
from reports import services as report_services
from tests import factories
from tests.threads import at_once

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)
CLIENTS = 20


def edits(obj, write):
    version = version_of(obj)
    return [lambda n=n: write(version, n) for n in range(CLIENTS)]


def assert_one_saved(results, kind):
    saved = [r for r in results if isinstance(r, kind)]
    stale = [r for r in results if isinstance(r, StaleEdit)]
    assert len(saved) == 1 and len(stale) == CLIENTS - 1, results


def test_twenty_edits_of_one_indicator_over_one_version(postgres):
    reviewer = factories.UserFactory(role="reviewer")
    indicator = Indicator.objects.get(code="biz_inhouse_counsel")
    results = at_once(
        edits(
            indicator,
            lambda v, n: services.update_indicator(
                indicator=indicator, user=reviewer, expected_version=v, help_text=f"说明{n}"
            ),
        )
    )
    assert_one_saved(results, Indicator)
    saved = next(r for r in results if isinstance(r, Indicator))
    assert Indicator.objects.get(pk=indicator.pk).help_text == saved.help_text


def test_twenty_edits_of_one_department_over_one_version(postgres):
    reviewer = factories.UserFactory(role="reviewer")
    department = Department.objects.get(code="sfj")
    results = at_once(
        edits(
            department,
            lambda v, n: services.update_department(
                department=department, user=reviewer, expected_version=v, short_name=f"简{n}"
            ),
        )
    )
    assert_one_saved(results, Department)


def test_twenty_renames_of_one_section_over_one_version(postgres):
    reviewer = factories.UserFactory(role="reviewer")
    section = Section.objects.get(code="biz")
    results = at_once(
        edits(
            section,
            lambda v, n: services.rename_section(
                section=section, user=reviewer, expected_version=v, name=f"部分{n}"
            ),
        )
    )
    assert_one_saved(results, Section)


def test_a_code_change_racing_a_template_save_never_leaves_a_dangling_code(postgres):
    reviewer = factories.UserFactory(role="reviewer")
    leader_of_templates = factories.UserFactory(role="admin")
    template = report_selectors.active_template()
    base = template.current_version.text
    for round_ in range(8):  # both orders of arrival
        old, new = f"race_code_{round_}", f"race_renamed_{round_}"
        indicator = factories.IndicatorFactory(code=old)
        text = base + f"\n\n本轮数值 {{{old}}}。\n"
        results = at_once(
            [
                lambda indicator=indicator, new=new: services.update_indicator(
                    indicator=indicator, user=reviewer, code=new
                ),
                lambda text=text: report_services.save_template_version(
                    template=template, text=text, user=leader_of_templates
                ),
            ]
        )
        assert all(r is not None for r in results), results
        known = report_selectors.known_codes()
        named = report_selectors.placeholder_codes(template.current_version.text)
        assert set(named) <= known, (round_, results, set(named) - known)
        # Exactly one of the two went through: the rename after the save is refused (the
        # template names the code), or the save after the rename is refused (unknown code).
        assert sum(isinstance(r, Exception) for r in results) == 1, results
        template.refresh_from_db()
