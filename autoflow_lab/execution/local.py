"""The default executor: long-lived local worker processes, one fresh kernel per run."""

from __future__ import annotations

import asyncio
import multiprocessing
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any

from ..models import RunError
from .base import Executor, RunOutcome, RunSpec
from .notebook_job import execute_run


class LocalExecutor(Executor):
    """Runs papermill in a pool of worker processes on this machine.

    Workers are spawned (not forked from the server, which holds sockets and
    threads), start on first use, and import papermill once for many runs.
    Each run still gets a fresh kernel process of its own.
    """

    def __init__(self, max_workers: int, **kwargs: Any) -> None:
        super().__init__(max_workers, **kwargs)
        self._pool = self._new_pool()

    async def execute(self, spec: RunSpec) -> RunOutcome:
        pool = self._pool
        try:
            return await asyncio.wrap_future(pool.submit(execute_run, spec))
        except BrokenProcessPool:
            self.log.error("A worker process died during run %s; replacing the pool", spec.run_id)
            if self._pool is pool:
                self._pool = self._new_pool()
            return RunOutcome(
                error=RunError(
                    cell_index=None,
                    ename="WorkerDied",
                    evalue="The worker process executing this run died unexpectedly.",
                )
            )

    async def shutdown(self) -> None:
        """Stop at once: the server must not wait for notebooks to finish.

        Runs cut short here are settled as interrupted when the server next
        starts. Busy workers are terminated (their kernels exit with them);
        ProcessPoolExecutor has no public way to do that before Python 3.14.
        """
        workers = list(getattr(self._pool, "_processes", {}).values())
        self._pool.shutdown(wait=False, cancel_futures=True)
        for worker in workers:
            worker.terminate()

    def _new_pool(self) -> ProcessPoolExecutor:
        return ProcessPoolExecutor(
            max_workers=self.max_workers, mp_context=multiprocessing.get_context("spawn")
        )
