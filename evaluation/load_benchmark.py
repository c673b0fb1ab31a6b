"""Load benchmark: the real servers on localhost, driven through the REST webhook.

Measures, for our assistant and for Rasa's default `rasa init` assistant in the same run:
- one conversation alone (latency per message),
- C concurrent closed-loop conversations (saturation throughput and latency),
- an open-loop offered load of R messages per second for T seconds,
and the peak resident memory of every server process. Our conversations follow a realistic
mix: answers, a clarification, out-of-scope, feedback ("dit helpt me niet") and a full
handoff that creates a ticket. Requests go to 127.0.0.1 only; every loop is bounded.

Two more parts for holding up and scaling out:
- a soak (--soak-minutes, e.g. 10): the open loop at --rate for that long against the single
  process, with every server's resident memory at the start and the end. Visitors come and go
  as on a website: 200 conversations at a time, each --soak-turns messages long (default 8),
  then a new visitor takes its place;
- one long conversation (120 messages from one visitor): how a turn's time grows with the
  length of the conversation, since Rasa reads and sends the whole conversation every turn;
- the scaled form (--scaled-database-url, a PostgreSQL URL; needs redis-server and nginx): the
  same closed loop against two Rasa and two action server processes, to compare saturation
  throughput with the single process.

    .venv/bin/python -m evaluation.load_benchmark [--conversations 20] [--rate 20] [--seconds 30]
        [--soak-minutes 10] [--scaled-database-url postgresql+psycopg2://...] [--skip-default]
        [--out docs/benchmark.md]
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import statistics
import tempfile
import time
from pathlib import Path

import aiohttp

from steunpunt import clock
from tests.support.servers import ROOT, assistant, rasa_init_bot, scaled_assistant

# One conversation of our assistant: (message, metadata). Ends in a ticket.
OUR_SCRIPT = [
    ("Wat is een TLV?", None),
    ("hoe lang is een tlv geldig", None),
    ("opp of mdo", None),  # unsure: clarify or offer a person
    ("hoe laat begint de school morgen", None),  # out of scope: offer a person
    ("nee", None),
    ("wat is een mdo", None),
    ("dit helpt me niet", None),  # feedback: offer a person
    ("ja graag", None),  # handoff form starts
    ("Ik wil graag dat iemand met mij meedenkt", None),  # description -> ticket
]
DEFAULT_SCRIPT = [
    ("hello", None),
    ("I am sad", None),
    ("yes", None),
    ("great", None),
    ("are you a bot?", None),
    ("bye", None),
]
OPEN_LOOP_MESSAGES = [
    "Wat is een TLV?",
    "wat is een opp",
    "hoe kies ik een school",
    "hoe laat begint de school",
    "dit helpt me niet",
    "wat doet een onderwijsconsulent",
]
DEFAULT_OPEN_LOOP = ["hello", "I am sad", "great", "bye"]
TIMEOUT = aiohttp.ClientTimeout(total=60)


def percentile(values, p):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered)) - 1))] if ordered else None


class Recorder:
    def __init__(self):
        self.latencies, self.errors = [], 0

    async def send(self, session, url, sender, text, metadata):
        body = {"sender": sender, "message": text, **({"metadata": metadata} if metadata else {})}
        start = time.perf_counter()
        try:
            async with session.post(url, json=body) as response:
                await response.read()
                ok = response.status == 200
        except (aiohttp.ClientError, asyncio.TimeoutError):
            ok = False
        if ok:
            self.latencies.append(time.perf_counter() - start)
        else:
            self.errors += 1

    def summary(self, seconds):
        ms = [1000 * x for x in self.latencies]
        return {
            "messages": len(ms),
            "errors": self.errors,
            "seconds": round(seconds, 1),
            "throughput": round(len(ms) / seconds, 1) if seconds else None,
            "p50_ms": round(percentile(ms, 50), 1) if ms else None,
            "p95_ms": round(percentile(ms, 95), 1) if ms else None,
            "p99_ms": round(percentile(ms, 99), 1) if ms else None,
            "mean_ms": round(statistics.mean(ms), 1) if ms else None,
        }


async def closed_loop(url, script, conversations, rounds, prefix):
    """`conversations` users at once, each running the script `rounds` times, no think time."""
    recorder = Recorder()

    async def user(index):
        for round_ in range(rounds):
            sender = f"{prefix}-{index}-{round_}"
            for text, metadata in script:
                await recorder.send(session, url, sender, text, metadata)

    async with aiohttp.ClientSession(
        timeout=TIMEOUT, connector=aiohttp.TCPConnector(limit=conversations + 5)
    ) as session:
        start = time.perf_counter()
        await asyncio.gather(*(user(i) for i in range(conversations)))
        return recorder.summary(time.perf_counter() - start)


def visitor_ids(prefix, slots, turns=None):
    """The sender of each next message: `slots` conversations at a time, in turn; with `turns`,
    a conversation ends after that many messages and a new visitor (a new id) takes its slot."""
    for n in itertools.count():
        yield f"{prefix}-{n % slots}-{n // (slots * turns) if turns else 0}"


async def open_loop(url, messages, rate, seconds, prefix, turns=None, slots=200):
    """Messages arrive at a fixed rate whatever the server does (bounded: rate x seconds),
    spread over `slots` conversations at a time. With `turns`, a conversation ends after that
    many messages and a new visitor takes its slot; without, the same visitors go on."""
    recorder, tasks = Recorder(), []
    senders = visitor_ids(prefix, slots, turns)
    texts = itertools.cycle(messages)
    async with aiohttp.ClientSession(timeout=TIMEOUT, connector=aiohttp.TCPConnector(limit=500)) as session:
        start = time.perf_counter()
        for n in range(int(rate * seconds)):
            delay = start + n / rate - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            tasks.append(asyncio.create_task(recorder.send(session, url, next(senders), next(texts), None)))
        await asyncio.gather(*tasks)
        return recorder.summary(time.perf_counter() - start)


def peak_memory_mb(pid):
    """Peak resident memory (VmHWM) of a process, in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return round(int(line.split()[1]) / 1024)
    return None


