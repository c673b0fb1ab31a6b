"""How the processes of a deployment hear that a live chat changed (issue 25, item 7).

The messages themselves are in the database (store/live.py): written once, read by id. This
module only wakes the readers up, through one interface with two backends:

- embedded (no Redis set): each process looks at the highest message id in the database every
  `settings.LIVE_POLL_SECONDS` (0.1 s) — one indexed query per process, however many chats and
  staff screens it serves — and wakes its waiters when it grew. No extra service.
- scaled (`settings.REDIS_URL`, as run_scaled.sh sets it): a writer publishes on a Redis
  channel after committing; every process subscribes and wakes its waiters at once. It still
  looks at the database every second, so a publish lost in a Redis restart delays a message
  by at most that, and never loses it.

A process has one `LiveFeed`; every widget connection and staff screen in it waits on that
feed (`await feed.changed(seen)`) and then reads what is new for it from the database.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any, Callable, Optional

from steunpunt import settings

CHANNEL = "steunpunt:live"
logger = logging.getLogger(__name__)


def notify() -> None:
    """Tell the other processes that something was written (after the commit). A no-op in
    the embedded form (they find it by polling); in the scaled form a Redis publish, whose
    failure only costs speed (the readers still poll once a second)."""
    if not settings.REDIS_URL:
        return
    try:
        _publisher().publish(CHANNEL, "1")
    except Exception as error:  # noqa: BLE001 - the database has the message; polling finds it
        logger.warning("live chat wake-up not published: %s", type(error).__name__)


_client: Any = None


def _publisher() -> Any:
    global _client
    if _client is None:
        import redis

        _client = redis.Redis.from_url(settings.REDIS_URL, socket_timeout=1, socket_connect_timeout=1)
    return _client


class LiveFeed:
    """The process's one watcher of the live messages: `version` is the highest message id
    seen; waiters wake when it changes (or every `settings.LIVE_POLL_SECONDS` for a chore)."""

    def __init__(self, last_id: Callable[[], int]) -> None:
        self.last_id = last_id
        self.version = 0
        self._changed = asyncio.Condition()
        self._task: Optional[asyncio.Task] = None

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.get_running_loop().create_task(self._run())

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            self._task = None

    async def changed(self, seen: int, timeout: float) -> int:
        """Wait until the version is past `seen` (or `timeout` seconds); the version now."""
        async with self._changed:
            if self.version <= seen:
                with contextlib.suppress(asyncio.TimeoutError):
                    await asyncio.wait_for(self._changed.wait(), timeout)
            return self.version

    async def _publish(self, version: int) -> None:
        if version != self.version:
            self.version = version
            async with self._changed:
                self._changed.notify_all()

    async def _run(self) -> None:
        if settings.REDIS_URL:
            await self._run_redis()
        else:
            await self._run_polling(settings.LIVE_POLL_SECONDS)

    async def _run_polling(self, every: float) -> None:
        while True:
            try:
                await self._publish(await asyncio.to_thread(self.last_id))
            except asyncio.CancelledError:
                raise
            except Exception as error:  # noqa: BLE001 - keep watching; the next look may work
                logger.warning("live chat: the database could not be read: %s", type(error).__name__)
            await asyncio.sleep(every)

    async def _run_redis(self) -> None:
        import redis.asyncio as aioredis

        while True:
            try:
                client = aioredis.Redis.from_url(settings.REDIS_URL)
                pubsub = client.pubsub()
                await pubsub.subscribe(CHANNEL)
                while True:
                    await self._publish(await asyncio.to_thread(self.last_id))
                    # A publish wakes this at once; otherwise a look every second.
                    await pubsub.get_message(ignore_subscribe_messages=True, timeout=1.0)
            except asyncio.CancelledError:
                raise
            except Exception as error:  # noqa: BLE001 - Redis away: poll the database meanwhile
                logger.warning("live chat: Redis not reachable (%s); polling", type(error).__name__)
                for _ in range(10):
                    await self._publish(await asyncio.to_thread(self.last_id))
                    await asyncio.sleep(1.0)
