from apps.org.demo import DemoContext


def seed(ctx: DemoContext) -> None:
    """Demo data for this app (none yet)."""
