"""Signals other apps listen to; sales never imports the apps below it."""

from django.dispatch import Signal

# Sent on commit after an order is delivered, with `order`. Aftersales creates
# the vehicle it will follow from it.
order_delivered = Signal()
