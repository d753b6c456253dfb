from django import template
from django.utils.translation import pgettext

from apps.sales import selectors
from apps.sales.models import Receivable

register = template.Library()


@register.filter
def days_overdue(receivable: Receivable) -> int:
    return selectors.days_overdue(receivable)


@register.filter
def bucket(receivable: Receivable) -> str:
    """The aging bucket as a reader sees it: "current" is a code, 未到期 in Chinese."""
    code = selectors.bucket_of(selectors.days_overdue(receivable))
    return pgettext("aging bucket", "current") if code == "current" else code
