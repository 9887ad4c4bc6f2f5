"""Executes one run with papermill. Runs inside a worker process, never in the server."""

from __future__ import annotations

import codecs
import json
import math
import os
import re
import shutil
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, Protocol, TextIO

import nbformat
import papermill
from jupyter_client.manager import AsyncKernelManager
from papermill.clientwrap import PapermillNotebookClient
from papermill.engines import NBClientEngine, papermill_engines
from papermill.exceptions import PapermillExecutionError
from papermill.iorw import papermill_io
from papermill.log import logger as papermill_logger
from papermill.utils import remove_args
from traitlets import default

from ..models import RunError, RunProgress
from . import executed_notebook
from .base import RunOutcome, RunSpec, StopReason, redact_outcome, stopped, timestamp
from .environment import kernel_environment
from .process_groups import kill_process_group
from .redaction import (
    RedactingWriter,
    redact_file,
    redact_notebook_node,
    write_atomically,
)

if TYPE_CHECKING:
    from .spare_kernels import SpareKernel

ENGINE_NAME = "autoflow"
# Papermill writes the executed notebook through this scheme, so every save it
# makes (after each cell, on error, at the end) is redacted before it reaches disk.
REDACTING_SCHEME = "autoflow-redacted://"


class Writable(Protocol):
    """A text sink: a run's log, or a spare kernel's held output."""

    def write(self, text: str, /) -> int: ...

    def flush(self) -> None: ...


# Where kernels' socket folders go: the executor's own temporary folder, which it
# removes when it shuts down (its workers, killed then, cannot clean up after
# their kernels); None: the system's temporary folder.
SOCKETS_FOLDER: str | None = None


class LocalSocketKernelManager(AsyncKernelManager):
    """A kernel manager whose kernel listens on Unix sockets in a folder of its own.

    Over TCP, kernels starting at once (a worker's run and its spare, other
    workers) can pick the same free port, and the later one dies on start-up
    ("Address already in use"). The folder's path is short: a socket path may
    hold no more than about 100 bytes.
    """

    _socket_folder: str | None = None

    @default("transport")
    def _default_transport(self) -> str:
        return "ipc"

    @default("ip")
    def _default_ip(self) -> str:
        self._socket_folder = tempfile.mkdtemp(prefix="k-", dir=SOCKETS_FOLDER)
        return os.path.join(self._socket_folder, "kernel")

    async def _async_cleanup_resources(self, restart: bool = False) -> None:
        await super()._async_cleanup_resources(restart)
        if not restart and self._socket_folder is not None:
            shutil.rmtree(self._socket_folder, ignore_errors=True)

    cleanup_resources = _async_cleanup_resources


