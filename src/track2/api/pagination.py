"""One envelope for every list the API answers: {"items", "total", "page", "limit"}.

Bounds are declared on the query schema, so they appear in the OpenAPI document and a value
out of range gets the API's usual 422 with the field named ("Input should be less than or
equal to 500"). The page cap keeps the SQL OFFSET far inside a 64-bit integer.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from django.db.models import QuerySet
from ninja import Field, Schema

DEFAULT_LIMIT = 50
MAX_LIMIT = 500
MAX_PAGE = 1_000_000


class PageQuery(Schema):
    page: int = Field(1, ge=1, le=MAX_PAGE, description="Page number, from 1.")
    limit: int = Field(
        DEFAULT_LIMIT,
        ge=1,
        le=MAX_LIMIT,
        description=f"Items per page (default {DEFAULT_LIMIT}, at most {MAX_LIMIT}).",
    )


class PageOut(Schema):
    items: list[Any]
    total: int = Field(description="How many items the whole list has (all pages).")
    page: int
    limit: int


def page_of(
    rows: QuerySet | Sequence, params: PageQuery, render: Callable[[Any], Any] = lambda row: row
) -> dict:
    """One page of `rows` (counted and sliced in the database for a queryset) in the envelope.
    A page past the end is empty, with the total, so a client can tell it went too far."""
    total = rows.count() if isinstance(rows, QuerySet) else len(rows)
    start = (params.page - 1) * params.limit
    items = [render(row) for row in rows[start : start + params.limit]]
    return {"items": items, "total": total, "page": params.page, "limit": params.limit}
