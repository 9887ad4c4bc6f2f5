"""A throwaway PostgreSQL cluster per test session, and a fresh database per test.

Debian's ``postgresql`` package provides the server (``make system-deps`` installs it);
its binaries live in /usr/lib/postgresql/<version>/bin. PostgreSQL refuses to run as
root, so when the tests run as root (CI) the cluster runs as the ``postgres`` user in a
folder it owns. Each pytest-xdist worker starts its own cluster on its own port. It
listens on 127.0.0.1 with trust authentication, so server processes that tests start
connect by URL.
"""

from __future__ import annotations

import itertools
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg
import pytest
from sqlalchemy import Executable, Row, create_engine
from sqlalchemy.pool import NullPool

SUPERUSER = "postgres"
# Durability is not what tests check; these make a cluster start and write quickly.
FAST = ("-c fsync=off", "-c synchronous_commit=off", "-c full_page_writes=off")
DATABASES = ("sqlite", "postgresql")
# Where a server keeps its runs by default, relative to its root.
SQLITE_FILE = Path("autoflow-runs") / ".autoflow.sqlite"


def binaries() -> Path:
    """The newest installed PostgreSQL's bin folder."""
    found = sorted(
        Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"),
        key=lambda path: int(path.parent.parent.name) if path.parent.parent.name.isdigit() else 0,
    )
    if not found:
        pytest.fail(
            "PostgreSQL is not installed (no /usr/lib/postgresql/*/bin/pg_ctl): run "
            "`make system-deps`, or `apt-get install postgresql`."
        )
    return found[-1].parent


@dataclass
class Cluster:
    """A PostgreSQL server on 127.0.0.1 over its own data folder; ``start`` and ``stop``
    may be called again, as a database server going away and coming back would."""

    folder: Path
    port: int
    bin: Path
    _names = itertools.count(1)

    @classmethod
    def create(cls) -> Cluster:
        folder = Path(tempfile.mkdtemp(prefix="autoflow-pg-"))
        cluster = cls(folder, _free_port(), binaries())
        try:
            if os.geteuid() == 0:
                account = pwd.getpwnam(SUPERUSER)
                os.chown(folder, account.pw_uid, account.pw_gid)
            cluster._run(
                "initdb", "--pgdata", str(folder / "data"), "--username", SUPERUSER,
                "--auth", "trust", "--encoding", "UTF8", "--no-sync",
            )  # fmt: skip
        except BaseException:
            shutil.rmtree(folder, ignore_errors=True)
            raise
        return cluster

    def start(self) -> None:
        options = " ".join(
            (f"-c listen_addresses=127.0.0.1 -p {self.port}",
             f"-c unix_socket_directories={self.folder}", *FAST)
        )  # fmt: skip
        self._run(
            "pg_ctl", "start", "--wait", "--pgdata", str(self.folder / "data"),
            "--log", str(self.folder / "server.log"), "--options", options,
        )  # fmt: skip

    def stop(self, mode: str = "fast") -> None:
        """Stop, ending every connection, as an administrator's restart would."""
        data = str(self.folder / "data")
        if self._run("pg_ctl", "status", "--pgdata", data, check=False).returncode == 0:
            self._run("pg_ctl", "stop", "--wait", "--mode", mode, "--pgdata", data)

    def remove(self) -> None:
        try:
            self.stop("immediate")
        finally:
            shutil.rmtree(self.folder, ignore_errors=True)

    def url(self, database: str = SUPERUSER) -> str:
        return f"postgresql+psycopg://{SUPERUSER}@127.0.0.1:{self.port}/{database}"

    def create_database(self) -> str:
        """A new empty database; returns its name."""
        name = f"autoflow_test_{next(self._names)}"
        with self._admin() as connection:
            connection.execute(f'CREATE DATABASE "{name}"')
        return name

    def drop_database(self, name: str) -> None:
        """Drop ``name`` even while servers a test left behind are still connected."""
        with self._admin() as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def sessions(self, database: str) -> int:
        """How many connections to ``database`` the server has open."""
        with self._admin() as connection:
            found = connection.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = %s", (database,)
            ).fetchone()
        assert found is not None
        return int(str(found[0]))

    def log(self) -> str:
        path = self.folder / "server.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def _admin(self) -> psycopg.Connection[tuple[object, ...]]:
        return psycopg.connect(
            host="127.0.0.1", port=self.port, user=SUPERUSER, dbname=SUPERUSER, autocommit=True
        )

    def _run(
        self, program: str, *args: str, check: bool = True
    ) -> subprocess.CompletedProcess[str]:
        command = [str(self.bin / program), *args]
        if os.geteuid() == 0:
            command = ["runuser", "-u", SUPERUSER, "--", *command]
        done = subprocess.run(command, capture_output=True, text=True, cwd=self.folder)
        if check and done.returncode != 0:
            raise RuntimeError(
                f"{program} failed ({done.returncode}):\n{done.stdout}{done.stderr}\n{self.log()}"
            )
        return done


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def started_cluster() -> Iterator[Cluster]:
    """A new running cluster, stopped and removed afterwards even when a test failed."""
    cluster = Cluster.create()
    try:
        cluster.start()
        yield cluster
    finally:
        cluster.remove()


@pytest.fixture(scope="session")
def postgresql_cluster() -> Iterator[Cluster]:
    """This test session's (this xdist worker's) cluster, started on first use."""
    yield from started_cluster()


@pytest.fixture
def postgresql_url(postgresql_cluster: Cluster) -> Iterator[str]:
    """The URL of a new empty database in the session's cluster, dropped after the test."""
    name = postgresql_cluster.create_database()
    yield postgresql_cluster.url(name)
    postgresql_cluster.drop_database(name)


@pytest.fixture(params=DATABASES)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A URL of an empty run database: an SQLite file, then a PostgreSQL database."""
    if request.param == "postgresql":
        return str(request.getfixturevalue("postgresql_url"))
    return f"sqlite:///{tmp_path / 'runs.sqlite'}"


@dataclass
class ServerDatabase:
    """The run database of servers a test starts over ``tmp_path / "root"``."""

    url: str
    # AutoflowApp settings that choose it: none for the default SQLite file.
    settings: dict[str, str]

    def rows(self, query: Executable) -> list[Row[Any]]:
        """The rows of ``query``, read through SQLAlchemy as the servers store them
        (times as aware UTC datetimes, whichever the database)."""
        engine = create_engine(self.url, poolclass=NullPool)
        try:
            with engine.connect() as connection:
                return list(connection.execute(query))
        finally:
            engine.dispose()


@pytest.fixture
def server_database(request: pytest.FixtureRequest, tmp_path: Path) -> ServerDatabase:
    """The default SQLite file, or with ``on_both_databases`` a PostgreSQL database too."""
    if getattr(request, "param", "sqlite") == "postgresql":
        url = str(request.getfixturevalue("postgresql_url"))
        return ServerDatabase(url, {"database_url": url})
    return ServerDatabase(f"sqlite:///{tmp_path / 'root' / SQLITE_FILE}", {})


# Runs a test on servers sharing an SQLite file, then on servers sharing PostgreSQL.
on_both_databases = pytest.mark.parametrize("server_database", DATABASES, indirect=True)
