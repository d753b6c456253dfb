"""Demo organisation: a dealer group of two stores in two regions (SPEC Users)."""

from dataclasses import dataclass, field
from datetime import date
from random import Random
from typing import Any

from django.contrib.auth.hashers import make_password
from django.utils import timezone

from .models import Region, Store, Team, User
from .roles import Role
from .services import user_create

DEMO_PASSWORD = "demo12345"


@dataclass
class DemoContext:
    """What one app's demo seed hands to the next (stores, users, the random source)."""

    scale: str = "small"
    today: date = field(default_factory=timezone.localdate)  # the store's date, not the server's
    rng: Random = field(default_factory=lambda: Random(2026))
    stores: list[Store] = field(default_factory=list)
    users: dict[str, User] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)
    logins: list[tuple[str, str, str]] = field(default_factory=list)

    def consultants(self, store: Store | None = None) -> list[User]:
        return [
            u
            for u in self.users.values()
            if u.role == Role.CONSULTANT and (store is None or store in self.stores_of(u))
        ]

    def stores_of(self, user: User) -> list[Store]:
        return list(user.stores.all())


STORES = [
    # (region, store, code, address)
    ("华北区", "北京朝阳4S店", "bj-cy", "北京市朝阳区东四环北路88号"),
    ("华东区", "上海浦东4S店", "sh-pd", "上海市浦东新区龙阳路1888号"),
]

CONSULTANTS = {
    "bj-cy": ["王伟", "李娜", "张磊", "刘洋", "陈静", "杨帆"],
    "sh-pd": ["赵敏", "黄强", "周婷", "吴刚", "徐丽", "孙浩"],
}

STAFF = [
    # (username, name, role, store codes)
    ("admin", "系统管理员", Role.ADMIN, ["bj-cy", "sh-pd"]),
    ("manager_bj", "郑国栋", Role.MANAGER, ["bj-cy"]),
    ("manager_sh", "钱建华", Role.MANAGER, ["sh-pd"]),
    ("cs_bj", "何晓雯", Role.CUSTOMER_SERVICE, ["bj-cy"]),
    ("cs_sh", "林佳怡", Role.CUSTOMER_SERVICE, ["sh-pd"]),
    ("advisor_bj", "马俊", Role.SERVICE_ADVISOR, ["bj-cy"]),
    ("marketing", "高雅", Role.MARKETING, ["bj-cy", "sh-pd"]),
    ("finance", "罗会计", Role.FINANCE, ["bj-cy", "sh-pd"]),
]


def _user(
    ctx: DemoContext, username: str, name: str, role: str, stores: list[Store], team: Team | None = None
) -> User:
    user = User.objects.filter(username=username).first()
    if user is None:
        user = user_create(
            username=username,
            password=None,
            role=role,
            name=name,
            stores=stores,
            team=team,
            is_staff=role == Role.ADMIN,
            is_superuser=role == Role.ADMIN,
        )
        # Every demo user has the same password: hash it once, not twenty times.
        if "password_hash" not in ctx.extra:
            ctx.extra["password_hash"] = make_password(DEMO_PASSWORD)
        user.password = ctx.extra["password_hash"]
        user.save(update_fields=["password"])
    ctx.users[username] = user
    ctx.logins.append((username, name, str(Role(role).label)))
    return user


def seed(ctx: DemoContext) -> None:
    by_code: dict[str, Store] = {}
    for region_name, store_name, code, address in STORES:
        region, _ = Region.objects.get_or_create(name=region_name)
        store, _ = Store.objects.get_or_create(
            code=code, defaults={"name": store_name, "region": region, "address": address}
        )
        by_code[code] = store
        ctx.stores.append(store)
    for username, name, role, codes in STAFF:
        _user(ctx, username, name, role, [by_code[c] for c in codes])
    for code, names in CONSULTANTS.items():
        store = by_code[code]
        prefix = code.split("-")[0]
        for t, team_name in enumerate(["销售一组", "销售二组"]):
            team, _ = Team.objects.get_or_create(store=store, name=team_name)
            for i, name in enumerate(names[t * 3 : t * 3 + 3]):
                n = t * 3 + i + 1
                user = _user(ctx, f"sales_{prefix}{n:02d}", name, Role.CONSULTANT, [store], team)
                if i == 0 and team.lead_id is None:
                    team.lead = user
                    team.save(update_fields=["lead"])