class RunControl:
    """A run's line to its executor while it executes: progress out, stop requests in.

    ``stop`` may be called from any thread; everything else runs on the thread
    executing the run.
    """

    def __init__(
        self,
        on_progress: Callable[[RunProgress], None] = lambda progress: None,
        on_kernel: Callable[[int], None] = lambda process_group: None,
    ) -> None:
        self._on_progress = on_progress
        self._on_kernel = on_kernel
        self._lock = threading.Lock()
        self._copiers: list[threading.Thread] = []
        self._kernel_group: int | None = None
        self._stop_reason: StopReason | None = None
        self._progress = RunProgress(cells_done=0, cells_total=0, current_cell=None)

    @property
    def stop_reason(self) -> StopReason | None:
        return self._stop_reason

    @property
    def kernel_group(self) -> int | None:
        with self._lock:
            return self._kernel_group

    def adopt(self, spare: SpareKernel, output: Writable) -> None:
        """Take a kernel started ahead (``spare_kernels``) as this run's own: its output
        goes to ``output`` from now on, and a stop kills it."""
        spare.output.attach(output)
        self._copiers.extend(spare.control._copiers)
        group = spare.process_group
        if group is not None:
            self._kernel_started(group)

    def stop(self, reason: StopReason) -> None:
        """Kill the run's kernel (now, or as soon as it has started)."""
        with self._lock:
            self._stop_reason = self._stop_reason or reason
            group = self._kernel_group
        if group is not None:
            kill_process_group(group)

    def kernel_manager_class(
        self, output: Writable | None, launch: dict[str, Any] | None = None
    ) -> type[AsyncKernelManager]:
        """A kernel manager that tells this control the kernel's process group, and starts
        its kernel with ``launch``'s ``env`` and ``cwd`` when given. The process's own
        environment and working directory are left alone: several runs may start kernels
        in one process at once (a Dask worker with several slots).

        The kernel process's own stdout and stderr (start-up warnings, crash
        messages) go through a pipe to ``output``, the run's redacting log, rather
        than to the worker's terminal or straight into the log file.
        """
        control = self

        class RunKernelManager(LocalSocketKernelManager):
            async def start_kernel(self, **kwargs: Any) -> None:  # type: ignore[override]
                kwargs.update(launch or {})
                if output is not None:
                    reading, writing = os.pipe()
                    kwargs["stdout"] = kwargs["stderr"] = writing
                    try:
                        await super().start_kernel(**kwargs)
                    finally:
                        os.close(writing)  # the kernel holds its own copy
                    control._copy_output(reading, output)
                else:
                    await super().start_kernel(**kwargs)
                provisioner = self.provisioner
                group = getattr(provisioner, "pgid", None) or getattr(provisioner, "pid", None)
                if group is not None:
                    control._kernel_started(group)

        return RunKernelManager

    def _copy_output(self, reading: int, output: Writable) -> None:
        thread = threading.Thread(
            target=_copy_pipe, args=(reading, output), name="autoflow-kernel-output", daemon=True
        )
        thread.start()
        self._copiers.append(thread)

    def join_output(self, timeout: float = 5.0) -> None:
        """Wait for the kernel's last output to reach the log (it has exited by now)."""
        for thread in self._copiers:
            thread.join(timeout)

    def _kernel_started(self, group: int) -> None:
        with self._lock:
            self._kernel_group = group
            stopping = self._stop_reason is not None
        self._on_kernel(group)
        if stopping:
            kill_process_group(group)

    # nbclient hooks, called as papermill executes the parametrised notebook.

    def begin(self, notebook: Any) -> None:
        total = sum(1 for cell in notebook.cells if _executes(cell))
        self._report(cells_total=total)

    def cell_started(self, cell: Any, cell_index: int, **_: Any) -> None:
        if _executes(cell):
            self._report(current_cell=cell_index)

    def cell_executed(self, cell: Any, cell_index: int, **_: Any) -> None:
        self._report(cells_done=self._progress.cells_done + 1, current_cell=None)

    def _report(self, **changes: Any) -> None:
        self._progress = self._progress.model_copy(update=changes)
        self._on_progress(self._progress)


def _copy_pipe(reading: int, output: Writable) -> None:
    decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
    try:
        while chunk := os.read(reading, 65536):
            output.write(decoder.decode(chunk))
        output.write(decoder.decode(b"", final=True))
    except (OSError, ValueError):  # the log was closed: the run is over
        pass
    finally:
        os.close(reading)


def _executes(cell: Any) -> bool:
    return bool(cell.cell_type == "code" and cell.source.strip())


