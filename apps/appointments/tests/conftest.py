import pytest

from apps.org.models import Store, User
from apps.org.roles import Role
from conftest import _persona


@pytest.fixture
def specialist(store: Store) -> User:
    return _persona("specialist", Role.APPOINTMENT_SPECIALIST, [store], name="孙约访")
