"""Demo catalog: models on the Chinese market with real body types and guide prices."""

from decimal import Decimal

from apps.org.demo import DemoContext

from .models import VehicleModel

# brand, model, body type, MSRP (CNY), first service (km, months), interval (km, months)
MODELS = [
    ("丰田", "卡罗拉", "sedan", 119800, 5000, 6, 10000, 12),
    ("丰田", "凯美瑞", "sedan", 179800, 5000, 6, 10000, 12),
    ("丰田", "RAV4荣放", "suv", 175800, 5000, 6, 10000, 12),
    ("丰田", "汉兰达", "suv", 269800, 5000, 6, 10000, 12),
    ("丰田", "赛那", "mpv", 309800, 5000, 6, 10000, 12),
    ("本田", "雅阁", "sedan", 169800, 5000, 6, 10000, 12),
    ("本田", "思域 HATCHBACK", "hatchback", 139900, 5000, 6, 10000, 12),
    ("本田", "CR-V", "suv", 181900, 5000, 6, 10000, 12),
    ("本田", "奥德赛", "mpv", 259800, 5000, 6, 10000, 12),
    ("大众", "帕萨特", "sedan", 181900, 7500, 6, 15000, 12),
    ("大众", "高尔夫", "hatchback", 129800, 7500, 6, 15000, 12),
    ("大众", "途观L", "suv", 216800, 7500, 6, 15000, 12),
    ("别克", "GL8 陆尊", "mpv", 232900, 5000, 6, 10000, 12),
    ("奥迪", "A4L", "sedan", 321800, 5000, 6, 15000, 12),
    ("奥迪", "A6 Avant", "wagon", 459800, 5000, 6, 15000, 12),
    ("宝马", "4系双门轿跑", "coupe", 459900, 5000, 12, 15000, 12),
    ("长城", "长城炮 乘用皮卡", "pickup", 97800, 3000, 3, 7500, 6),
    ("比亚迪", "汉 EV", "sedan", 189800, 10000, 12, 20000, 12),
]


def seed(ctx: DemoContext) -> None:
    for brand, name, body, msrp, fkm, fmon, ikm, imon in MODELS:
        model, _ = VehicleModel.objects.get_or_create(
            brand=brand,
            name=name,
            defaults={
                "body_type": body,
                "msrp": Decimal(msrp),
                "cost": (Decimal(msrp) * Decimal("0.9")).quantize(Decimal("100")),
                "first_service_km": fkm,
                "first_service_months": fmon,
                "service_interval_km": ikm,
                "service_interval_months": imon,
            },
        )
        ctx.extra.setdefault("models", []).append(model)
