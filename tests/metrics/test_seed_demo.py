import io

from django.contrib.auth import authenticate
from django.core.management import call_command

from accounts.demo import DEMO_PASSWORD
from accounts.roles import Role, role_of
from metrics.models import Department, Figure, FigureStatus, Indicator, User


def _counts():
    return (User.objects.count(), Figure.objects.count(), Figure.history.model.objects.count())


def test_seed_demo_is_idempotent_and_prints_logins(db):
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    first = _counts()
    call_command("seed_demo", stdout=io.StringIO())
    assert _counts() == first
    text = out.getvalue()
    assert DEMO_PASSWORD in text
    for username in ("admin", "reviewer", "leader", "clerk_sfj", "clerk_gaj"):
        assert username in text


def test_demo_logins_work_with_their_roles(demo_data):
    expected = {
        "reviewer": Role.REVIEWER,
        "leader": Role.LEADER,
        "clerk_zfw": Role.CLERK,
        "admin": Role.ADMIN,
    }
    for username, role in expected.items():
        user = authenticate(username=username, password=DEMO_PASSWORD)
        assert user is not None, username
        assert role_of(user) == role
    assert User.objects.get(username="clerk_zfw").department.name == "区委政法委"


def test_demo_2025_is_complete_and_approved(demo_data):
    figures = Figure.objects.filter(period__code="2025")
    assert figures.count() == Indicator.objects.entered().count()
    assert set(figures.values_list("status", flat=True)) == {FigureStatus.APPROVED}


def test_demo_2026_shows_every_state(demo_data):
    figures = Figure.objects.filter(period__code="2026")
    assert set(figures.values_list("status", flat=True)) == {"approved", "submitted", "draft"}
    assert figures.count() < Indicator.objects.entered().count()  # some are still missing
    assert not figures.filter(indicator__department__code="gaj").exists()


def test_synthetic_departments_for_benchmarks(db):
    call_command("seed_demo", departments=2, periods=3, stdout=io.StringIO())
    assert Department.objects.filter(code__startswith="syn").count() == 2
    assert Indicator.objects.filter(code__startswith="syn").count() == 120
    synthetic = Figure.objects.filter(indicator__code__startswith="syn")
    assert set(synthetic.values_list("period__code", flat=True)) == {"2024", "2025", "2026"}
    # the current period has gaps, earlier ones are complete
    assert synthetic.filter(period__code="2025").count() == 120
    assert synthetic.filter(period__code="2026").count() < 120
    before = synthetic.count()
    call_command("seed_demo", departments=2, periods=3, stdout=io.StringIO())
    assert synthetic.count() == before


def test_demo_history_names_who_last_changed_each_figure(db):
    from accounts import demo
    from metrics.models import Figure

    demo.seed_demo()
    for figure in Figure.objects.select_related("updated_by"):
        assert figure.history.get().history_user == figure.updated_by, figure