def rss_mb(pid):
    """Resident memory (VmRSS) of a process now, in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return round(int(line.split()[1]) / 1024)
    return None


def soak(running, messages, args, processes):
    """The open loop for --soak-minutes, with memory per process at the start and the end."""
    url = running.base + "/webhooks/rest/webhook"
    pids = {name: running.pids(pattern)[:1] for name, pattern in processes.items()}
    before = {name: rss_mb(found[0]) for name, found in pids.items() if found}
    result = asyncio.run(
        open_loop(url, messages, args.rate, args.soak_minutes * 60, "soak", turns=args.soak_turns)
    )
    after = {name: rss_mb(found[0]) for name, found in pids.items() if found}
    result["memory_mb"] = {name: {"start": before[name], "end": after.get(name)} for name in before}
    return result


def long_conversation(running, messages, length=120):
    """One visitor sending `length` messages in a row: median time of the first and last ten."""
    import urllib.request

    url = running.base + "/webhooks/rest/webhook"
    times = []
    for n in range(length):
        body = json.dumps({"sender": "long-conversation", "message": messages[n % len(messages)]}).encode()
        started = time.perf_counter()
        # The URL is the local server under test (http://127.0.0.1), never a file: or custom scheme.
        request = urllib.request.Request(url, body, {"Content-Type": "application/json"})  # noqa: S310
        with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310
            response.read()
        times.append((time.perf_counter() - started) * 1000)
    return {
        "first_10_ms": round(statistics.median(times[:10]), 1),
        "last_10_ms": round(statistics.median(times[-10:]), 1),
        "messages": length,
    }


def measure(running, script, open_messages, args, processes):
    url = running.base + "/webhooks/rest/webhook"
    asyncio.run(closed_loop(url, script, 2, 1, "warmup"))
    results = {
        "single": asyncio.run(closed_loop(url, script, 1, args.single_rounds, "single")),
        "closed": asyncio.run(closed_loop(url, script, args.conversations, args.rounds, "closed")),
        "open": asyncio.run(open_loop(url, open_messages, args.rate, args.seconds, "open")),
    }
    results["peak_memory_mb"] = {
        name: peak_memory_mb(pid) for name, pattern in processes.items() for pid in running.pids(pattern)[:1]
    }
    return results


def report(results, args, soaked=None, scaled=None) -> str:
    lines = [
        "# Load benchmark",
        "",
        f"- date: {clock.today().isoformat()}; machine: 2 cores; all traffic on 127.0.0.1",
        f"- rerun: `.venv/bin/python -m evaluation.load_benchmark --conversations {args.conversations} "
        f"--rate {args.rate} --seconds {args.seconds}`",
        "- our assistant: Rasa + action server + staff app as `scripts/run.sh` starts them "
        "(SQLite tracker and ticket stores); conversations mix answers, clarification, "
        "out-of-scope, feedback and a handoff that creates a ticket",
        "- Rasa's default: the assistant `rasa init` writes and trains, same machine, same run",
        "",
        "| bot | load | messages | errors | msg/s | p50 ms | p95 ms | p99 ms |",
        "| --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    names = {
        "single": "1 conversation",
        "closed": f"{args.conversations} concurrent conversations",
        "open": f"open loop {args.rate} msg/s for {args.seconds} s",
    }
    for bot, result in results.items():
        for key, label in names.items():
            r = result[key]
            lines.append(
                f"| {bot} | {label} | {r['messages']} | {r['errors']} | {r['throughput']} | "
                f"{r['p50_ms']} | {r['p95_ms']} | {r['p99_ms']} |"
            )
    lines += ["", "Peak resident memory (VmHWM) per server process:", ""]
    for bot, result in results.items():
        memory = ", ".join(f"{name} {mb} MB" for name, mb in result["peak_memory_mb"].items())
        lines.append(f"- {bot}: {memory}")
    if soaked:
        r = soaked
        lines += [
            "",
            f"## Soak: {args.soak_minutes} minutes at {args.rate} msg/s (single process)",
            "",
            f"200 visitors at a time, each {args.soak_turns} messages, then a new visitor.",
            "",
            "| messages | errors | msg/s | p50 ms | p95 ms | p99 ms |",
            "| --- | --- | --- | --- | --- | --- |",
            f"| {r['messages']} | {r['errors']} | {r['throughput']} "
            f"| {r['p50_ms']} | {r['p95_ms']} | {r['p99_ms']} |",
            "",
            "| process | memory at start | at end | growth |",
            "| --- | --- | --- | --- |",
        ]
        for name, memory in r["memory_mb"].items():
            lines.append(
                f"| {name} | {memory['start']} MB | {memory['end']} MB | "
                f"{memory['end'] - memory['start']:+d} MB |"
            )
        growth = max(m["end"] - m["start"] for m in r["memory_mb"].values())
        lines += [
            "",
            f"Target: no errors ({'met' if r['errors'] == 0 else 'NOT met'}), memory growth "
            f"under 50 MB ({'met' if growth < 50 else 'NOT met'}: at most {growth:+d} MB).",
        ]
    long = results.get("steunpunt", {}).get("long")
    if long:
        lines += [
            "",
            "## One long conversation",
            "",
            f"One visitor, {long['messages']} messages in a row: median {long['first_10_ms']} ms for "
            f"the first ten, {long['last_10_ms']} ms for the last ten. Rasa loads the whole "
            "conversation from the tracker store and sends it to the action server every turn, "
            "so a turn costs more the longer the conversation (within one session: "
            "`session_expiration_time` in domain.yml).",
        ]
    if scaled:
        single = results["steunpunt"]["closed"]
        ratio = scaled["throughput"] / single["throughput"] if single["throughput"] else 0
        lines += [
            "",
            "## Scaled form: 2 Rasa + 2 action servers, PostgreSQL, Redis, nginx",
            "",
            f"{args.conversations} concurrent closed-loop conversations, the same script as above.",
            "",
            "| form | messages | errors | msg/s | p50 ms | p95 ms | p99 ms |",
            "| --- | --- | --- | --- | --- | --- | --- |",
        ]
        for name, r in (("single process (SQLite)", single), ("scaled", scaled)):
            lines.append(
                f"| {name} | {r['messages']} | {r['errors']} | {r['throughput']} | {r['p50_ms']} | "
                f"{r['p95_ms']} | {r['p99_ms']} |"
            )
        lines += [
            "",
            f"Saturation throughput of the scaled form: {ratio:.2f} x the single process "
            f"(target 1.6 x: {'met' if ratio >= 1.6 else 'NOT met'}).",
        ]
    return "\n".join(lines) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--conversations", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=3, help="scripts per closed-loop user")
    parser.add_argument("--single-rounds", type=int, default=6)
    parser.add_argument("--rate", type=float, default=20)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--skip-default", action="store_true")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "benchmark.md")
    parser.add_argument("--soak-minutes", type=float, default=0)
    parser.add_argument("--soak-turns", type=int, default=8, help="messages per visitor in the soak")
    parser.add_argument("--scaled-database-url", default=None)
    args = parser.parse_args()
    results, soaked, scaled = {}, None, None
    # The redaction worker holds the redaction tables for every action server of the machine
    # (signals/redaction_worker.py): listed apart, so the action server's own memory shows.
    processes = {
        "rasa": "rasa run --model",
        "actions": "-m actions",
        "redaction worker": "-m signals redactor",
        "staff": "staff --host",
    }
    with tempfile.TemporaryDirectory() as tmp:
        with assistant(Path(tmp)) as running:
            results["steunpunt"] = measure(running, OUR_SCRIPT, OPEN_LOOP_MESSAGES, args, processes)
            results["steunpunt"]["long"] = long_conversation(running, OPEN_LOOP_MESSAGES)
            if args.soak_minutes:
                soaked = soak(running, OPEN_LOOP_MESSAGES, args, processes)
        if args.scaled_database_url:
            with scaled_assistant(Path(tmp), args.scaled_database_url) as running:
                url = running.base + "/webhooks/rest/webhook"
                asyncio.run(closed_loop(url, OUR_SCRIPT, 2, 1, "scaled-warmup"))
                scaled = asyncio.run(closed_loop(url, OUR_SCRIPT, args.conversations, args.rounds, "scaled"))
        if not args.skip_default:
            with rasa_init_bot(Path(tmp)) as running:
                results["rasa init"] = measure(
                    running, DEFAULT_SCRIPT, DEFAULT_OPEN_LOOP, args, {"rasa": "rasa run --port"}
                )
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(report(results, args, soaked, scaled))
    args.out.with_suffix(".json").write_text(
        json.dumps({**results, "soak": soaked, "scaled": scaled}, indent=1)
    )
    print(json.dumps(results, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
