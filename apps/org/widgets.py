"""A searchable picker (tom-select, from npm) for choosing a person or a car among
hundreds: the page renders only the chosen option, and static/js/picker.js asks the
field's JSON endpoint for matches as the user types (name, mobile, store, balance …).
So no <select> ever renders the whole table; validation stays the form field's
(its queryset is the user's visible records)."""

from typing import Any

from django import forms
from django.urls import reverse


class RemotePicker(forms.Select):
    template_name = "django/forms/widgets/select.html"

    def __init__(
        self, url_name: str, *, query: str = "", placeholder: Any = "", attrs: dict[str, Any] | None = None
    ) -> None:
        super().__init__(attrs)
        self.url_name = url_name
        self.query = query
        self.placeholder = placeholder

    class Media:
        css = {"all": ["vendor/tom-select/css/tom-select.bootstrap5.min.css"]}
        js = ["vendor/tom-select/js/tom-select.complete.min.js", "js/picker.js"]

    def build_attrs(
        self, base_attrs: dict[str, Any], extra_attrs: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        attrs = super().build_attrs(base_attrs, extra_attrs)
        attrs["data-picker-url"] = reverse(self.url_name) + (f"?{self.query}" if self.query else "")
        if self.placeholder:
            attrs["data-placeholder"] = str(self.placeholder)
        return attrs

    def optgroups(self, name: str, value: list[Any], attrs: dict[str, Any] | None = None) -> list[Any]:
        """The empty choice and the chosen record only (one query, for its label)."""
        chosen = [v for v in value if v not in ("", None)]
        groups: list[Any] = [(None, [self.create_option(name, "", "", not chosen, 0)], 0)]
        choices: Any = self.choices
        queryset = getattr(choices, "queryset", None)
        if chosen and queryset is None:  # a plain value (e.g. a VIN): it is its own label
            groups.append((None, [self.create_option(name, chosen[0], chosen[0], True, 1)], 1))
        elif chosen and queryset is not None:
            try:
                rows = list(queryset.filter(pk__in=chosen)[:1])
            except (TypeError, ValueError):
                rows = []
            for i, obj in enumerate(rows, start=1):
                label = choices.field.label_from_instance(obj)
                groups.append((None, [self.create_option(name, obj.pk, label, True, i)], i))
        return groups
