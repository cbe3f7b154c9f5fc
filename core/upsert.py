"""One statement that adds to counters keyed by a unique constraint, creating the missing
rows: `INSERT ... ON CONFLICT (key) DO UPDATE SET n = n + excluded.n` (PostgreSQL and
SQLite). Django's `bulk_create(update_conflicts=True)` can only overwrite a value, not add
to it, and returns no values of updated rows.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from django.db import connection, models


def add_to_counters(
    model: type[models.Model],
    *,
    key: Sequence[str],
    field: str,
    amounts: Mapping[tuple[object, ...], int],
    returning: bool = False,
) -> list[tuple[object, ...]]:
    """Add each amount to the `field` of the row whose `key` fields hold the tuple,
    inserting it with the amount when missing. Rows are written in key order (two
    writers take shared rows in the same order: no deadlock); each row stays locked until
    the caller's transaction ends. With `returning`, the (*key, new total) of every row."""
    if not amounts:
        return []
    meta = model._meta
    table = connection.ops.quote_name(meta.db_table)
    keys = [connection.ops.quote_name(meta.get_field(name).column) for name in key]
    total = connection.ops.quote_name(meta.get_field(field).column)
    columns = ", ".join([*keys, total])
    placeholders = "(" + ", ".join(["%s"] * (len(keys) + 1)) + ")"
    params: list[object] = []
    for row_key, amount in sorted(amounts.items()):
        params += [*row_key, amount]
    sql = (
        f"INSERT INTO {table} ({columns}) VALUES {', '.join([placeholders] * len(amounts))} "  # noqa: S608 - names from the model, values are parameters
        f"ON CONFLICT ({', '.join(keys)}) DO UPDATE SET {total} = {table}.{total} + excluded.{total}"
    )
    if returning:
        sql += f" RETURNING {columns}"
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall() if returning else []
