"""Rules the office writes: an indicator against a constant (覆盖率 ≥ 90) or against its own
value last year (± %, or ± 百分点 for a rate), error or warning, with the reviewer's message —
written on the 校验规则 page and shown at the figure on the entry form, an error blocking the
submit."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from metrics import services, sheets
from metrics.models import FigureStatus, RuleTarget, ValidationRule, ValueType
from tests import factories

A, D = FigureStatus.APPROVED, FigureStatus.DRAFT


@pytest.fixture
def office(db):
    return factories.UserFactory(role="reviewer")


@pytest.fixture
def setting(db):
    """A department with a rate (94.8 → 93.8) and a count (100 → 120), and its clerk."""
    period, before = factories.period("2026"), factories.period("2025")
    rate = factories.IndicatorFactory(
        name="行政执法公示覆盖率", value_type=ValueType.PERCENTAGE, unit="%"
    )
    count = factories.IndicatorFactory(name="执法检查次数", department=rate.department)
    for indicator, now, then in ((rate, "93.8", "94.8"), (count, "120", "100")):
        factories.FigureFactory(indicator=indicator, period=period, value=Decimal(now), status=D)
        factories.FigureFactory(indicator=indicator, period=before, value=Decimal(then), status=A)
    clerk = factories.UserFactory(role="clerk", department=rate.department)
    return {"period": period, "rate": rate, "count": count, "clerk": clerk}


def _found(setting, code):
    sheet = sheets.department_sheet(department=setting["rate"].department, period=setting["period"])
    row = sheet.row(code)
    return [w.message for w in row.errors], [w.message for w in row.warnings]


def test_a_rate_against_a_constant_written_on_the_rules_page(client, office, setting):
    rate = setting["rate"]
    client.force_login(office)
    response = client.post(
        "/catalogue/rules/",
        {
            "name": "公示覆盖率目标",
            "left": rate.pk,
            "target": "constant",
            "operator": ">=",
            "constant": "95",
            "severity": "error",
            "message": "公示覆盖率应达到95%",
            "reason": "年度目标",
        },
    )
    assert response.status_code == 302
    rule = ValidationRule.objects.get(name="公示覆盖率目标")
    assert (rule.target, rule.constant, rule.right) == (RuleTarget.CONSTANT, Decimal(95), None)
    listed = client.get("/catalogue/rules/").content.decode()
    assert "行政执法公示覆盖率 ≥ 95" in listed

    errors, _ = _found(setting, rate.code)
    assert errors == ["公示覆盖率应达到95%：行政执法公示覆盖率（93.8）应≥95。"]
    # The clerk's 报送 on the entry form: refused, the message at the figure.
    client.force_login(setting["clerk"])
    data = {"action": "submit"}
    for indicator in (rate, setting["count"]):
        figure = indicator.figures.get(period=setting["period"])
        data[f"value-{indicator.code}"] = str(figure.value)
        data[f"version-{indicator.code}"] = str(figure.version)
    page = client.post(f"/entry/{setting['period'].code}/", data).content.decode()
    assert "公示覆盖率应达到95%：行政执法公示覆盖率（93.8）应≥95。" in page
    with pytest.raises(ValidationError, match="公示覆盖率应达到95%"):
        services.submit_figures(
            department=rate.department, period=setting["period"], user=setting["clerk"]
        )


@pytest.mark.parametrize(
    ("which", "tolerance", "severity", "said"),
    [
        # a rate in 百分点: 94.8 → 93.8 is 1.0 point down
        ("rate", "0.5", "warning", "同比下降1.0个百分点，超过±0.5个百分点"),
        ("rate", "1", "error", None),  # within ±1 point
        # a count in %: 100 → 120 is 20% up
        ("count", "10", "error", "同比增长20.0%，超过±10%"),
        ("count", "20", "warning", None),
    ],
)
def test_against_last_year(office, setting, which, tolerance, severity, said):
    indicator = setting[which]
    services.create_rule(
        user=office,
        name="与上年相比变动过大",
        left=indicator,
        target=RuleTarget.LAST_YEAR,
        tolerance=Decimal(tolerance),
        severity=severity,
        message="请核实与上年相比的变动",
    )
    errors, warnings = _found(setting, indicator.code)
    found = errors if severity == "error" else warnings
    if said is None:
        assert not [m for m in errors + warnings if "请核实" in m]
        return
    [message] = [m for m in found if "请核实" in m]
    assert message.startswith("请核实与上年相比的变动：") and said in message
    submit = dict(department=indicator.department, period=setting["period"], user=setting["clerk"])
    with pytest.raises(ValidationError, match="请核实与上年相比的变动"):
        services.submit_figures(**submit)
    if severity == "warning":  # overridden with a written explanation (强制上报)
        for figure in indicator.figures.filter(period=setting["period"]):
            figure.explanation = "口径调整"
            figure.save()
        other = setting["count" if which == "rate" else "rate"]
        other.figures.filter(period=setting["period"]).update(explanation="同上")
        assert services.submit_figures(**submit, force=True)


def test_without_last_years_value_a_rule_against_it_says_nothing(office, setting):
    fresh = factories.IndicatorFactory(name="新设指标", department=setting["rate"].department)
    factories.FigureFactory(indicator=fresh, period=setting["period"], value=Decimal(7), status=D)
    services.create_rule(
        user=office, name="新设指标与上年比较", left=fresh, target="last_year", tolerance=1
    )
    errors, warnings = _found(setting, fresh.code)
    assert errors == [] and warnings == []


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"target": "constant"}, "constant", "请填写要比较的固定数值"),
        ({"target": "last_year"}, "tolerance", "允许的变动幅度"),
        ({"target": "last_year", "tolerance": Decimal(-1)}, "tolerance", "不小于 0"),
        ({"target": "indicator"}, "right", "请选择要比较的另一项指标"),
    ],
)
def test_an_incomplete_rule_is_refused_by_field(office, setting, fields, field, message):
    with pytest.raises(ValidationError) as refused:
        services.create_rule(
            user=office, name="不完整", left=setting["rate"], operator=">=", **fields
        )
    assert any(message in m for m in refused.value.message_dict[field])
    assert not ValidationRule.objects.filter(name="不完整").exists()


def test_the_database_refuses_a_rule_that_mixes_its_targets(setting):
    rate, count = setting["rate"], setting["count"]
    with pytest.raises(IntegrityError), transaction.atomic():
        ValidationRule.objects.create(
            name="混合", left=rate, operator=">=", target="constant", right=count, constant=1
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        ValidationRule.objects.create(name="同一", left=rate, operator=">=", right=rate)
