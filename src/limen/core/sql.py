"""Hand-written SQL for the hottest request paths, with the ORM's own names and value conversions.

The ORM builds every query anew: on a CAS validation or a token request that was a third to a half
of the request's time. The statements of the hot paths (limen.cas.ticket_store, limen.oidc.token) are
written out once instead, with their table and column names read from the models (so migrations and
swapped models are followed); parameters are prepared and rows read back through the same field and
backend converters the ORM applies, so a value comes out exactly as a queryset would give it.
"""

from __future__ import annotations

import datetime as dt
import functools
import inspect
import sqlite3
from types import SimpleNamespace

from django.conf import settings
from django.db import connections
from django.db.backends.sqlite3.base import FORMAT_QMARK_REGEX
from django.db.backends.utils import CursorDebugWrapper


@functools.lru_cache(maxsize=1024)
def _qmark(text: str) -> str:
    """Django's placeholders as SQLite's (SQLiteCursorWrapper.convert_query), converted once per statement."""
    return FORMAT_QMARK_REGEX.sub("?", text).replace("%%", "%")


def execute(cursor, text: str, params: list | tuple) -> None:
    """``cursor.execute(text, params)``, for the fixed statements of the hot paths. On SQLite the statement
    goes straight to the driver with its placeholders converted once, inside Django's error translation
    and broken-transaction check, as Django's cursor does it: its other layers (a wrapper chain, a
    placeholder conversion by regular expression at every call) were two thirds of such a statement's
    CPU. When the cursor records queries (DEBUG, assertNumQueries) or queries are wrapped, and on
    PostgreSQL, Django's own path is taken."""
    connection = cursor.db
    if connection.vendor != "sqlite" or isinstance(cursor, CursorDebugWrapper) or connection.execute_wrappers:
        cursor.execute(text, params)
        return
    connection.validate_no_broken_transaction()
    with connection.wrap_database_errors:
        sqlite3.Cursor.execute(cursor.cursor, _qmark(text), params)


def per_connection(build):
    """Decorate ``build(connection)``, which writes statements in that database's dialect and quoting,
    so that it runs once per database (alias and vendor) and its result is kept. ``.made`` holds the
    results (a test clears it to have them written again)."""
    made: dict[tuple[str, str], object] = {}

    @functools.wraps(build)
    def get(connection):
        key = (connection.alias, connection.vendor)
        found = made.get(key)
        if found is None:
            found = made[key] = build(connection)
        return found

    get.made = made
    return get


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

    def values(self, row, connection) -> list:
        """The row's values as the ORM converts them, in the columns' order."""
        values = []
        for (col, converters), value in zip(self._converters_for(connection), row):
            for convert in converters:
                value = convert(value, col, connection)
            values.append(value)
        return values

    def read(self, row, connection) -> SimpleNamespace:
        return SimpleNamespace(**{key: value for value, (_a, _m, _f, key) in zip(self.values(row, connection), self.items)})

    def instance(self, row, connection):
        """The row as a model instance, as a queryset gives it (one group: that model's columns)."""
        (_alias, model, _names, *_prefix), = self.groups
        return model.from_db(connection.alias, [f.attname for _a, _m, f, _k in self.items], self.values(row, connection))

    def parts(self, row, connection) -> dict[str, SimpleNamespace]:
        """The row read as ``read`` does, one namespace per group prefix (its attributes without it):
        one pass, where ``part(read(...), prefix)`` goes over every column once per group."""
        groups: dict[str, dict] = {}
        for (col, converters), value, (prefix, name) in zip(self._converters_for(connection), row, self._places):
            for convert in converters:
                value = convert(value, col, connection)
            groups.setdefault(prefix, {})[name] = value
        return {prefix: SimpleNamespace(**values) for prefix, values in groups.items()}


def all_fields(model) -> list[str]:
    """The names of the model's concrete fields, as a queryset selects them (for Columns)."""
    return [f.name for f in model._meta.concrete_fields]


