from collections.abc import Iterator

import pytest

from apps.aftersales.sms import LocmemBackend


@pytest.fixture
def outbox(settings) -> Iterator[list[tuple[str, str]]]:
    """SMS go to a list; quiet hours off unless a test sets them."""
    settings.SMS_BACKEND = "apps.aftersales.sms.LocmemBackend"
    LocmemBackend.outbox.clear()
    yield LocmemBackend.outbox
    LocmemBackend.outbox.clear()
