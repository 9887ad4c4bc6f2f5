"""A kernel started ahead of its run, while the worker executes the run before it.

Starting a kernel and connecting to it take about half a second. A worker that is executing a run
starts one more kernel, with that run's kernel name, working directory and
passed variables; if the worker's next run asks for the same, it executes in
that kernel instead of starting its own. Each kernel still serves one run only:
the spare becomes the next run's fresh kernel, and is shut down after it.
Kernel start-up so overlaps the previous run, which is what lets queued runs and
workflow steps follow each other without waiting for a kernel each time.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .base import RunSpec
from .environment import kernel_environment
from .notebook_job import RunControl
from .process_groups import kill_process_group

log = logging.getLogger(__name__)

# As long as papermill waits for a kernel to start (its start_timeout).
STARTUP_SECONDS = 60


class HeldOutput:
    """Where a spare kernel's own output goes: held until a run takes the kernel,
    then written to that run's log (which redacts it)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._held: list[str] = []
        self._target: Any = None

    def write(self, text: str) -> int:
        with self._lock:
            if self._target is None:
                self._held.append(text)
            else:
                self._target.write(text)
        return len(text)

    def flush(self) -> None:
        with self._lock:
            if self._target is not None:
                self._target.flush()

    def attach(self, target: Any) -> None:
        with self._lock:
            for text in self._held:
                target.write(text)
            self._held.clear()
            self._target = target


@dataclass
class SpareKernel:
    kernel_name: str | None
    cwd: str
    environment: dict[str, str] = field(repr=False)
    manager: Any
    client: Any  # connected and ready: the run's first message goes out at once
    control: RunControl
    output: HeldOutput

    @property
    def process_group(self) -> int | None:
        return self.control.kernel_group

    def fits(self, spec: RunSpec) -> bool:
        """Whether ``spec`` would start exactly this kernel, and it is still there."""
        process = getattr(self.manager.provisioner, "process", None)
        return (
            process is not None
            and process.poll() is None
            and (self.kernel_name, self.cwd, self.environment)
            == (spec.kernel_name, spec.cwd, spec.environment)
        )

    def discard(self) -> None:
        """Kill the kernel: no run will use it."""
        self.client.stop_channels()
        group = self.process_group
        if group is not None:
            kill_process_group(group)
        try:
            asyncio.run(self.manager.cleanup_resources())
        except Exception:  # its connection files go with the worker's temp folder anyway
            log.debug("Spare kernel resources not cleaned up", exc_info=True)


def start_spare(spec: RunSpec, on_started: Callable[[int], None]) -> SpareKernel | None:
    """Start a kernel as ``spec``'s run would; blocking. None when it does not start
    (the next run then starts its own kernel, and says why if it cannot either)."""
    if spec.kernel_name is None:  # papermill would pick it from the notebook: no guess here
        return None
    output = HeldOutput()
    control = RunControl(on_kernel=on_started)
    manager = control.kernel_manager_class(output)(kernel_name=spec.kernel_name)
    environment = kernel_environment(spec.environment)

    async def start() -> Any:
        await manager.start_kernel(cwd=spec.cwd, env=environment)
        client = manager.client()
        client.start_channels()
        await client.wait_for_ready(timeout=STARTUP_SECONDS)
        return client

    try:
        client = asyncio.run(start())
    except Exception:
        log.warning("A spare kernel did not start", exc_info=True)
        group = control.kernel_group
        if group is not None:
            kill_process_group(group)
        return None
    return SpareKernel(
        spec.kernel_name, spec.cwd, dict(spec.environment), manager, client, control, output
    )
