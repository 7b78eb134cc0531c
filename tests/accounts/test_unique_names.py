"""Items 9 and 15 of issue 21: user names are unique in any case (a database constraint and
the services' check), a full-width user name inside a password is still the user name, and
the migration refuses to run over existing names that differ only in case."""

import importlib

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from accounts import people
from accounts.validators import UsernameContainedValidator
from metrics.models import User
from tests import factories


@pytest.mark.parametrize("variant", ["ZHANGSAN", "ZhangSan", "zhangsaN"])
def test_a_user_name_differing_only_in_case_is_refused(reviewer, variant):
    people.create_user(user=reviewer, username="zhangsan", name="张三", role="leader")
    with pytest.raises(ValidationError, match="已存在"):
        people.create_user(user=reviewer, username=variant, name="张三", role="leader")
    assert User.objects.filter(username__iexact="zhangsan").count() == 1


def test_the_database_refuses_it_whoever_writes(db):
    factories.UserFactory(username="lisi")
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create(username="LiSi")


def full_width(text):
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)


@pytest.mark.parametrize(
    "password",
    [
        "Xq-" + full_width("zhangsan") + "-2026!",
        "Xq-" + full_width("ZHANGSAN") + "-2026!",
        "Xq-zhang" + full_width("san") + "-2026!",
        "Xq-ZhAnGsAn-2026!",
    ],
)
def test_the_user_name_in_any_width_or_case_is_refused_in_a_password(db, password):
    user = User(username="zhangsan")
    with pytest.raises(ValidationError, match="不能包含用户名"):
        UsernameContainedValidator().validate(password, user)


def test_a_full_width_user_name_is_found_in_a_plain_password(db):
    user = User(username=full_width("wangwu"))
    with pytest.raises(ValidationError):
        UsernameContainedValidator().validate("Xq-wangwu-2026!", user)


def test_the_migration_names_existing_duplicates_first(db):
    migration = importlib.import_module("metrics.migrations.0014_username_unique_any_case")

    class Apps:
        def get_model(self, app, model):
            return FakeUsers

    class FakeUsers:
        class objects:  # noqa: N801
            @staticmethod
            def order_by(*args):
                class Rows:
                    def values_list(self, *fields, flat=False):
                        return ["Zhao", "qian", "zhao"]

                return Rows()

    with pytest.raises(RuntimeError, match="Zhao, zhao"):
        migration.refuse_existing_duplicates(Apps(), None)
