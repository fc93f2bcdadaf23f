"""The SQLAlchemy internals that ``store/execution.py`` relies on are there and behave as
it relies on.

``pyproject.toml`` pins SQLAlchemy to the minor version these were read from. A failure
here means a new SQLAlchemy changed one of them: the message names it and what
``execution.py`` does with it. Adapt ``execution.py`` (or keep SQLAlchemy within the pin)
before moving the pin; never loosen an assertion here to make it pass.
"""

from __future__ import annotations

import inspect
import sqlite3
import tomllib
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy
from packaging.requirements import Requirement
from packaging.version import Version
from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Connection,
    DateTime,
    Integer,
    MetaData,
    String,
    Table,
    bindparam,
    create_engine,
    event,
    exc,
    insert,
    select,
    update,
)
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import manager_of_class

from chatroutes.server.store import execution
from chatroutes.server.store.tables import Base, Conversation, User

PYPROJECT = Path(__file__).resolve().parents[2] / "pyproject.toml"
WHEN = datetime(2026, 1, 2, 3, 4, 5, 6)
STORED_WHEN = "2026-01-02 03:04:05.000006"  # how SQLite holds WHEN

_metadata = MetaData()
_things = Table(
    "things",
    _metadata,
    Column("id", String, primary_key=True),
    Column("at", DateTime),
    Column("flag", Boolean),
    Column("doc", JSON),
    Column("n", Integer),
)


def changed(internal: str, used_for: str) -> str:
    """The failure message: which internal, what it is for, what to do."""
    return (
        f"SQLAlchemy {sqlalchemy.__version__} changed `{internal}`, which "
        f"store/execution.py relies on to {used_for}. Adapt execution.py to the new "
        "SQLAlchemy (or keep SQLAlchemy within the pin in pyproject.toml) before moving the "
        "pin; see execution.py's docstring."
    )


@pytest.fixture
def connection() -> Iterator[Connection]:
    """A plain pysqlite connection with the test table and the app's tables."""
    engine = create_engine("sqlite://")
    _metadata.create_all(engine)
    Base.metadata.create_all(engine)
    with engine.connect() as connected:
        yield connected
    engine.dispose()


def compiled(statement: Any) -> Any:
    return statement.compile(dialect=create_engine("sqlite://").dialect)


def test_the_installed_sqlalchemy_is_the_pinned_minor_version() -> None:
    dependencies = tomllib.loads(PYPROJECT.read_text())["project"]["optional-dependencies"]
    [pin] = [r for r in map(Requirement, dependencies["server"]) if r.name == "sqlalchemy"]
    installed = Version(sqlalchemy.__version__)
    assert any(spec.operator == "<" for spec in pin.specifier), (
        f"pyproject.toml must pin SQLAlchemy below its next minor version, not {pin}: "
        "store/execution.py relies on its internals (see its docstring)"
    )
    assert installed in pin.specifier, (
        f"SQLAlchemy {installed} is installed but pyproject.toml pins {pin.specifier}: "
        "reinstall (make install), or run this file on the new version before moving the pin"
    )


def test_a_compiled_statement_gives_its_sql_and_its_parameters_in_order() -> None:
    statement = (
        select(_things.c.id)
        .where(_things.c.id == bindparam("a"), _things.c.n == bindparam("b"))
        .where(_things.c.id != bindparam("a"), _things.c.n > 3)
        .limit(2)
    )
    made = compiled(statement)
    assert isinstance(made.string, str) and made.string.startswith("SELECT"), changed(
        "SQLCompiler.string", "send the SQL straight to sqlite3"
    )
    assert list(made.positiontup) == ["a", "b", "a", "n_1", "param_1", "param_2"], changed(
        "SQLCompiler.positiontup", "order the bound values as the `?`s of the SQL"
    )
    assert made.string.count("?") == len(made.positiontup), changed(
        "SQLCompiler.positiontup", "give one name per `?` of the SQL"
    )
    assert "_check" in inspect.signature(made.construct_params).parameters, changed(
        "SQLCompiler.construct_params(_check=...)", "read the values a statement binds itself"
    )
    own = made.construct_params(_check=False)
    assert own == {"a": None, "b": None, "n_1": 3, "param_1": 2, "param_2": 0}, changed(
        "SQLCompiler.construct_params(_check=False)",
        "read the values a statement binds itself (literals, LIMIT), the caller's left None",
    )
    required = {name for name, bind in made.binds.items() if bind.required}
    assert required == {"a", "b"}, changed(
        "SQLCompiler.binds[name].required", "tell the parameters a caller must give"
    )


