"""Sent inside the transaction when a car becomes free in a store's yard (it arrived,
came back from a transfer or its order was cancelled), so that an app above stock can
give it to a waiting order (配车) before anyone else sees it free."""

from django.dispatch import Signal

# sender=Car, car=Car, by=User
car_available = Signal()
