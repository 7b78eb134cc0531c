import factory
from django.contrib.auth.models import Group

from accounts.demo import ensure_period
from accounts.roles import GROUP_NAMES, Role
from metrics.areas import home_area
from metrics.models import (
    Area,
    AreaLevel,
    Department,
    Figure,
    Indicator,
    Section,
    UnitKind,
    User,
    ValueType,
)


def period(code: str, *, locked=False):
    return ensure_period(code, locked=locked)


class AreaFactory(factory.django.DjangoModelFactory):
    """An area under the installation's root unless a parent is given: `AreaFactory()` a
    second district beside the home one would be wrong, so the default is a township of
    the home district; pass `parent=` and `level=` for any other place in the tree."""

    class Meta:
        model = Area
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"{990000000 + n}")
    name = factory.Sequence(lambda n: f"测试镇{n}")
    short_name = factory.Sequence(lambda n: f"测试{n}")
    level = AreaLevel.TOWNSHIP
    parent = factory.LazyFunction(home_area)


class UnitKindFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = UnitKind
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"kind{n}")
    name = factory.Sequence(lambda n: f"测试单位类别{n}")
    level = AreaLevel.DISTRICT


class DepartmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Department
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"dept{n}")
    name = factory.Sequence(lambda n: f"测试部门{n}")
    short_name = factory.Sequence(lambda n: f"测试{n}")
    area = factory.LazyFunction(home_area)
    # A kind of its own, as a department of a one-district installation has.
    kind = factory.LazyAttribute(
        lambda o: UnitKind.objects.get_or_create(code=o.code, defaults={"name": o.name})[0]
    )


class UserFactory(factory.django.DjangoModelFactory):
    """`UserFactory(role="reviewer")`: the role's group, or a superuser for "admin"."""

    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    area = None  # the installation's root (metrics.access.scope_of)
    last_name = "测"
    first_name = factory.Sequence(lambda n: f"试{n}")
    password = factory.django.Password("Test-password-2026")

    @factory.post_generation
    def role(obj, create, extracted, **kwargs):
        role = Role(extracted or Role.CLERK)
        if role == Role.ADMIN:
            obj.is_superuser = obj.is_staff = True
            obj.save()
        else:
            obj.groups.add(Group.objects.get(name=GROUP_NAMES[role]))


class IndicatorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Indicator

    code = factory.Sequence(lambda n: f"test_indicator_{n}")
    name = factory.Sequence(lambda n: f"测试指标{n}")
    section = factory.LazyFunction(lambda: Section.objects.get(code="biz"))
    unit = "个"
    value_type = ValueType.COUNT
    department = factory.SubFactory(DepartmentFactory)


class FigureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Figure

    indicator = factory.SubFactory(IndicatorFactory)
    period = factory.LazyFunction(lambda: period("2026"))
    value_type = factory.LazyAttribute(lambda o: o.indicator.value_type)
    value = 10


def scheduler():
    """The scheduler's named system account, as the beat's tasks pass it to the services."""
    from metrics.system import SystemAccount, system_account

    return system_account(SystemAccount.SCHEDULER)


def command_line():
    """The command line's named system account (load_figures, build_report without --user)."""
    from metrics.system import SystemAccount, system_account

    return system_account(SystemAccount.COMMAND_LINE)


def api_token(user, *, name="测试") -> str:
    """A fresh API token for `user`, as "我的接口令牌" or POST /api/v1/auth/token/ hand it out."""
    from accounts.models import ApiToken

    return ApiToken.objects.create(user=user, name=name)[1]