def test_bind_processors_turn_python_values_into_what_sqlite_stores() -> None:
    statement = update(_things).where(_things.c.id == bindparam("key"))
    made = compiled(statement.values(at=bindparam("at"), doc=bindparam("doc")))
    processors = made._bind_processors
    assert isinstance(processors, dict), changed(
        "SQLCompiler._bind_processors", "convert each bound value as SQLAlchemy would"
    )
    assert set(processors) == {"at", "doc"}, changed(
        "SQLCompiler._bind_processors",
        "convert the bound values that need it (DateTime, JSON) and pass strings as they are",
    )
    assert processors["at"](WHEN) == STORED_WHEN, changed(
        "SQLCompiler._bind_processors['<datetime>']", "store a datetime as SQLAlchemy does"
    )
    assert processors["doc"]({"a": [1]}) == '{"a": [1]}', changed(
        "SQLCompiler._bind_processors['<json>']", "store JSON as SQLAlchemy does"
    )


def test_result_columns_name_each_selected_column_with_its_type() -> None:
    made = compiled(select(_things.c.id, _things.c.at.label("when"), _things.c.flag))
    columns = made._result_columns
    assert [(c.keyname, type(c.type)) for c in columns] == [
        ("id", String),
        ("when", DateTime),
        ("flag", Boolean),
    ], changed("SQLCompiler._result_columns (.keyname, .type)", "name and convert result rows")
    for no_rows in (insert(_things), update(_things).values(n=1)):
        assert not compiled(no_rows)._result_columns, changed(
            "SQLCompiler._result_columns", "tell a statement that returns no rows (empty)"
        )


def test_result_processors_turn_what_sqlite_stores_into_python_values() -> None:
    dialect = create_engine("sqlite://").dialect

    def processor(type_: Any) -> Any:
        return type_._cached_result_processor(dialect, None)

    assert processor(DateTime())(STORED_WHEN) == WHEN, changed(
        "TypeEngine._cached_result_processor(dialect, coltype)", "read a datetime back"
    )
    assert processor(Boolean())(1) is True, changed(
        "TypeEngine._cached_result_processor(dialect, coltype)", "read a boolean back"
    )
    assert processor(JSON())('{"a": [1]}') == {"a": [1]}, changed(
        "TypeEngine._cached_result_processor(dialect, coltype)", "read JSON back"
    )
    assert processor(String()) is None and processor(Integer()) is None, changed(
        "TypeEngine._cached_result_processor(dialect, coltype)",
        "leave strings and integers as sqlite3 gives them (None: no conversion)",
    )


def test_expanding_and_literal_binds_are_flagged_for_rendering_per_call() -> None:
    expanding = compiled(
        select(_things.c.id).where(_things.c.id.in_(bindparam("ids", expanding=True)))
    )
    literal = compiled(
        select(_things.c.id).where(_things.c.n == bindparam("n", literal_execute=True))
    )
    plain = compiled(select(_things.c.id).where(_things.c.id == bindparam("id")))
    assert expanding.post_compile_params and not plain.post_compile_params, changed(
        "SQLCompiler.post_compile_params", "leave statements with an expanding IN to SQLAlchemy"
    )
    assert literal.literal_execute_params and not plain.literal_execute_params, changed(
        "SQLCompiler.literal_execute_params",
        "leave statements with literal_execute binds to SQLAlchemy",
    )


def test_an_engine_listener_shows_on_its_connections_dispatch() -> None:
    quiet, traced = create_engine("sqlite://"), create_engine("sqlite://")
    event.listen(traced, "before_cursor_execute", lambda *args: None)
    with quiet.connect() as plain, traced.connect() as listened:
        assert not plain.dispatch.before_cursor_execute, changed(
            "Connection.dispatch.before_cursor_execute", "see that nobody listens (falsy)"
        )
        assert listened.dispatch.before_cursor_execute, changed(
            "Connection.dispatch.before_cursor_execute",
            "see a listener (tracing) and let SQLAlchemy run the statement (truthy)",
        )
        assert execution._direct(plain) and not execution._direct(listened)


