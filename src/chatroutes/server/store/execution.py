"""Running the hot paths' prebuilt Core statements, and the model instances they use.

On SQLite (pysqlite), ``execute`` runs a statement straight on the driver's cursor with
the SQL and the type conversions SQLAlchemy compiled for it once: for short statements
SQLAlchemy's per-execution machinery (execution context, result set-up) costs several
times what SQLite itself does. Elsewhere (PostgreSQL, aiosqlite), and wherever something
listens to the engine's statements (tracing), it runs through SQLAlchemy as usual.
Either way a caller gets ``Rows``.

The fast path relies on SQLAlchemy internals: the compiled statement's ``string``,
``positiontup``, ``construct_params(_check=False)``, ``binds`` (each ``required``),
``_bind_processors``,
``_result_columns``, ``post_compile_params`` and ``literal_execute_params``;
``TypeEngine._cached_result_processor``; ``Connection.dispatch``; and
``exc.DBAPIError.instance``. ``transient`` and ``insert_instance`` rely on
``orm.attributes.manager_of_class`` and on a callable ``ColumnDefault.arg`` taking a
context. So ``pyproject.toml`` pins SQLAlchemy to the minor version they were read from
(2.1), and ``tests/unit/test_statement_runner_internals.py`` names whichever of them a new
SQLAlchemy changed: make it pass before moving the pin.
"""

from __future__ import annotations

from collections import namedtuple
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from typing import Any, TypeVar

from sqlalchemy import Connection, bindparam, exc, insert
from sqlalchemy.orm.attributes import manager_of_class

from .tables import Base

M = TypeVar("M", bound=Base)


@dataclass(slots=True)
class Rows:
    """What a statement returned: its rows (each with attribute access and ``_asdict``)
    and how many rows it changed."""

    rows: Sequence[Any]
    rowcount: int

    def __iter__(self) -> Iterator[Any]:
        return iter(self.rows)

    def all(self) -> Sequence[Any]:
        return self.rows

    def first(self) -> Any | None:
        return self.rows[0] if self.rows else None

    def scalar_one(self) -> Any:
        [row] = self.rows
        return row[0]

    def scalar_one_or_none(self) -> Any | None:
        return self.rows[0][0] if self.rows else None


def execute(connection: Connection, statement: Any, params: Mapping[str, Any]) -> Rows:
    """Run a prebuilt statement (see the module's docstring for how).

    ``statement`` should be a module constant (or cached): its compiled form is kept,
    keyed by the statement itself, for as long as the process runs.
    """
    if _direct(connection):
        compiled = _compiled_for_sqlite(statement, connection.dialect)
        if compiled is not None:
            return compiled.run(connection, params)
    result = connection.execute(statement, params)
    return Rows(result.all() if result.returns_rows else [], result.rowcount)


def _direct(connection: Connection) -> bool:
    """Whether statements go straight to the driver (see the module's docstring)."""
    # not aiosqlite: its cursor is async; not when a listener (tracing) must see statements
    return connection.dialect.driver == "pysqlite" and not connection.dispatch.before_cursor_execute


@contextmanager
def savepoint(connection: Connection) -> Iterator[None]:
    """A savepoint in the caller's transaction: the block's writes are undone if it raises.

    On SQLite straight on the driver, as ``execute`` does: SQLAlchemy's ``begin_nested``
    costs a hundred times the two statements.
    """
    if not _direct(connection):
        with connection.begin_nested():
            yield
        return
    driver = connection.connection.driver_connection
    assert driver is not None
    driver.execute("SAVEPOINT block")
    try:
        yield
    except BaseException:
        driver.execute("ROLLBACK TO SAVEPOINT block")
        driver.execute("RELEASE SAVEPOINT block")
        raise
    driver.execute("RELEASE SAVEPOINT block")


