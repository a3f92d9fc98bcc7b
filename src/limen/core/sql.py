"""Hand-written SQL for the hottest request paths, with the ORM's own names and value conversions.

The ORM builds every query anew: on a CAS validation or a token request that was a third to a half
of the request's time. The statements of the hot paths (limen.cas.ticket_store, limen.oidc.token) are
written out once instead, with their table and column names read from the models (so migrations and
swapped models are followed); parameters are prepared and rows read back through the same field and
backend converters the ORM applies, so a value comes out exactly as a queryset would give it.
"""

from __future__ import annotations

from types import SimpleNamespace

from django.db import connections


def field(model, name: str):
    return model._meta.get_field(name)


def table(model, connection) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def column(model, name: str, connection, alias: str = "") -> str:
    quoted = connection.ops.quote_name(field(model, name).column)
    return f"{connection.ops.quote_name(alias)}.{quoted}" if alias else quoted


def prep(model, name: str, value, connection):
    """``value`` as the ORM would send it for this field (dates as text on SQLite, JSON encoded, ...)."""
    return field(model, name).get_db_prep_value(value, connection, prepared=False)


class Columns:
    """Columns of one or more models, selected by a statement and read back as the ORM reads them.

    ``Columns(("t", ServiceTicket, ["id", "expires"]), ("u", User, ["email"], "user_"))`` selects
    ``"t"."id", "t"."expires", "u"."email"``; ``read(row, connection)`` gives ``row.id``,
    ``row.expires`` and ``row.user_email`` (attribute names: the group's prefix and the field's attname).
    An empty alias selects bare column names (SQLite's RETURNING). ``parts(row, connection)`` gives each
    group on its own instead, under its prefix: ``parts["user_"].email``."""

    def __init__(self, *groups: tuple):
        self.groups = groups
        self.items = []
        self._places = []  # (group prefix, attname) of each item, for parts()
        for alias, model, names, *prefix in groups:
            for name in names:
                f = field(model, name)
                self.items.append((alias, model, f, (prefix[0] if prefix else "") + f.attname))
                self._places.append((prefix[0] if prefix else "", f.attname))
        if len({key for *_rest, key in self.items}) != len(self.items):
            raise ValueError("two columns would be read under the same name: give the groups prefixes")
        self._converters: dict[str, list] = {}

    def sql(self, connection) -> str:
        qn = connection.ops.quote_name
        return ", ".join(f"{qn(alias)}.{qn(f.column)}" if alias else qn(f.column)
                         for alias, _model, f, _key in self.items)

    def _converters_for(self, connection) -> list:
        converters = self._converters.get(connection.alias)
        if converters is None:
            converters = []
            for alias, _model, f, _key in self.items:
                col = f.get_col(alias or f.model._meta.db_table)
                converters.append((col, [*connection.ops.get_db_converters(col), *f.get_db_converters(connection)]))
            self._converters[connection.alias] = converters
        return converters

    def read(self, row, connection) -> SimpleNamespace:
        values = {}
        for (col, converters), value, (_a, _m, _f, key) in zip(self._converters_for(connection), row, self.items):
            for convert in converters:
                value = convert(value, col, connection)
            values[key] = value
        return SimpleNamespace(**values)

    def parts(self, row, connection) -> dict[str, SimpleNamespace]:
        """The row read as ``read`` does, one namespace per group prefix (its attributes without it):
        one pass, where ``part(read(...), prefix)`` goes over every column once per group."""
        groups: dict[str, dict] = {}
        for (col, converters), value, (prefix, name) in zip(self._converters_for(connection), row, self._places):
            for convert in converters:
                value = convert(value, col, connection)
            groups.setdefault(prefix, {})[name] = value
        return {prefix: SimpleNamespace(**values) for prefix, values in groups.items()}


def connection_for(model, write: bool = True):
    from django.db import router

    return connections[router.db_for_write(model) if write else router.db_for_read(model)]


def returning_supported(connection) -> bool:
    """UPDATE/DELETE ... RETURNING: PostgreSQL, and SQLite from 3.35 (Django's own feature flag)."""
    return connection.vendor == "postgresql" or (
        connection.vendor == "sqlite" and connection.features.can_return_columns_from_insert)


class Insert:
    """``INSERT INTO <model> (<fields>) VALUES (...)``, written once per connection; ``run`` returns the
    new row's primary key. Values are prepared as the ORM prepares them; auto_now fields must be given."""

    def __init__(self, model, names: list[str]):
        self.model, self.fields = model, [field(model, name) for name in names]
        self._sql: dict[str, tuple[str, bool]] = {}

    def _statement(self, connection) -> tuple[str, bool]:
        if connection.alias not in self._sql:
            qn = connection.ops.quote_name
            pk = qn(self.model._meta.pk.column)
            text = (f"INSERT INTO {table(self.model, connection)} ({', '.join(qn(f.column) for f in self.fields)}) "
                    f"VALUES ({', '.join(['%s'] * len(self.fields))})")
            returning = returning_supported(connection)
            self._sql[connection.alias] = (text + f" RETURNING {pk}" if returning else text, returning)
        return self._sql[connection.alias]

    def run(self, cursor, connection, *values) -> int:
        """``values`` in the fields' order, already of the fields' Python types (aware datetimes, UUIDs,
        lists for JSON): they are adapted for the database as the ORM does after its own checks."""
        text, returning = self._statement(connection)
        cursor.execute(text, [v if v is None else f.get_db_prep_value(v, connection, prepared=True)
                              for f, v in zip(self.fields, values)])
        if returning:
            return cursor.fetchall()[0][0]
        return connection.ops.last_insert_id(cursor, self.model._meta.db_table, self.model._meta.pk.column)
