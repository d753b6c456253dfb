from typing import Any

from django.core.exceptions import ValidationError

# The largest value an integer column holds (PostgreSQL `integer`): the bound of a plain
# form field that fills one (a ModelForm's fields get their column's bounds themselves),
# so that a larger number is a form message and never reaches the database.
INT_MAX = 2_147_483_647


def add_service_error(form: Any, exc: ValidationError) -> None:
    """Show a service's refusal on the form: on the field it names when the form has
    that field, otherwise at the top of the form."""
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc.messages)
        return
    for field, errors in exc.error_dict.items():
        form.add_error(field if field in form.fields else None, [m for e in errors for m in e.messages])
