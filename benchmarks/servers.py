"""Real Jupyter servers as subprocesses, and what /proc says about them.

Self-contained like ``tests/servers.py``, but a server here is up once Jupyter
itself answers, so servers with the extension disabled can be measured too.
"""

from __future__ import annotations

import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any

TOKEN = "autoflow-benchmark-token"
API = "/autoflow/api/"


# --- processes, read from /proc -------------------------------------------------------------


def proc_status(pid: int) -> dict[str, str]:
    with open(f"/proc/{pid}/status") as status:
        return dict(line.rstrip("\n").split(":\t", 1) for line in status if ":\t" in line)


def memory_mib(pid: int, field_name: str) -> float:
    """``VmRSS``, ``VmHWM``... of ``pid`` in MiB."""
    return int(proc_status(pid)[field_name].split()[0]) / 1024


def maps_file(pid: int, fragment: str) -> bool:
    """Whether ``pid`` has a file whose path holds ``fragment`` mapped, such as an
    extension module: tells which heavy packages a Python process has imported."""
    with open(f"/proc/{pid}/maps") as maps:
        return any(fragment in line for line in maps)


def _stat_fields(pid: int) -> list[str]:
    """Fields of /proc/<pid>/stat after the command name (which may hold spaces)."""
    with open(f"/proc/{pid}/stat") as stat:
        return stat.read().rsplit(")", 1)[1].split()


def start_time(pid: int) -> str | None:
    """Ticks since boot when ``pid`` started: tells a process from a later one reusing its id."""
    try:
        return _stat_fields(pid)[19]
    except (OSError, IndexError):
        return None


def descendants(pid: int) -> list[int]:
    """Every live process below ``pid``, parents before their children."""
    parents: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                parents.setdefault(int(_stat_fields(int(entry))[1]), []).append(int(entry))
            except (OSError, IndexError):
                continue  # exited while we looked
    found: list[int] = []
    pending = [pid]
    while pending:
        children = sorted(parents.get(pending.pop(0), []))
        found.extend(children)
        pending.extend(children)
    return found


def command_line(pid: int, width: int = 70) -> str:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as cmdline:
            text = cmdline.read().replace(b"\0", b" ").decode(errors="replace").strip()
    except OSError:
        return "?"
    return text if len(text) <= width else text[: width - 3] + "..."


# --- real Jupyter servers ----------------------------------------------------------------------


class ApiError(RuntimeError):
    pass


class Client:
    """Token-authenticated HTTP to one server over a keep-alive connection."""

    def __init__(self, port: int) -> None:
        self._port = port
        self._connection: http.client.HTTPConnection | None = None

    def request(self, method: str, path: str, body: Any = None) -> tuple[int, bytes]:
        headers = {"Authorization": f"token {TOKEN}"}
        data = None if body is None else json.dumps(body).encode()
        if data is not None:
            headers["Content-Type"] = "application/json"
        # Only GETs are retried (on a dropped keep-alive connection): a POST might run twice.
        for attempt in range(2 if method == "GET" else 1):
            if self._connection is None:
                self._connection = http.client.HTTPConnection("127.0.0.1", self._port, timeout=30)
            try:
                self._connection.request(method, path, body=data, headers=headers)
                response = self._connection.getresponse()
                return response.status, response.read()
            except (OSError, http.client.HTTPException):
                self.close()
                if attempt or method != "GET":
                    raise
        raise AssertionError("unreachable")

    def api(self, method: str, route: str, body: Any = None) -> Any:
        """Call ``{API}{route}``; the decoded body, or ApiError on any non-2xx answer."""
        status, data = self.request(method, API + route, body)
        if not 200 <= status < 300:
            raise ApiError(f"{method} {route}: {status} {data[:300].decode(errors='replace')}")
        return json.loads(data) if data else None

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None


@dataclass
class Server:
    name: str
    process: subprocess.Popen[bytes]
    client: Client
    log: Path

    @property
    def pid(self) -> int:
        return self.process.pid

    def log_text(self) -> str:
        return self.log.read_bytes().decode(errors="replace")

    def stop(self) -> None:
        """SIGTERM the server's process group, then SIGKILL whatever of it remains.

        Kernels lead process groups of their own, so the server's descendants
        are noted first and each is ended by its id if it outlives the server.
        """
        self.client.close()
        left = [(pid, start_time(pid)) for pid in descendants(self.pid)]
        if self.process.poll() is None:
            _signal_group(self.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                _signal_group(self.pid, signal.SIGKILL)
                self.process.wait(timeout=10)
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            left = [(pid, began) for pid, began in left if began and start_time(pid) == began]
            if not left:
                return
            time.sleep(0.1)
        for pid, _ in left:
            with suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)


def _signal_group(pid: int, signum: int) -> None:
    with suppress(ProcessLookupError):
        os.killpg(pid, signum)


def isolated_environment(home: Path) -> dict[str, str]:
    """The environment with Jupyter's and IPython's folders in ``home``.

    Nothing of the machine's own Jupyter configuration, kernels or IPython
    profile takes part; the venv's own (which enables the extension) does.
    """
    folders = {
        "JUPYTER_CONFIG_DIR": "config",
        "JUPYTER_DATA_DIR": "data",
        "JUPYTER_RUNTIME_DIR": "runtime",
        "JUPYTERLAB_SETTINGS_DIR": "settings",
        "JUPYTERLAB_WORKSPACES_DIR": "workspaces",
        "IPYTHONDIR": "ipython",
    }
    for folder in folders.values():
        (home / folder).mkdir(parents=True, exist_ok=True)
    return {**os.environ, **{name: str(home / folder) for name, folder in folders.items()}}


@contextmanager
def jupyter_server(
    name: str, root: Path, home: Path, *args: str, extension: bool = True
) -> Iterator[Server]:
    """A ``jupyter server`` over ``root``, leading its own process group, stopped on exit.

    ``extension=False`` disables AutoFlow Lab through the isolated user config,
    which overrides the venv's enabling file.
    """
    env = isolated_environment(home)
    if not extension:
        disabled = {"ServerApp": {"jpserver_extensions": {"autoflow_lab": False}}}
        (home / "config" / "jupyter_server_config.json").write_text(json.dumps(disabled))
    port = _free_port()
    log = home / f"{name}.log"
    with log.open("wb") as output:
        process = subprocess.Popen(
            [
                sys.executable, "-m", "jupyter", "server", "--no-browser",
                f"--ServerApp.port={port}", "--ServerApp.port_retries=0",
                f"--IdentityProvider.token={TOKEN}", f"--ServerApp.root_dir={root}",
                "--ServerApp.allow_root=True",
                *args,
            ],
            env=env, stdout=output, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
    server = Server(name, process, Client(port), log)
    try:
        _wait_until_up(server)
        yield server
    except Exception:
        tail = "\n".join(server.log_text().splitlines()[-40:])
        print(f"--- the last lines of the {name} server's log ---\n{tail}", file=sys.stderr)
        raise
    finally:
        server.stop()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_until_up(server: Server) -> None:
    """Wait for Jupyter's own status route, which answers with or without the extension."""
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"{server.name}: jupyter server exited early:\n{server.log_text()}")
        try:
            if server.client.request("GET", "/api/status")[0] == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"{server.name}: jupyter server did not answer in 90 s")
