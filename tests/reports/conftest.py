import pytest

from accounts.demo import DEMO_PASSWORD
from metrics.models import User


@pytest.fixture
def leader_user(demo_data):
    return User.objects.get(username="leader")


@pytest.fixture
def reviewer_user(demo_data):
    return User.objects.get(username="reviewer")


@pytest.fixture
def leader_client(client, demo_data):
    assert client.login(username="leader", password=DEMO_PASSWORD)
    return client


@pytest.fixture
def reviewer_client(client, demo_data):
    assert client.login(username="reviewer", password=DEMO_PASSWORD)
    return client
