"""Demo training: per store a few sessions over the last three months (sales skills,
product knowledge, service process …), the store's consultants attending with scores.
Idempotent: a session already there (same store, date and title) is left alone."""

from datetime import timedelta
from decimal import Decimal
from random import Random

from apps.org.demo import DemoContext
from apps.org.models import User
from apps.org.roles import Role

from . import services
from .models import TrainingSession

# (days ago, topic, title, hours, outside trainer or "" for the store's manager)
SESSIONS = [
    (75, "product_knowledge", "新款车型产品知识培训", "3.0", "厂家区域培训师 刘老师"),
    (52, "sales_skills", "展厅接待与需求分析", "2.0", ""),
    (33, "service_process", "交车流程与七日回访规范", "1.5", ""),
    (18, "sales_skills", "异议处理与促成成交", "2.5", "外聘讲师 陈老师"),
    (6, "finance_insurance", "金融贷款与保险方案讲解", "2.0", "合作银行 王经理"),
]


def seed(ctx: DemoContext) -> None:
    for store in ctx.stores:
        rng = Random(f"training-{store.code}")
        manager = User.objects.filter(role=Role.MANAGER, stores=store, is_active=True).order_by("pk").first()
        people = list(User.objects.filter(stores=store, role=Role.CONSULTANT, is_active=True).order_by("pk"))
        if manager is None or not people:
            continue
        for days_ago, topic, title, hours, outside in SESSIONS:
            day = ctx.today - timedelta(days=days_ago)
            if TrainingSession.objects.filter(store=store, date=day, title=title).exists():
                continue
            # Most of the team attends; one or two are out with customers.
            attending = [u for u in people if rng.random() < 0.85] or people[:1]
            services.training_session_save(
                store=store,
                topic=topic,
                title=title,
                date=day,
                hours=Decimal(hours),
                trainer=None if outside else manager,
                trainer_name=outside,
                note="培训后进行书面考核，成绩录入系统。",
                attendees={u.pk: Decimal(rng.randint(68, 98)) for u in attending},
                by=manager,
            )
