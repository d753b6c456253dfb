"""docs/api.md from the OpenAPI schema: the API reference that ships with a clone.

`bin/apidocs` writes the file; a test fails when it is out of date, so a new endpoint
or field is documented in the same commit that adds it. The prose (authentication,
paging, errors) is here; everything below "Endpoints" comes from the schema.
"""

from typing import Any

INTRO = """\
# DealerSales API reference

Generated from the OpenAPI schema by `bin/apidocs` (do not edit by hand). The live
schema is at `/api/schema/` and browsable docs at `/api/docs/` on a running server.

## Authentication

- **Token** (programs, phones): `POST /api/v1/auth/token/` with
  `{"username": "...", "password": "..."}` returns `{"token": "..."}`. Send it on every
  request as `Authorization: Token <token>`.
- **Session** (the pages' own scripts): a signed-in browser session; writes then need
  the `X-CSRFToken` header from the `csrftoken` cookie.

```
curl -s -X POST http://127.0.0.1:8000/api/v1/auth/token/ \\
     -H 'Content-Type: application/json' -d '{"username": "manager_bj", "password": "demo12345"}'
curl -s http://127.0.0.1:8000/api/v1/customers/?grade=H -H 'Authorization: Token <token>'
```

Every endpoint sees what its page sees: an admin everything, a manager (and other
store-wide roles) their stores, a consultant his own records and a team lead his team's.

## Paging, filters, ordering

- Lists answer `{"count", "next", "previous", "results": [...]}`; `?page=2`,
  `?page_size=` up to 200 (default 50). Follow `next` until it is `null`.
- To walk a long list (a sync, an export), send `?cursor=` (empty) instead of `?page`:
  the answer has the same shape, and `next` / `previous` carry a cursor (the position
  after the page's last row in the list's order, with the id breaking ties). Every
  page then costs the same, however deep (page N by number reads the N-1 pages before
  it), and a row added or removed meanwhile never repeats or skips one. The cursor is
  opaque and tied to the list's `?ordering=`; a cursor from another order, or altered,
  is a 400 `{"cursor": [...]}`. Keep the filters, `ordering` and `page_size` of the
  first request on every page (the links do).
- `count` is exact. With `?cursor=`, `?count=estimate` counts up to 1,000 rows (exact
  below that) and beyond gives the database's estimate, which saves a count over a
  store's whole history on every page (tens of ms for 200k visits).
- Filters are query parameters named after the fields (`?consultant=7&month=2026-10-01`);
  `?ordering=-date` sorts (the allowed fields are listed per endpoint).

## Values

Ids are integers. Dates are `YYYY-MM-DD`, datetimes ISO 8601 with an offset. Money is
a decimal **string** with two places (`"158000.00"`). Ratios are numbers, or `null`
where the denominator is zero.

## Errors

| status | when | body |
|---|---|---|
| 400 | bad input or a rule refused it (nothing saved) | `{"field": ["message"]}` or `{"detail": "…"}` |
| 401 | no or bad credentials | `{"detail": "..."}` |
| 403 | the caller's role may not do this at all | `{"detail": "..."}` |
| 404 | no such record, **or one outside the caller's scope** | `{"detail": "..."}` |
| 405 | the method is not offered (e.g. deleting a payment) | `{"detail": "..."}` |
| 409 | someone else holds it (a claimed follow-up, a reserved car) | `{"detail": "..."}` |

Messages are in the caller's language (`Accept-Language: zh-hans` or the user's setting).
"""


def _ref(schema: dict[str, Any]) -> str | None:
    if "$ref" in schema:
        return str(schema["$ref"]).rsplit("/", 1)[-1]
    for key in ("allOf", "oneOf"):
        for part in schema.get(key, []):
            if "$ref" in part:
                return str(part["$ref"]).rsplit("/", 1)[-1]
    return None