def connection_for(model, write: bool = True):
    from django.db import router

    return connections[router.db_for_write(model) if write else router.db_for_read(model)]


def returning_supported(connection) -> bool:
    """UPDATE/DELETE ... RETURNING: PostgreSQL, and SQLite from 3.35 (Django's own feature flag)."""
    return connection.vendor == "postgresql" or (
        connection.vendor == "sqlite" and connection.features.can_return_columns_from_insert)


def _sqlite_datetime(value: dt.datetime) -> str:
    """What Django's SQLite backend sends for a datetime with USE_TZ and the database in UTC
    (``adapt_datetimefield_value``: naive in UTC, then ``str``), without its round of checks and
    settings look-ups."""
    offset = value.utcoffset()
    if offset is None:  # naive: sent as it is, as Django does
        return str(value)
    if offset:
        value = value.astimezone(dt.timezone.utc)
    return str(value)[:-6]  # without its "+00:00"


def shortcut(f, connection):
    """A faster way to the very value ``f.get_db_prep_value(value, connection, prepared=True)`` gives for a
    value already of the field's type, or None (take the ORM's). Only datetimes bound for SQLite (USE_TZ,
    the database in UTC: Limen's settings) have one: on a code exchange, ten datetimes went through
    Django's checks and conversions at about 9 000 instructions each (bench/README.md, *Counting
    instructions*). Nothing here holds on to ``connection``: statements are shared by every thread's."""
    if (connection.vendor == "sqlite" and f.get_internal_type() == "DateTimeField" and settings.USE_TZ
            and connection.timezone_name == "UTC"):
        return _sqlite_datetime
    return None


class Insert:
    """``INSERT INTO <model> (<fields>) VALUES (...)``, written once per connection; ``run`` returns the
    new row's primary key. Values are prepared as the ORM prepares them; auto_now fields must be given."""

    def __init__(self, model, names: list[str]):
        self.model, self.fields = model, [field(model, name) for name in names]
        self._sql: dict[str, tuple[str, bool, list]] = {}

    def _statement(self, connection) -> tuple[str, bool, list]:
        if connection.alias not in self._sql:
            qn = connection.ops.quote_name
            pk = qn(self.model._meta.pk.column)
            text = (f"INSERT INTO {table(self.model, connection)} ({', '.join(qn(f.column) for f in self.fields)}) "
                    f"VALUES ({', '.join(['%s'] * len(self.fields))})")
            returning = returning_supported(connection)
            self._sql[connection.alias] = (text + f" RETURNING {pk}" if returning else text, returning,
                                           [shortcut(f, connection) for f in self.fields])
        return self._sql[connection.alias]

    def run(self, cursor, connection, *values) -> int:
        """``values`` in the fields' order, already of the fields' Python types (aware datetimes, UUIDs,
        lists for JSON): they are adapted for the database as the ORM does after its own checks."""
        text, returning, shortcuts = self._statement(connection)
        execute(cursor, text, [v if v is None else fast(v) if fast is not None and type(v) is dt.datetime
                               else f.get_db_prep_value(v, connection, prepared=True)
                               for f, fast, v in zip(self.fields, shortcuts, values)])
        if returning:
            return cursor.fetchall()[0][0]
        return connection.ops.last_insert_id(cursor, self.model._meta.db_table, self.model._meta.pk.column)


# Stand in for the varying values while a queryset is compiled (Compiled): integers no row has; a text
# field's parameter gets the same number as text.
MARK = -739_105_624