def test_the_driver_connection_and_its_errors_are_sqlite3s(connection: Connection) -> None:
    assert connection.dialect.driver == "pysqlite"
    driver = connection.connection.driver_connection
    assert isinstance(driver, sqlite3.Connection), changed(
        "PoolProxiedConnection.driver_connection", "run SQL on sqlite3 itself"
    )
    assert connection.dialect.dbapi.Error is sqlite3.Error, changed(
        "Dialect.dbapi", "catch the driver's errors"
    )
    error = sqlite3.IntegrityError("UNIQUE constraint failed: things.id")
    raised = exc.DBAPIError.instance("SQL", ("a",), error, sqlite3.Error)
    assert isinstance(raised, exc.IntegrityError) and raised.orig is error, changed(
        "exc.DBAPIError.instance(statement, params, orig, dbapi_base_err)",
        "raise a driver error as the SQLAlchemy error callers catch (IntegrityError, …)",
    )
    assert (raised.statement, raised.params) == ("SQL", ("a",))


def test_the_fast_path_answers_as_sqlalchemy_does(connection: Connection) -> None:
    """End to end: every conversion above in one statement, both ways."""
    add = insert(_things).values(
        id=bindparam("id"), at=bindparam("at"), flag=bindparam("flag"), doc=bindparam("doc")
    )
    execution.execute(connection, add, {"id": "a", "at": WHEN, "flag": True, "doc": {"k": 1}})
    execution.execute(connection, add, {"id": "b", "at": None, "flag": False, "doc": None})
    read = select(
        _things.c.id, _things.c.at.label("when"), _things.c.flag, _things.c.doc, _things.c.n
    ).order_by(_things.c.id)
    assert execution._compiled_for_sqlite(read, connection.dialect) is not None
    fast = execution.execute(connection, read, {}).all()
    usual = connection.execute(read).all()
    assert [r._asdict() for r in fast] == [r._asdict() for r in usual], changed(
        "the compiled statement's conversions", "answer exactly as connection.execute does"
    )
    assert [[type(v) for v in r] for r in fast] == [[type(v) for v in r] for r in usual]
    with pytest.raises(exc.IntegrityError):
        execution.execute(connection, add, {"id": "a", "at": None, "flag": None, "doc": None})


def test_model_instances_are_made_without_their_constructor(connection: Connection) -> None:
    made = manager_of_class(User).new_instance()
    assert isinstance(made, User) and sqlalchemy.inspect(made).transient, changed(
        "orm.attributes.manager_of_class(model).new_instance()",
        "make a transient model instance without its constructor",
    )
    user = execution.transient(User, id="u1", email="a@example.com", created_at=WHEN)
    with Session(connection) as session:
        session.add(user)
        session.flush()
        session.expunge_all()
        stored = session.get(User, "u1")
        assert stored is not None and (stored.email, stored.created_at) == (
            "a@example.com",
            WHEN,
        ), changed(
            "InstanceState over a __dict__ filled directly",
            "have a session insert an instance whose values were put in its __dict__",
        )


def test_column_defaults_are_applied_as_a_flush_would(connection: Connection) -> None:
    made_by = Column("x", String, default=lambda: "made")
    assert made_by.default.is_callable and made_by.default.arg(None) == "made", changed(
        "ColumnDefault.is_callable / .arg(context)", "call a Python-side default"
    )
    fixed = Column("y", Integer, default=5)
    assert not fixed.default.is_callable and fixed.default.arg == 5, changed(
        "ColumnDefault.is_callable / .arg", "use a scalar Python-side default"
    )
    conversation = execution.transient(
        Conversation, id="c1", user_id="u1", title="t", model="m", created_at=WHEN, updated_at=WHEN
    )
    execution.insert_instance(connection, conversation)
    with Session(connection) as session:
        stored = session.get(Conversation, "c1")
        assert stored is not None
        assert (stored.temperature, stored.max_tokens, stored.archived) == (0.7, 2048, False)
        assert stored.message_deletions == 0
