"""Items 9 and 15 of issue 21 on PostgreSQL: every create with a unique code or name, and
every ordering by "max + 1", released 20 at once (each thread on its own connection, as
each request of a threaded server): exactly one is created, the others are refused with the
usual Chinese message (a ValidationError: 400 in the API, the form's error on the page),
never an IntegrityError (a 500)."""

import pytest
from django.core.exceptions import ValidationError
from rest_framework.test import APIClient

from accounts import people
from metrics import services
from metrics.models import Department, Section, User
from tests import factories
from tests.threads import at_once

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)
CLIENTS = 20


def assert_one_created_the_rest_refused(results, kind):
    created = [r for r in results if isinstance(r, kind)]
    refused = [r for r in results if isinstance(r, ValidationError)]
    assert len(created) == 1 and len(refused) == CLIENTS - 1, results


def creating_users(reviewer, names):
    return [
        lambda name=name: people.create_user(
            user=reviewer, username=name, name="某人", role="leader"
        )[0]
        for name in names
    ]


SPELLINGS = ["racer", "Racer", "RACER", "rAcEr", "raceR"]


@pytest.mark.parametrize(
    "names",
    [["samename"] * CLIENTS, [SPELLINGS[n % len(SPELLINGS)] for n in range(CLIENTS)]],
    ids=["same", "case-only"],
)
def test_racing_user_creates(postgres, names):
    reviewer = factories.UserFactory(role="reviewer")
    results = at_once(creating_users(reviewer, names))
    assert_one_created_the_rest_refused(results, User)
    assert all("已存在" in " ".join(r.messages) for r in results if isinstance(r, ValidationError))
    assert User.objects.filter(username__iexact=names[0]).count() == 1


def test_racing_user_creates_through_the_api_answer_400(postgres):
    reviewer = factories.UserFactory(role="reviewer")
    token = factories.api_token(reviewer)

    def post():
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
        body = {"username": "apiuser", "name": "某", "role": "leader"}
        return client.post("/api/v1/users/", body, format="json").status_code

    codes = at_once([post] * CLIENTS)
    assert sorted(codes) == [201] + [400] * (CLIENTS - 1), codes


CATALOGUE_CREATES = {
    "department same code": lambda user, n: services.create_department(
        user=user, code="racedept", name=f"竞争部门{n}"
    ),
    "department same name": lambda user, n: services.create_department(
        user=user, code=f"racedept{n}", name="竞争部门"
    ),
    "section same code": lambda user, n: services.create_section(
        user=user, code="racesec", name=f"竞争部分{n}"
    ),
}


@pytest.mark.parametrize("create", CATALOGUE_CREATES.values(), ids=CATALOGUE_CREATES.keys())
def test_racing_catalogue_creates(postgres, create):
    reviewer = factories.UserFactory(role="reviewer")
    results = at_once([lambda n=n: create(reviewer, n) for n in range(CLIENTS)])
    assert_one_created_the_rest_refused(results, (Department, Section))


@pytest.mark.parametrize("model", [Section, Department])
def test_racing_creates_with_different_codes_all_get_their_own_order(postgres, model):
    """Ordering by max + 1: twenty new sections (or departments) at once, each its own place."""
    reviewer = factories.UserFactory(role="reviewer")
    before = model.objects.count()
    if model is Section:
        make = lambda n: services.create_section(user=reviewer, code=f"sec{n}", name=f"部分{n}")  # noqa: E731
    else:
        make = lambda n: services.create_department(  # noqa: E731
            user=reviewer, code=f"dep{n}", name=f"部门{n}"
        )
    results = at_once([lambda n=n: make(n) for n in range(CLIENTS)])
    assert all(isinstance(r, model) for r in results), results
    orders = list(model.objects.values_list("order", flat=True))
    assert len(orders) == before + CLIENTS and len(set(orders)) == len(orders)


def test_racing_department_renames_to_one_name(postgres):
    reviewer = factories.UserFactory(role="reviewer")
    departments = [
        services.create_department(user=reviewer, code=f"ren{n}", name=f"改名前{n}")
        for n in range(CLIENTS)
    ]
    results = at_once(
        [
            lambda d=d: services.update_department(department=d, user=reviewer, name="同一个名称")
            for d in departments
        ]
    )
    assert_one_created_the_rest_refused(results, Department)
