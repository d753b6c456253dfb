from django import template

from apps.sales import selectors
from apps.sales.models import Receivable

register = template.Library()


@register.filter
def days_overdue(receivable: Receivable) -> int:
    return selectors.days_overdue(receivable)


@register.filter
def bucket(receivable: Receivable) -> str:
    return selectors.bucket_of(selectors.days_overdue(receivable))
