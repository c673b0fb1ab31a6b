"""Load benchmark: the real servers on localhost, driven through the REST webhook.

Measures, for our assistant and for Rasa's default `rasa init` assistant in the same run:
- one conversation alone (latency per message),
- C concurrent closed-loop conversations (saturation throughput and latency),
- an open-loop offered load of R messages per second for T seconds,
and the peak resident memory of every server process. Our conversations follow a realistic
mix: answers, a clarification, out-of-scope, feedback ("dit helpt me niet") and a full
handoff that creates a ticket. Requests go to 127.0.0.1 only; every loop is bounded.

    .venv/bin/python scripts/load_benchmark.py [--conversations 20] [--rate 20] [--seconds 30]
                                               [--skip-default] [--out docs/benchmark.md]
"""
from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

import aiohttp

sys.path.insert(0, str(Path(__file__).resolve().parent))
from servers import ROOT, assistant, rasa_init_bot  # noqa: E402

# One conversation of our assistant: (message, metadata). Ends in a ticket.
OUR_SCRIPT = [
    ("Wat is een TLV?", None),
    ("hoe lang is een tlv geldig", None),
    ("opp of mdo", None),                       # unsure: clarify or offer a person
    ("hoe laat begint de school morgen", None),  # out of scope: offer a person
    ("nee", None),
    ("wat is een mdo", None),
    ("dit helpt me niet", None),                # feedback: offer a person
    ("ja graag", None),                         # handoff form starts
    ("Ik wil graag dat iemand met mij meedenkt", None),  # description -> ticket
]
DEFAULT_SCRIPT = [("hello", None), ("I am sad", None), ("yes", None), ("great", None),
                  ("are you a bot?", None), ("bye", None)]
OPEN_LOOP_MESSAGES = ["Wat is een TLV?", "wat is een opp", "hoe kies ik een school",
                      "hoe laat begint de school", "dit helpt me niet", "wat doet een onderwijsconsulent"]
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
        return {"messages": len(ms), "errors": self.errors, "seconds": round(seconds, 1),
                "throughput": round(len(ms) / seconds, 1) if seconds else None,
                "p50_ms": round(percentile(ms, 50), 1) if ms else None,
                "p95_ms": round(percentile(ms, 95), 1) if ms else None,
                "p99_ms": round(percentile(ms, 99), 1) if ms else None,
                "mean_ms": round(statistics.mean(ms), 1) if ms else None}


async def closed_loop(url, script, conversations, rounds, prefix):
    """`conversations` users at once, each running the script `rounds` times, no think time."""
    recorder = Recorder()

    async def user(index):
        for round_ in range(rounds):
            sender = f"{prefix}-{index}-{round_}"
            for text, metadata in script:
                await recorder.send(session, url, sender, text, metadata)

    async with aiohttp.ClientSession(timeout=TIMEOUT,
                                     connector=aiohttp.TCPConnector(limit=conversations + 5)) as session:
        start = time.perf_counter()
        await asyncio.gather(*(user(i) for i in range(conversations)))
        return recorder.summary(time.perf_counter() - start)


async def open_loop(url, messages, rate, seconds, prefix):
    """Messages arrive at a fixed rate whatever the server does (bounded: rate x seconds)."""
    recorder, tasks = Recorder(), []
    senders = itertools.cycle([f"{prefix}-{i}" for i in range(200)])
    texts = itertools.cycle(messages)
    async with aiohttp.ClientSession(timeout=TIMEOUT,
                                     connector=aiohttp.TCPConnector(limit=500)) as session:
        start = time.perf_counter()
        for n in range(int(rate * seconds)):
            delay = start + n / rate - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            tasks.append(asyncio.create_task(
                recorder.send(session, url, next(senders), next(texts), None)))
        await asyncio.gather(*tasks)
        return recorder.summary(time.perf_counter() - start)


def peak_memory_mb(pid):
    """Peak resident memory (VmHWM) of a process, in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return round(int(line.split()[1]) / 1024)
    return None


def measure(running, script, open_messages, args, processes):
    url = running.base + "/webhooks/rest/webhook"
    asyncio.run(closed_loop(url, script, 2, 1, "warmup"))
    results = {
        "single": asyncio.run(closed_loop(url, script, 1, args.single_rounds, "single")),
        "closed": asyncio.run(closed_loop(url, script, args.conversations, args.rounds, "closed")),
        "open": asyncio.run(open_loop(url, open_messages, args.rate, args.seconds, "open")),
    }
    results["peak_memory_mb"] = {name: peak_memory_mb(pid) for name, pattern in processes.items()
                                 for pid in running.pids(pattern)[:1]}
    return results


def report(results, args) -> str:
    lines = ["# Load benchmark", "",
             f"- date: {date.today().isoformat()}; machine: 2 cores; all traffic on 127.0.0.1",
             f"- rerun: `.venv/bin/python scripts/load_benchmark.py --conversations {args.conversations} "
             f"--rate {args.rate} --seconds {args.seconds}`",
             "- our assistant: Rasa + action server + staff app as `scripts/run.sh` starts them "
             "(SQLite tracker and ticket stores); conversations mix answers, clarification, "
             "out-of-scope, feedback and a handoff that creates a ticket",
             "- Rasa's default: the assistant `rasa init` writes and trains, same machine, same run", "",
             "| bot | load | messages | errors | msg/s | p50 ms | p95 ms | p99 ms |",
             "| --- | --- | --- | --- | --- | --- | --- | --- |"]
    names = {"single": "1 conversation", "closed": f"{args.conversations} concurrent conversations",
             "open": f"open loop {args.rate} msg/s for {args.seconds} s"}
    for bot, result in results.items():
        for key, label in names.items():
            r = result[key]
            lines.append(f"| {bot} | {label} | {r['messages']} | {r['errors']} | {r['throughput']} | "
                         f"{r['p50_ms']} | {r['p95_ms']} | {r['p99_ms']} |")
    lines += ["", "Peak resident memory (VmHWM) per server process:", ""]
    for bot, result in results.items():
        memory = ", ".join(f"{name} {mb} MB" for name, mb in result["peak_memory_mb"].items())
        lines.append(f"- {bot}: {memory}")
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
    args = parser.parse_args()
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        with assistant(Path(tmp)) as running:
            results["steunpunt"] = measure(running, OUR_SCRIPT, OPEN_LOOP_MESSAGES, args, {
                "rasa": "rasa run --model", "actions": "-m actions", "staff": "staff --host"})
        if not args.skip_default:
            with rasa_init_bot(Path(tmp)) as running:
                results["rasa init"] = measure(running, DEFAULT_SCRIPT, DEFAULT_OPEN_LOOP, args,
                                               {"rasa": "rasa run --port"})
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(report(results, args))
    args.out.with_suffix(".json").write_text(json.dumps(results, indent=1))
    print(json.dumps(results, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
