"""Engine creation and schema migrations."""

from __future__ import annotations

import fcntl
import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import ExceptionContext, make_url
from sqlalchemy.exc import OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.pool import ConnectionPoolEntry, QueuePool

from ..errors import Unavailable

MIGRATIONS = Path(__file__).parent / "migrations"
DATABASE_NAME = ".autoflow.sqlite"
# PostgreSQL advisory lock held while migrating ("AutoFlow" in ASCII).
MIGRATION_LOCK_KEY = 0x4175746F466C6F77
# How long an SQLite statement waits for another process's lock before giving up.
SQLITE_BUSY_SECONDS = 10
# Connections a server keeps open to a database server by default; as many again are
# opened under load. Queries run in the server's default thread pool (up to 32 threads),
# and most are short: a few connections serve them all.
DEFAULT_POOL_SIZE = 5
# How long a query waits for a free connection of the pool before it is refused (503).
POOL_TIMEOUT_SECONDS = 10
# SQLite errors that say the database cannot be used right now, rather than a bug.
SQLITE_UNAVAILABLE = re.compile(
    r"database is locked|database table is locked|unable to open database|disk I/O error"
    r"|database or disk is full|attempt to write a readonly database|database disk image",
    re.IGNORECASE,
)


def default_database_url(outputs: Path) -> str:
    """The SQLite file inside the outputs folder, so history and outputs live together."""
    return f"sqlite:///{(outputs / DATABASE_NAME).resolve()}"


def open_database(url: str, pool_size: int = DEFAULT_POOL_SIZE) -> Engine:
    """Create an engine for ``url`` and bring its schema up to date.

    SQLite files get their folder created and run in WAL mode, so readers (the
    runs list) never wait for the writer (a run changing state). A database server
    (PostgreSQL) is reached through a pool of ``pool_size`` connections, and as many
    again under load, each checked before use so a restarted server costs no request.
    """
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        engine = _sqlite_engine(url, parsed.database)
    else:
        engine = create_engine(
            url,
            poolclass=_Pool,
            pool_size=pool_size,
            max_overflow=pool_size,
            pool_timeout=POOL_TIMEOUT_SECONDS,
            pool_pre_ping=True,
        )
    event.listen(engine, "handle_error", _unavailable_as_domain_error)
    migrate(engine)
    if parsed.get_backend_name() == "sqlite" and _is_file(parsed.database):
        _guard_against_replacement(engine, Path(parsed.database or ""))
    return engine


def migrate(engine: Engine, revision: str = "head") -> None:
    """Upgrade the schema to ``revision``, one process at a time.

    Servers and commands starting together on a new database would otherwise
    all create its tables, and all but one fail.
    """
    config = migrations_config()
    with _migrating_alone(engine), engine.begin() as connection:
        if engine.dialect.name == "postgresql":  # released when the transaction ends
            connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({MIGRATION_LOCK_KEY})")
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


@contextmanager
def _migrating_alone(engine: Engine) -> Iterator[None]:
    """For an SQLite file, an exclusive lock on a file beside it while migrating.

    SQLite runs DDL outside the migration's transaction, so its own locks
    cannot keep two migrations apart.
    """
    database = engine.url.database if engine.dialect.name == "sqlite" else None
    if not _is_file(database):
        yield
        return
    with open(f"{database}.migrating", "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def migrations_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def _unavailable_as_domain_error(context: ExceptionContext) -> None:
    """A locked, unreachable or broken database becomes ``Unavailable`` (a 503), not a 500.

    A database server's operational errors (refused or lost connections, a server
    shutting down or starting up, too many clients) all pass; SQLite's operational
    errors include bugs ("no such table"), so only those its messages name count.
    """
    error = context.original_exception
    if (
        context.is_disconnect
        or SQLITE_UNAVAILABLE.search(str(error))
        or (
            context.dialect.name != "sqlite"
            and isinstance(context.sqlalchemy_exception, OperationalError)
        )
    ):
        raise Unavailable(
            f"The run database is unavailable ({error}); try again shortly."
        ) from context.sqlalchemy_exception


class _Pool(QueuePool):
    """A pool whose every connection is busy for too long answers ``Unavailable`` (503),
    and which closes connections given back after it was disposed.

    A server closing disposes its engine while threads may still be running queries
    (a cancelled task's thread runs on); the connections they give back afterwards
    would otherwise stay open, in a pool no one uses, until garbage collection.
    """

    _disposed = False

    def dispose(self) -> None:
        self._disposed = True
        super().dispose()

    def _do_return_conn(self, record: ConnectionPoolEntry) -> None:
        if self._disposed:
            record.close()
            return
        super()._do_return_conn(record)

    def _do_get(self) -> Any:
        try:
            return super()._do_get()
        except PoolTimeout as error:
            raise Unavailable(
                f"The run database is busy: all {self.size() + self._max_overflow} of this "
                f"server's connections to it stayed in use for {self._timeout:g} s; try "
                "again shortly, or raise AutoflowApp.database_pool_size."
            ) from error


def _is_file(database: str | None) -> bool:
    return bool(database) and database != ":memory:"


def _guard_against_replacement(engine: Engine, path: Path) -> None:
    """Refuse to go on with a database file that was deleted or replaced under us.

    SQLite would otherwise write to the deleted file through open connections and
    create a new empty one for new connections, losing the history silently.
    """
    identity = _identity(path)

    def check() -> None:
        if _identity(path) != identity:
            raise Unavailable(
                f"The run database {path} was deleted or replaced while in use; the run "
                "history and queue cannot be trusted. Restore the file, or restart the "
                "server to start a new history."
            )

    @event.listens_for(engine, "do_connect")
    def _before_connect(*_: Any) -> None:
        check()

    @event.listens_for(engine, "checkout")
    def _before_use(*_: Any) -> None:
        check()


def _identity(path: Path) -> tuple[int, int] | None:
    try:
        status = os.stat(path)
    except FileNotFoundError:
        return None
    return status.st_dev, status.st_ino


def _sqlite_engine(url: str, database: str | None) -> Engine:
    if database and database != ":memory:":
        Path(database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(
        url, connect_args={"check_same_thread": False, "timeout": SQLITE_BUSY_SECONDS}
    )

    @event.listens_for(engine, "connect")
    def _configure(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    return engine