class ControlledEngine(NBClientEngine):
    """Papermill's nbclient engine, reporting to a ``RunControl`` passed as ``control``,
    and executing in ``spare``'s kernel when given one."""

    @classmethod
    def execute_managed_notebook(
        cls,
        nb_man: Any,
        kernel_name: str,
        control: RunControl,
        spare: SpareKernel | None = None,
        launch: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> Any:
        control.begin(nb_man.nb)
        hooks: dict[str, Any] = {
            "on_cell_start": control.cell_started,
            "on_cell_executed": control.cell_executed,
        }
        if spare is None:
            return super().execute_managed_notebook(
                nb_man,
                kernel_name,
                kernel_manager_class=control.kernel_manager_class(
                    kwargs.get("stderr_file"), launch
                ),
                **hooks,
                **kwargs,
            )
        return _execute_in(spare, nb_man, kernel_name, **hooks, **kwargs)


def _execute_in(
    spare: SpareKernel,
    nb_man: Any,
    kernel_name: str,
    log_output: bool = False,
    stdout_file: Any = None,
    stderr_file: Any = None,
    start_timeout: int = 60,
    execution_timeout: int | None = None,
    **kwargs: Any,
) -> Any:
    """What ``NBClientEngine.execute_managed_notebook`` does, in a kernel already started
    and connected to: the client is given its manager and connection, and told to shut
    the kernel down after the run, as it does the kernels it starts."""
    kwargs = remove_args(["input_path", "timeout", "startup_timeout"], **kwargs)
    client = PapermillNotebookClient(
        nb_man,
        km=spare.manager,
        timeout=execution_timeout,
        startup_timeout=start_timeout,
        kernel_name=kernel_name,
        log=papermill_logger,
        log_output=log_output,
        stdout_file=stdout_file,
        stderr_file=stderr_file,
        **kwargs,
    )
    spare.client.allow_stdin = False  # as nbclient sets its own clients
    client.kc = spare.client
    return client.execute(cleanup_kc=True)


papermill_engines.register(ENGINE_NAME, ControlledEngine)


class RedactingHandler:
    """Papermill I/O for ``REDACTING_SCHEME`` paths: writes the run's notebook redacted.

    Each run's scheme path maps to its real path and secrets while it executes.
    """

    targets: ClassVar[dict[str, tuple[str, list[str]]]] = {}

    @classmethod
    def write(cls, buf: str, path: str) -> None:
        real_path, secrets = cls.targets[path]
        # papermill records where it writes: the real path, not this scheme's
        text = buf.replace(json.dumps(path), json.dumps(real_path, ensure_ascii=False))
        if secrets:
            notebook = redact_notebook_node(nbformat.reads(text, as_version=4), secrets)
            text = nbformat.writes(notebook)
        write_atomically(real_path, text)

    @classmethod
    def read(cls, path: str) -> str:
        with open(cls.targets[path][0], encoding="utf-8") as handle:
            return handle.read()

    @classmethod
    def listdir(cls, path: str) -> list[str]:
        raise NotImplementedError

    @classmethod
    def pretty_path(cls, path: str) -> str:
        return cls.targets[path][0] if path in cls.targets else path


papermill_io.register(REDACTING_SCHEME, RedactingHandler)


def execute_run(
    spec: RunSpec, control: RunControl, spare: SpareKernel | None = None, where: str = ""
) -> RunOutcome:
    """Execute ``spec`` in a kernel that sees only the base and passed variables; the
    log names ``where`` it executes when given (a Dask worker).

    The run's log gets the engine's messages and the kernel's stdout and stderr.
    Passed values never reach disk: the notebook and log are redacted as they are
    written, and the error before it leaves the worker.
    """
    secrets = list(spec.environment.values())
    Path(spec.output_path).parent.mkdir(parents=True, exist_ok=True)
    with open(spec.log_path, "a", encoding="utf-8") as log_file:
        log = RedactingWriter(log_file, secrets)
        try:
            _note(log, f"run {spec.run_id}: executing {spec.input_path}{where and ' on '}{where}")
            _note(log, f"kernel {spec.kernel_name}, working directory {spec.cwd}")
            if spare is not None:
                control.adopt(spare, log)
            outcome = _execute(spec, control, log, spare)
            control.join_output()
            outcome = redact_outcome(outcome, secrets)
            executed_notebook.finish(spec.output_path, outcome.error, secrets)
            _note(log, outcome.summary)
        finally:
            log.close()
    redact_file(spec.log_path, secrets)  # a secret with a line break may span the pieces
    return outcome


def _note(log: TextIO | RedactingWriter, message: str) -> None:
    log.write(f"[{timestamp()} UTC AutoFlow] {message}\n")
    log.flush()


def _template(path: str) -> str:
    """``path`` as papermill's path template: it formats paths with the parameters."""
    return path.replace("{", "{{").replace("}", "}}")


def _execute(
    spec: RunSpec, control: RunControl, log: Any, spare: SpareKernel | None = None
) -> RunOutcome:
    """Execute ``spec`` and describe how it ended.

    The executed notebook is always left at ``spec.output_path`` once execution
    started. Papermill marks ordinary cell errors itself; timeouts, stops and
    dying kernels are written into the cell afterwards.
    """
    if control.stop_reason is not None:
        return stopped(control.stop_reason, None, spec.timeout)
    target = f"{REDACTING_SCHEME}run-{spec.run_id}-{os.getpid()}.ipynb"
    RedactingHandler.targets[target] = (spec.output_path, list(spec.environment.values()))
    try:
        papermill.execute_notebook(
            _template(spec.input_path),
            target,
            parameters=spec.parameters,
            engine_name=ENGINE_NAME,
            control=control,
            spare=spare,
            launch={"env": kernel_environment(spec.environment), "cwd": spec.cwd},
            kernel_name=spec.kernel_name,
            execution_timeout=_whole_seconds(spec.cell_timeout),
            progress_bar=False,
            log_output=False,
            stdout_file=log,
            stderr_file=log,
            request_save_on_cell_execute=True,
        )
    except PapermillExecutionError as error:
        if control.stop_reason is None:
            notebook = executed_notebook.load(spec.output_path)
            cell_index = executed_notebook.failed_cell_index(notebook)
            ename, evalue = error.ename, error.evalue
            if not evalue:  # e.g. a failing magic: the cell printed why instead
                evalue = executed_notebook.error_message(notebook, cell_index)
                named = re.fullmatch(r"([A-Za-z_][\w.]*): (.+)", evalue)
                if named and ename == "CellExecutionError":
                    ename, evalue = named.groups()
            cell = executed_notebook.describe_cell(notebook, cell_index)
            return RunOutcome(error=RunError(ename=ename, evalue=evalue, **cell))
        return _interrupted(spec, control, error)
    except Exception as error:  # stopped, cell timeout, dead kernel, kernel that never started
        return _interrupted(spec, control, error)
    finally:
        del RedactingHandler.targets[target]
    return RunOutcome()


def _whole_seconds(timeout: float | None) -> int | None:
    """nbclient takes whole seconds: a fractional limit is rounded up, never to 0."""
    return None if timeout is None else max(1, math.ceil(timeout))


def _interrupted(spec: RunSpec, control: RunControl, error: Exception) -> RunOutcome:
    notebook = executed_notebook.load(spec.output_path)
    cell_index = executed_notebook.last_started_cell(notebook)
    if control.stop_reason is not None:
        return stopped(control.stop_reason, cell_index, spec.timeout, notebook=notebook)
    return RunOutcome(error=_describe(spec, error, notebook, cell_index))


def _describe(spec: RunSpec, error: Exception, notebook: Any, cell_index: int | None) -> RunError:
    cell = executed_notebook.describe_cell(notebook, cell_index)
    described = RunError(ename=type(error).__name__, evalue="", **cell)
    if described.ename == "CellTimeoutError" and spec.cell_timeout is not None:
        where = f" in {described.where}" if described.where else ""
        evalue = f"timed out after {spec.cell_timeout:g} s{where}"
        return described.model_copy(update={"ename": "CellTimeout", "evalue": evalue})
    text = str(error).strip()
    evalue = text.splitlines()[0] if text else described.ename
    return described.model_copy(update={"evalue": evalue})


__all__ = ["RunControl", "execute_run"]
