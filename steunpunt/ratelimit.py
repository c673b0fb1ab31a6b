"""How many chat messages may reach the assistant: token buckets per conversation, per client
and for the whole process.

One address once sent 40 messages in 1.3 s, the single process's whole capacity, each writing
a signal and tracker events. People who share an address (a school network, a carrier's NAT)
must not lock each other out, so there are three buckets, and a message goes on only when all
three have a token:

- per conversation (the sender id): a person types, clicks a button, reads; a script floods;
- per client (the address key of steunpunt/clients.py, an IPv6 /64 counted as one): larger, so
  a class of pupils behind one school address can chat at the same time, while a script that
  makes up a new conversation for every message is still held to it;
- one for the whole process: what it can answer at all.

A refused message takes no token from any bucket, so a flood that is refused does not push back
the moment its own conversation may go on. Buckets live in this process's memory: the embedded
form has one process; in the scaled form each Rasa process keeps its own (nginx `limit_req` in
deploy/nginx.conf.template caps each address in front of them). Nothing here is stored or
logged about who was refused: counts only.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from typing import Callable, Optional, Tuple

from steunpunt import settings

logger = logging.getLogger(__name__)

#: The scopes of a refusal, narrowest first: the reason a refused message gets.
CONVERSATION, CLIENT, GLOBAL = "conversation", "client", "global"
DESCRIPTIONS = {
    CONVERSATION: "per conversation",
    CLIENT: "per client address",
    GLOBAL: "of the whole process",
}


@dataclass(frozen=True)
class Rate:
    """`per_minute` tokens come back every minute, up to `burst` at once."""

    per_minute: float
    burst: float

    @property
    def per_second(self) -> float:
        return self.per_minute / 60.0


class Buckets:
    """Token buckets by key, in memory, with an upper bound on how many are kept: a bucket that
    has been idle long enough to be full again is the same as no bucket, so it is dropped; when
    still too many, the least recently used go first (they are the nearest to full)."""

    def __init__(self, rate: Rate, max_keys: int = 100_000) -> None:
        self.rate = rate
        self.max_keys = max_keys
        self._buckets: OrderedDict[str, Tuple[float, float]] = OrderedDict()  # key -> (tokens, at)

    def tokens(self, key: str, now: float) -> float:
        tokens, at = self._buckets.get(key, (self.rate.burst, now))
        return min(self.rate.burst, tokens + max(0.0, now - at) * self.rate.per_second)

    def take(self, key: str, now: float) -> None:
        self._buckets[key] = (self.tokens(key, now) - 1.0, now)
        self._buckets.move_to_end(key)
        if len(self._buckets) > self.max_keys:
            self._prune(now)

    def seconds_until_one(self, key: str, now: float) -> float:
        missing = 1.0 - self.tokens(key, now)
        if missing <= 0:
            return 0.0
        return missing / self.rate.per_second if self.rate.per_second > 0 else float("inf")

    def _prune(self, now: float) -> None:
        full = [
            key
            for key, (tokens, at) in self._buckets.items()
            if tokens + (now - at) * self.rate.per_second >= self.rate.burst
        ]
        for key in full:
            del self._buckets[key]
        while len(self._buckets) > self.max_keys:
            self._buckets.popitem(last=False)

    def __len__(self) -> int:
        return len(self._buckets)


@dataclass(frozen=True)
class Refusal:
    scope: str  # CONVERSATION, CLIENT or GLOBAL
    retry_after: int  # whole seconds until that bucket has a token again


class MessageLimiter:
    """The three buckets together. `check` takes one token from each, or none and says why."""

    def __init__(
        self,
        conversation: Rate,
        client: Rate,
        overall: Rate,
        clock: Callable[[], float] = time.monotonic,
        max_keys: int = 100_000,
    ) -> None:
        self.clock = clock
        self.scopes = (
            (CONVERSATION, Buckets(conversation, max_keys)),
            (CLIENT, Buckets(client, max_keys)),
            (GLOBAL, Buckets(overall, 1)),
        )
        self._lock = threading.Lock()
        self._refused = {scope: 0 for scope, _ in self.scopes}
        self._last_log = {scope: float("-inf") for scope, _ in self.scopes}

    def check(self, conversation: str, client: str) -> Optional[Refusal]:
        keys = {CONVERSATION: conversation, CLIENT: client, GLOBAL: "*"}
        with self._lock:
            now = self.clock()
            for scope, buckets in self.scopes:
                wait = buckets.seconds_until_one(keys[scope], now)
                if wait > 0:
                    self._note_refusal(scope, now)
                    return Refusal(scope=scope, retry_after=max(1, int(wait + 0.999)))
            for scope, buckets in self.scopes:
                buckets.take(keys[scope], now)
        return None

    def _note_refusal(self, scope: str, now: float) -> None:
        """A log line per scope at most once a minute, with the count since the last one (a flood
        must not flood the log too). Counts only: no conversation, key or address. The whole
        process's limit being reached is an alarm: many clients at once, or a distributed flood."""
        self._refused[scope] += 1
        if now - self._last_log[scope] < 60:
            return
        logger.warning(
            "%smessage rate limit %s: %d message(s) refused since the last report",
            "ALARM: " if scope == GLOBAL else "",
            DESCRIPTIONS[scope],
            self._refused[scope],
        )
        self._refused[scope] = 0
        self._last_log[scope] = now


def from_settings(clock: Callable[[], float] = time.monotonic) -> MessageLimiter:
    return MessageLimiter(
        conversation=Rate(settings.MESSAGES_PER_CONVERSATION_MINUTE, settings.MESSAGE_BURST_PER_CONVERSATION),
        client=Rate(settings.MESSAGES_PER_CLIENT_MINUTE, settings.MESSAGE_BURST_PER_CLIENT),
        overall=Rate(settings.MESSAGES_PER_MINUTE, settings.MESSAGE_BURST),
        clock=clock,
    )


_limiter: Optional[MessageLimiter] = None


def limiter() -> MessageLimiter:
    """This process's one limiter (made from the settings when first asked for)."""
    global _limiter
    if _limiter is None:
        _limiter = from_settings()
    return _limiter


def reset(limiter_now: Optional[MessageLimiter] = None) -> None:
    """Forget every bucket, or use this limiter from now on (tests; settings changed)."""
    global _limiter
    _limiter = limiter_now