class Compiled:
    """A queryset compiled by the ORM once per database connection, then run with new values in its
    markers' places: the very statement the queryset sends, without building it anew on every request.
    ``build`` takes one marker per varying value (``sql.MARK``, ``MARK - 1``, ...; none is fine) and returns
    the queryset; each marker must reach the statement's parameters once, as given (no lookup that
    rewrites its value: exact matches, foreign keys)."""

    def __init__(self, build):
        self.build = build
        self.arity = len(inspect.signature(build).parameters)
        self._model = None
        self._sql: dict[str, tuple] = {}

    def queryset(self):
        return self.build(*(MARK - i for i in range(self.arity)))

    def compile(self, query, connection) -> tuple[str, list]:
        return query.get_compiler(connection=connection).as_sql()

    def _statement(self, connection) -> tuple:
        if connection.alias not in self._sql:
            query = self.queryset().query
            text, params = self.compile(query, connection)
            params = list(params)
            at = []
            for i in range(self.arity):
                found = [n for n, value in enumerate(params) if value == MARK - i or value == str(MARK - i)]
                if len(found) != 1:
                    raise ValueError("each varying value must appear once among the statement's parameters")
                at.append(found[0])
            self._sql[connection.alias] = (text, params, at, self.prepare(query, connection))
        return self._sql[connection.alias]

    def prepare(self, query, connection):
        return None

    def execute(self, cursor, values, *, write: bool = False):
        """Run the statement with ``values``; returns what ``prepare`` made for this connection."""
        connection = cursor.db
        text, params, at, extra = self._statement(connection)
        if at:
            params = params.copy()
            for position, value in zip(at, values):
                params[position] = value
        execute(cursor, text, params)
        return extra

    def connection(self, write: bool = False):
        if self._model is None:
            self._model = self.queryset().model
        return connection_for(self._model, write=write)


class Exists(Compiled):
    """``build(...).exists()``, compiled once: ``Exists(lambda user_id: Thing.objects.filter(user=user_id))(7)``."""

    def compile(self, query, connection):
        return query.exists().get_compiler(connection=connection).as_sql()

    def __call__(self, *values) -> bool:
        connection = self.connection()
        with connection.cursor() as cursor:
            self.execute(cursor, values)
            return cursor.fetchone() is not None


class Select(Compiled):
    """``list(build(...))`` compiled once, for a queryset of one model's own columns (no select_related,
    annotations or values()): the same rows as the same model instances."""

    def prepare(self, query, connection):
        compiler = query.get_compiler(connection=connection)
        compiler.setup_query()
        cols = [col for col, _sql, _alias in compiler.select]
        if compiler.klass_info is None or compiler.annotation_col_map or compiler.klass_info.get("related_klass_infos"):
            raise ValueError("Select reads one model's columns only")
        names = [col.target.attname for col in cols]
        converters = [(col, [*connection.ops.get_db_converters(col), *col.get_db_converters(connection)])
                      for col in cols]
        return names, converters

    def __call__(self, *values) -> list:
        connection = self.connection()
        model = self._model
        with connection.cursor() as cursor:
            names, converters = self.execute(cursor, values)
            rows = cursor.fetchall()
        found = []
        for row in rows:
            converted = []
            for (col, each), value in zip(converters, row):
                for convert in each:
                    value = convert(value, col, connection)
                converted.append(value)
            found.append(model.from_db(connection.alias, names, converted))
        return found

    def first(self, *values):
        """The first row, for a queryset that says which (``[:1]`` of an ordered one)."""
        rows = self(*values)
        return rows[0] if rows else None


_creates: dict = {}  # model → Insert of all its columns but an automatic primary key


def create(instance):
    """``instance.save()`` of a new row, as one INSERT written once per model (no pre_save work such as
    ``auto_now``, and no signals: for models that have neither). Returns the instance, with its key."""
    model = type(instance)
    insert = _creates.get(model)
    if insert is None:
        pk = model._meta.pk
        names = [f.name for f in model._meta.concrete_fields if not (f is pk and f.get_internal_type().endswith("AutoField"))]
        insert = _creates[model] = Insert(model, names)
    connection = connection_for(model)
    with connection.cursor() as cursor:
        pk = insert.run(cursor, connection, *(getattr(instance, f.attname) for f in insert.fields))
    if instance.pk is None:
        instance.pk = pk
    instance._state.adding, instance._state.db = False, connection.alias
    return instance
