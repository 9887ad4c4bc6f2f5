"""The executor interface and the plain data that crosses it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from traitlets.config import LoggingConfigurable

from ..models import RunError


@dataclass(frozen=True)
class RunSpec:
    """Everything a worker needs to execute one run; absolute paths only."""

    run_id: int
    input_path: str
    output_path: str
    log_path: str
    cwd: str
    parameters: dict[str, Any] = field(default_factory=dict)
    kernel_name: str | None = None
    cell_timeout: float | None = None
    # Variables passed to the kernel. Secret: never logged, stored or shown.
    environment: dict[str, str] = field(default_factory=dict, repr=False)


@dataclass(frozen=True)
class RunOutcome:
    error: RunError | None = None

    @property
    def succeeded(self) -> bool:
        return self.error is None


class Executor(LoggingConfigurable):
    """Executes runs away from the server process.

    The run service never hands an executor more than ``max_workers`` runs at
    once, so an executor may start each run as soon as it receives it.
    """

    def __init__(self, max_workers: int, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.max_workers = max_workers

    async def execute(self, spec: RunSpec) -> RunOutcome:
        """Execute one run to completion. Notebook failures are outcomes, not exceptions."""
        raise NotImplementedError

    async def shutdown(self) -> None:
        """Release workers. Called once, when the server stops."""
        raise NotImplementedError
