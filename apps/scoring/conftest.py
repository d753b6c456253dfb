from datetime import date

import pytest

from apps.scoring.periods import Period, parse


@pytest.fixture
def october() -> Period:
    return parse("2026-10")


@pytest.fixture
def past_day() -> date:
    return date(2026, 11, 22)
