from typing import Any

from django.db import transaction

from .models import VehicleModel


@transaction.atomic
def vehicle_model_save(*, instance: VehicleModel | None = None, **fields: Any) -> VehicleModel:
    model = instance or VehicleModel()
    for key, value in fields.items():
        setattr(model, key, value)
    model.full_clean()
    model.save()
    return model
