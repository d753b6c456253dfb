"""What each kind of notification says. Apps register their kinds from AppConfig.ready():

    kinds.register("lead_overdue", _("%(customer)s: no follow-up for %(days)s days"))

A notification stores its kind and the parameters; the title is formatted when it is
shown, so each reader sees it in his own language (an SMS is formatted in the
recipient's language when it is sent).
"""

from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

KINDS: dict[str, str | Promise] = {}


def register(kind: str, title: str | Promise) -> None:
    KINDS.setdefault(kind, title)


def title_of(kind: str, params: dict[str, Any] | None) -> str:
    template = KINDS.get(kind)
    if template is None:
        return str(params.get("title", kind)) if params else kind
    try:
        return str(template) % (params or {})
    except (KeyError, TypeError, ValueError):
        return str(template)


register("message", _("%(title)s"))
# Kinds of the apps that notify from one service call (the job-made ones register in their apps).
register("report_commented", _("%(by)s commented on your daily report of %(date)s"))
register("report_replied", _("%(by)s replied on the daily report of %(date)s"))
register("escalation_answered", _("%(by)s answered: %(question)s"))
register("customer_transferred", _("%(by)s transferred %(customer)s to you"))
