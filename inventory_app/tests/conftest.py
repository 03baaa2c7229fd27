import pytest

from inventory_app.services import inventory_seed


@pytest.fixture
def seeded(db):
    return inventory_seed()