@dataclass(frozen=True)
class _Compiled:
    sql: str
    names: tuple[str, ...]  # the bind parameters, in the order of the ``?``s
    defaults: dict[str, Any]  # values the statement binds itself (literals, limits)
    required: frozenset[str]  # the parameters a caller must give
    binds: dict[str, Callable[[Any], Any]]  # Python value → SQLite value, where it differs
    row: Any  # a namedtuple class with the result's column keys; None: no rows
    # SQLite value → Python value, by column position, for the columns that need one
    results: tuple[tuple[int, Callable[[Any], Any]], ...]

    def run(self, connection: Connection, params: Mapping[str, Any]) -> Rows:
        values = self.defaults | dict(params)
        if missing := self.required - values.keys():  # as SQLAlchemy refuses it
            raise exc.StatementError(
                f"A value is required for bind parameter {min(missing)!r}", self.sql, params, None
            )
        binds = self.binds
        args = tuple(
            binds[name](values[name]) if name in binds else values[name] for name in self.names
        )
        driver = connection.connection.driver_connection
        assert driver is not None
        dbapi = connection.dialect.dbapi
        assert dbapi is not None
        try:
            cursor = driver.execute(self.sql, args)
        except dbapi.Error as error:  # as SQLAlchemy would raise it: IntegrityError, …
            raise exc.DBAPIError.instance(self.sql, args, error, dbapi.Error) from error
        if self.row is None:
            return Rows([], cursor.rowcount)
        make, results, fetched = self.row._make, self.results, cursor.fetchall()
        if not results:
            return Rows(list(map(make, fetched)), cursor.rowcount)
        rows = []
        for raw in fetched:
            fields = list(raw)
            for position, convert in results:
                fields[position] = convert(fields[position])
            rows.append(make(fields))
        return Rows(rows, cursor.rowcount)


_SQLITE: dict[Any, _Compiled | None] = {}  # by statement (kept, so never reused)


def _compiled_for_sqlite(statement: Any, dialect: Any) -> _Compiled | None:
    """``statement`` compiled once for SQLite; None when SQLAlchemy must render it per call
    (an expanding ``IN``)."""
    if statement in _SQLITE:
        return _SQLITE[statement]
    compiled = statement.compile(dialect=dialect)
    if compiled.post_compile_params or compiled.literal_execute_params:
        made = None
    else:
        columns = compiled._result_columns
        required = frozenset(name for name, bind in compiled.binds.items() if bind.required)
        made = _Compiled(
            sql=compiled.string,
            names=tuple(compiled.positiontup or ()),
            defaults={
                name: value
                for name, value in compiled.construct_params(_check=False).items()
                if name not in required
            },
            required=required,
            binds=dict(compiled._bind_processors),
            row=namedtuple("row", [c.keyname for c in columns]) if columns else None,
            results=tuple(
                (position, convert)
                for position, column in enumerate(columns)
                if (convert := column.type._cached_result_processor(dialect, None)) is not None
            ),
        )
    _SQLITE[statement] = made
    return made


@cache
def _columns(model: type[Base]) -> tuple[tuple[str, str, Any], ...]:
    """``(column key, attribute name, column)`` of each mapped column of ``model``."""
    mapper = model.__mapper__
    return tuple((prop.columns[0].key, prop.key, prop.columns[0]) for prop in mapper.column_attrs)


def instance(model: type[M], row: Any) -> M:
    """A transient model instance from a row that selected its columns by attribute name."""
    return transient(model, **row._asdict())


def transient(model: type[M], /, **values: Any) -> M:
    """A new model instance holding ``values``, built as SQLAlchemy's loading builds one:
    straight into its ``__dict__``, without the attribute event that its constructor fires
    for each value (20 µs an object, against 3). A session inserts it whole all the same;
    a column left out is None, or its default once inserted (a flush, ``insert_instance``).
    Unlike the constructor, it takes any name: pass mapped attributes only.
    """
    made = manager_of_class(model).new_instance()
    made.__dict__.update(values)
    return made  # type: ignore[no-any-return]


def selected(model: type[Base], *, leave_out: Collection[str] = ()) -> list[Any]:
    """The model's columns, labelled with their attribute names (``metadata`` → ``meta``)."""
    return [column.label(attr) for _, attr, column in _columns(model) if attr not in leave_out]


@cache
def _insert_statement(model: type[Base]) -> Any:
    """An INSERT binding every column; built once per model."""
    table = model.__table__
    assert all(c.server_default is None for c in table.columns), "would bind NULL over it"
    return insert(table).values({c.key: bindparam(c.key, type_=c.type) for c in table.columns})


def insert_instance(connection: Connection, obj: Base) -> None:
    """Insert a new model instance the way a flush would, Python-side defaults included."""
    values: dict[str, Any] = {}
    for key, attr, column in _columns(type(obj)):
        if attr not in obj.__dict__ and column.default is not None:
            default = column.default
            setattr(obj, attr, default.arg(None) if default.is_callable else default.arg)
        values[key] = obj.__dict__.get(attr)
    execute(connection, _insert_statement(type(obj)), values)
