"""Real Jupyter servers started as separate processes, as a user would start them."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

TOKEN = "autoflow-test-token"


@dataclass
class JupyterProcess:
    process: subprocess.Popen[bytes]
    url: str
    log: Path

    def api(self, method: str, path: str, body: Any = None) -> Any:
        """Call the AutoFlow REST API with the test token; the decoded body (None if empty)."""
        request = urllib.request.Request(
            f"{self.url}/autoflow/api/{path}",
            method=method,
            data=None if body is None else json.dumps(body).encode(),
            headers={"Authorization": f"token {TOKEN}"},
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            text = response.read()
        return json.loads(text) if text else None

    def delete_schedules(self) -> None:
        """Delete every schedule, so none fires into the next test's history."""
        for schedule in self.api("GET", "schedules")["schedules"]:
            self.api("DELETE", f"schedules/{schedule['id']}")

    def kill(self) -> None:
        """SIGKILL the server and everything it started, as a crash would."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.kill()


def start_server(started: list[JupyterProcess], root: Path, *args: str) -> JupyterProcess:
    """``jupyter server`` over ``root``, its config in root's parent, added to ``started``
    (the ``servers`` fixture's list, which stops them all after the test)."""
    server = start_jupyter("server", root, root.parent, *args)
    started.append(server)
    return server


def start_jupyter(app: str, root: Path, home: Path, *args: str) -> JupyterProcess:
    """Start ``jupyter <app>`` over ``root`` with the extension as pip installed it.

    Jupyter's config and runtime folders live in ``home``, so nothing of the
    machine's own configuration leaks in. The server leads its own process group.
    """
    port = _free_port()
    env = {
        **os.environ,
        "JUPYTER_CONFIG_DIR": str(home / "config"),
        "JUPYTER_RUNTIME_DIR": str(home / "runtime"),
        "JUPYTERLAB_SETTINGS_DIR": str(home / "settings"),
        "JUPYTERLAB_WORKSPACES_DIR": str(home / "workspaces"),
    }
    log = home / f"jupyter-{app}-{port}.log"
    with log.open("wb") as output:
        process = subprocess.Popen(
            [
                sys.executable, "-m", "jupyter", app, "--no-browser",
                f"--ServerApp.port={port}", "--ServerApp.port_retries=0",
                f"--IdentityProvider.token={TOKEN}", f"--ServerApp.root_dir={root}",
                "--ServerApp.allow_root=True",  # CI machines run tests as root
                *args,
            ],
            env=env, stdout=output, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
    server = JupyterProcess(process, f"http://127.0.0.1:{port}", log)
    try:
        _wait_until_up(server)
    except BaseException:
        server.stop()
        raise
    return server


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_until_up(server: JupyterProcess) -> None:
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"Jupyter exited early:\n{server.log.read_text()}")
        try:
            server.api("GET", "version")
            return
        except OSError:
            time.sleep(0.25)
    raise RuntimeError(f"Jupyter did not answer in 90 s:\n{server.log.read_text()}")