def _type(schema: dict[str, Any], components: dict[str, Any]) -> str:
    name = _ref(schema)
    if name:
        target = components.get(name, {})
        if "enum" in target:
            return " / ".join(f"`{v}`" for v in target["enum"] if v not in ("", None)) or "string"
        return f"[{name}](#{name.lower()})"
    kind = schema.get("type", "object")
    if kind == "array":
        return f"list of {_type(schema.get('items', {}), components)}"
    if "enum" in schema:
        return " / ".join(f"`{v}`" for v in schema["enum"] if v not in ("", None))
    fmt = schema.get("format")
    if kind == "string" and schema.get("pattern", "").startswith("^-?\\d"):
        return "decimal string"
    # Integer formats (int64 …) follow the database backend's ranges: leave them out.
    return f"{kind} ({fmt})" if fmt and kind == "string" else str(kind)


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def _fields(name: str, components: dict[str, Any]) -> list[str]:
    schema = components[name]
    required = set(schema.get("required", []))
    lines = [f"### {name}", ""]
    if schema.get("description"):
        lines += [_cell(schema["description"]), ""]
    lines += ["| field | type | notes |", "|---|---|---|"]
    for field, spec in schema.get("properties", {}).items():
        notes = []
        if spec.get("readOnly"):
            notes.append("read-only")
        if spec.get("writeOnly"):
            notes.append("write-only")
        if field in required and not spec.get("readOnly"):
            notes.append("required")
        if spec.get("nullable"):
            notes.append("nullable")
        if spec.get("description"):
            notes.append(_cell(spec["description"].split("\n\n* `")[0]))
        lines.append(f"| `{field}` | {_type(spec, components)} | {'; '.join(notes)} |")
    return [*lines, ""]


def render(schema: dict[str, Any]) -> str:
    components = schema.get("components", {}).get("schemas", {})
    out = [INTRO, "## Endpoints", ""]
    paths = {p: ops for p, ops in sorted(schema["paths"].items()) if p.startswith("/api/v1/")}
    out += ["| path | methods |", "|---|---|"]
    for path, ops in paths.items():
        methods = " ".join(m.upper() for m in ops if m in ("get", "post", "put", "patch", "delete"))
        out.append(f"| `{path}` | {methods} |")
    out.append("")
    used: set[str] = set()
    for path, ops in paths.items():
        out += [f"### `{path}`", ""]
        for method, op in ops.items():
            if method not in ("get", "post", "put", "patch", "delete"):
                continue
            summary = _cell(op.get("description", "")) or ""
            out.append(f"- **{method.upper()}** {summary}".rstrip())
            params = [p for p in op.get("parameters", []) if p.get("in") == "query"]
            if params:
                names = ", ".join(f"`{p['name']}`" for p in params)
                out.append(f"  - query: {names}")
            body = op.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema")
            if body and _ref(body):
                used.add(_ref(body))  # type: ignore[arg-type]
                out.append(f"  - body: [{_ref(body)}](#{_ref(body).lower()})")  # type: ignore[union-attr]
            for code, resp in sorted(op.get("responses", {}).items()):
                content = resp.get("content", {}).get("application/json", {}).get("schema")
                if content:
                    item = content.get("items", content)
                    name = _ref(item)
                    if name:
                        used.add(name)
                        shape = "list of " if content.get("type") == "array" else ""
                        out.append(f"  - {code}: {shape}[{name}](#{name.lower()})")
        out.append("")
    out += ["## Records", ""]
    pending = sorted(used)
    seen: set[str] = set()
    while pending:
        name = pending.pop(0)
        if name in seen or name not in components or "enum" in components[name]:
            continue
        seen.add(name)
        if name.startswith("Paginated"):
            inner = _ref(components[name]["properties"]["results"].get("items", {}))
            out += [f"### {name}", "", f"A page of [{inner}](#{str(inner).lower()}) (see Paging).", ""]
            if inner:
                pending.append(inner)
            continue
        out += _fields(name, components)
        for spec in components[name].get("properties", {}).values():
            nested = _ref(spec.get("items", spec))
            if nested and nested not in seen:
                pending.append(nested)
    return "\n".join(out).rstrip() + "\n"


def current_schema() -> dict[str, Any]:
    """The schema in English, whatever language the process is in (a test before may
    have switched it)."""
    from django.utils import translation
    from drf_spectacular.generators import SchemaGenerator

    with translation.override("en"):
        return SchemaGenerator().get_schema(request=None, public=True)
