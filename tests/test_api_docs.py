"""docs/api.md is the API reference a clone carries: it must match the live schema."""

from pathlib import Path

import pytest

from dealersales.apidocs import current_schema, render

DOCS = Path(__file__).resolve().parent.parent / "docs" / "api.md"


@pytest.mark.django_db
def test_the_api_reference_in_the_repository_is_up_to_date():
    schema = current_schema()
    text = DOCS.read_text(encoding="utf-8")
    missing = [p for p in schema["paths"] if p.startswith("/api/v1/") and f"### `{p}`" not in text]
    assert not missing, f"endpoints missing from docs/api.md: {missing}; run bin/apidocs"
    assert text == render(schema), "docs/api.md is stale: run bin/apidocs"


def test_the_reference_explains_authentication_paging_and_errors():
    text = DOCS.read_text(encoding="utf-8")
    for heading in ("## Authentication", "## Paging, filters, ordering", "## Errors", "## Records"):
        assert heading in text
    assert "Authorization: Token" in text and "page_size" in text
