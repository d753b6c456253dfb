"""Signals other apps listen to; customers never imports the apps above it."""

from django.dispatch import Signal

# Sent inside the transaction of a transfer (one customer or all of a consultant's),
# with `customer_ids`, `to_owner`, `by` and `reason`. Sales moves the customers' open
# receivables to the new owner, so a receivable follows its customer and the departing
# consultant's book empties; a receiver that raises rolls the whole transfer back.
customer_transferred = Signal()
