"""Run ownership: this process's instance record, its heartbeat, and finding orphaned runs.

Every server and every ``autoflow`` command registers an instance and owns the
runs it accepts. Only the owner records a run's outcome. A server settles a run
only once its owner is gone, so servers and commands can share one history
without executing a run twice or leaving it ``running`` for ever.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta, timezone

from ..errors import Unavailable
from ..models import Run
from ..store import Instance, InstanceKind, InstanceStore, RunStore
from ..store.instances import this_host

log = logging.getLogger(__name__)

# Called for each unfinished run whose owner is gone, with that owner's id (None:
# the owner's record is gone, or the run predates owners).
SettleOrphan = Callable[[Run, "int | None", "Instance | None"], Awaitable[None]]


def utcnow() -> datetime:
    """Now, in UTC: the store keeps every time in UTC."""
    return datetime.now(timezone.utc)


class Ownership:
    def __init__(
        self,
        instances: InstanceStore,
        runs: RunStore,
        kind: InstanceKind,
        owner_timeout: float,
        heartbeat_interval: float,
    ) -> None:
        if owner_timeout <= heartbeat_interval:
            raise ValueError("owner_timeout must be longer than heartbeat_interval")
        self._instances = instances
        self._runs = runs
        self._kind = kind
        self._owner_timeout = timedelta(seconds=owner_timeout)
        self._heartbeat_interval = heartbeat_interval
        self._instance: Instance | None = None
        self._beating: asyncio.Task[None] | None = None

    @property
    def kind(self) -> InstanceKind:
        return self._kind

    @property
    def instance_id(self) -> int | None:
        """This process's instance; None before ``register``."""
        return None if self._instance is None else self._instance.id

    async def register(self) -> int:
        self._instance = await asyncio.to_thread(self._instances.register, self._kind, utcnow())
        log.info("AutoFlow instance %s registered (%s)", self._instance.id, self._kind.value)
        return self._instance.id

    def keep_alive(self, settle: SettleOrphan | None) -> None:
        """Beat every ``heartbeat_interval``; with ``settle``, also sweep for orphans."""
        self._beating = asyncio.create_task(self._beat(settle), name="autoflow-heartbeat")

    async def sweep(self, settle: SettleOrphan) -> None:
        """Settle every unfinished run whose owner is gone, then forget gone instances."""
        me = self.instance_id
        cutoff = utcnow() - self._owner_timeout
        instances = {i.id: i for i in await asyncio.to_thread(self._instances.all)}
        host = this_host()
        gone = {i.id for i in instances.values() if i.id != me and i.is_gone(cutoff, host)}
        for run, owner in await asyncio.to_thread(self._runs.unfinished):
            if owner == me or (owner in instances and owner not in gone):
                continue
            await settle(run, owner, instances.get(owner) if owner is not None else None)
        await asyncio.to_thread(self._instances.remove, sorted(gone))

    async def live_instances(self) -> set[int]:
        """Ids of registered instances not taken for gone; this one included."""
        cutoff = utcnow() - self._owner_timeout
        host = this_host()
        instances = await asyncio.to_thread(self._instances.all)
        return {i.id for i in instances if i.id == self.instance_id or not i.is_gone(cutoff, host)}

    async def close(self) -> None:
        """Stop beating and remove the record: this instance's unfinished runs are orphans now."""
        if self._beating is not None:
            self._beating.cancel()
            await asyncio.gather(self._beating, return_exceptions=True)
        if self._instance is not None:
            try:
                await asyncio.to_thread(self._instances.remove, [self._instance.id])
            except Unavailable as error:  # its heartbeat will go stale instead
                log.warning("AutoFlow instance %s not unregistered: %s", self._instance.id, error)

    async def _beat(self, settle: SettleOrphan | None) -> None:
        while True:
            await asyncio.sleep(self._heartbeat_interval)
            try:
                await self._heartbeat()
                if settle is not None:
                    await self.sweep(settle)
            except Unavailable as error:
                log.warning("AutoFlow heartbeat failed; retrying: %s", error)
            except Exception:
                log.exception("AutoFlow heartbeat failed; retrying")

    async def _heartbeat(self) -> None:
        assert self._instance is not None
        if await asyncio.to_thread(self._instances.heartbeat, self._instance.id, utcnow()):
            return
        # Another instance took this one for gone (its heartbeat was silent too
        # long) and settled its runs; they are no longer ours to finish.
        log.error(
            "AutoFlow instance %s was taken for gone by another server; registering anew",
            self._instance.id,
        )
        await self.register()
