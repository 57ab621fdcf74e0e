"""Load test of the web UI on loopback: concurrent sessions chatting through Gradio's client.

Two scenarios, both over the demo personas (journeys found, keyword names, the demo's catalogue):

Burst. N sessions (20 by default) start together, each as one of the demo personas (round
robin), each with its own Gradio session, and each says three things: "what are my journeys?",
"why did you find the first one?" (which depends on that session's own conversation), and
"when did I watch the video for beginners?". Checked: no request fails, every reply is about
the session's own persona only (no other persona's journey appears), and every session's chat
holds only its own messages. Reported: turn time p50/p95/max under load, against the same
turns run one at a time in the same run (the baseline).

Sustained (issue 16). The app runs in a process of its own (so its memory is its own) for
--duration seconds (300 by default) with 50 sessions: 40 well-behaved ones, each a person
chatting (a script of ordinary questions, 2-6 s between a reply and the next message, the
chat's whole history sent each time as the page does), and 10 flooding ones, each keeping 3
messages of 2,000 characters (the most the chat reads; one in ten is 100,000 characters, which
is refused for its length) in flight at once, from one page. The baseline, in the same run and
against the same server: the 40 well-behaved sessions alone for --baseline-duration seconds
(120 by default), each phase with new sessions. Reported: errors, p50/p95/p99 turn time of
the well-behaved sessions and their ratio to the baseline, what the flooders got (answers,
one-request-at-a-time refusals, over-budget refusals, too-long refusals, errors), and the server process's memory
(resident set) at the start, after each phase and its peak.

    python -m bench.ui_load_bench                      # both, writes bench/results/ui_load.{md,json}
    python -m bench.ui_load_bench --duration 30 --baseline-duration 15   # a quick run
    python -m bench.ui_load_bench --sessions 5 --skip-sustained
"""

from __future__ import annotations

import argparse
import itertools
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

from bench import report as results

SCRIPT = ["what are my journeys?", "why did you find the first one?", "when did I watch the video for beginners?"]
# What a well-behaved session of the sustained scenario says, in turn, over and over.
CHAT = [
    "what are my journeys?", "why did you find the first one?", "when did I watch the video for beginners?",
    "anything new for me?", "suggest something for the second one", "what did I do last month?", "help",
]
# Seconds a well-behaved person takes between a reply and their next message.
THINK = (2.0, 6.0)
# Messages each flooding session keeps in flight at once.
FLOOD_IN_FLIGHT = 3
# Longest wait for one reply before it counts as an error.
TURN_TIMEOUT = 120.0
BUSY = "I take one request at a time from each person"
OVER_BUDGET = "You have sent more in the last minute than I answer from one person"
TOO_LONG = "I read at most 2,000 at a time"


@dataclass
class SessionRun:
    user_id: str
    times: list[float] = field(default_factory=list)
    replies: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    history_ok: bool = True


def text_of(message: dict[str, Any]) -> str:
    content = message["content"]
    return " ".join(p.get("text", "") for p in content) if isinstance(content, list) else str(content)


def chat_session(url: str, user_id: str) -> SessionRun:
    """One browser-like session: its own Gradio client (own session hash), three turns."""
    from gradio_client import Client

    run = SessionRun(user_id)
    try:
        client = Client(url, verbose=False)
        history: list[dict] = []
        for text in SCRIPT:
            start = time.perf_counter()
            _, history = client.predict(text, history, user_id, api_name="/send")
            run.times.append(time.perf_counter() - start)
            run.replies.append(text_of(history[-1]))
        said = [text_of(m) for m in history if m["role"] == "user"]
        run.history_ok = said == SCRIPT
    except Exception as exc:  # noqa: BLE001 (every failure is counted and reported)
        run.errors.append(f"{type(exc).__name__}: {exc}")
    return run


def leaks(run: SessionRun, names_by_user: dict[str, list[str]]) -> list[str]:
    """Journey names of other personas that appear in this session's replies."""
    own = {n.lower() for n in names_by_user[run.user_id]}
    found = []
    for user, names in names_by_user.items():
        if user == run.user_id:
            continue
        for name in names:
            if name.lower() not in own and any(name.lower() in reply.lower() for reply in run.replies):
                found.append(f"{name} (of {user})")
    return found


def run_load(url: str, users: list[str], sessions: int) -> list[SessionRun]:
    """All sessions at once, each as users[i % len(users)]."""
    with ThreadPoolExecutor(max_workers=sessions) as pool:
        return list(pool.map(lambda i: chat_session(url, users[i % len(users)]), range(sessions)))


def summarise(runs: list[SessionRun]) -> dict[str, float]:
    times = [t for r in runs for t in r.times]
    return {"turns": len(times), "p50_s": statistics.median(times), "p95_s": results.percentile(times, 0.95),
            "max_s": max(times)}


def prepare_home(home: Path, users: list[str]):
    """A home with the personas' histories ingested and their journeys found (keyword names); returns the open
    workspace and each persona's journey names."""
    from journeys.demo import DEMO_CATALOGUE, load_personas
    from journeys.settings import Settings
    from journeys.workspace import Workspace

    personas = [p for p in load_personas() if p.user_id in users]
    workspace = Workspace(Settings(home=home, namer="keywords", device="cpu", catalog=DEMO_CATALOGUE))
    workspace.ingest([p.history_path for p in personas])
    for persona in personas:
        workspace.extract(persona.user_id)
    names = {p.user_id: [j.name for j in workspace.journeys.journeys(p.user_id)] for p in personas}
    return workspace, names


def demo_app(workspace, users: list[str]):
    """The demo's app (person picker, no login) over a prepared workspace."""
    from agent import build_graph, open_checkpointer
    from agent.assistant import Assistant
    from journeys.demo import load_personas
    from ui.app import Person, build_app

    personas = [p for p in load_personas() if p.user_id in users]
    graph = build_graph(workspace, checkpointer=open_checkpointer(workspace.settings.checkpoints_db))
    return build_app(Assistant(workspace, graph), [Person(p.user_id, p.display_name) for p in personas])


def serve_demo(home: Path, users: list[str]):
    """The demo app on a free loopback port over the given personas (journeys found, keyword names)."""
    from ui.app import launch

    workspace, names = prepare_home(home, users)
    app = demo_app(workspace, users)
    launch(app, "127.0.0.1", None, prevent_thread_lock=True, quiet=True)
    return app, names


# The sustained scenario ------------------------------------------------------------------------------------

def serve_forever(home: Path, port: int) -> None:
    """The server process of the sustained scenario: the demo app over a prepared home, until it is stopped."""
    from journeys.demo import DEMO_CATALOGUE, load_personas
    from journeys.settings import Settings
    from journeys.workspace import Workspace
    from ui.app import launch

    workspace = Workspace(Settings(home=home, namer="keywords", device="cpu", catalog=DEMO_CATALOGUE))
    app = demo_app(workspace, [p.user_id for p in load_personas()])
    launch(app, "127.0.0.1", port, quiet=True)


def resident_mb(pid: int) -> float | None:
    """The process's resident memory in MB (Linux), or None where /proc cannot tell."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


@contextmanager
def server_process(home: Path) -> Iterator[tuple[str, int]]:
    """The app served by a process of its own on a free loopback port: (url, pid)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {**os.environ, "GRADIO_ANALYTICS_ENABLED": "False", "TOKENIZERS_PARALLELISM": "false"}
    process = subprocess.Popen([sys.executable, "-m", "bench.ui_load_bench", "--serve", str(home), "--port", str(port)],
                               env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    url = f"http://127.0.0.1:{port}/"
    try:
        import httpx

        deadline = time.monotonic() + 300
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"the server stopped before it served: {process.stderr.read()[-2000:]}")
            try:
                if httpx.get(url + "config", timeout=5).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("the server did not answer within 300 s")
            time.sleep(0.5)
        yield url, process.pid
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()


@dataclass
class Flood:
    """What one flooding session got for its messages."""

    sent: int = 0
    answered: int = 0
    busy: int = 0
    over_budget: int = 0
    too_long: int = 0
    errors: list[str] = field(default_factory=list)


def long_messages(seed: int) -> Iterator[str]:
    """Messages of 2,000 characters (pasted text, long searches, long requests), and every tenth one 100,000."""
    rng = random.Random(seed)
    words = ("the video about chords for beginners marathon training plan sourdough starter kubernetes operators "
             "ukulele strumming pattern garden hydroponics birdwatching binoculars italian lessons crochet yarn "
             "and then I watched another one about it last spring while thinking about what to do next").split()
    openings = ["", "when did I watch ", "anything new for me about ", "why did you find ", "tell me about "]
    for number in itertools.count(1):
        if number % 10 == 0:
            yield "ukulele " * 12_500
            continue
        text = rng.choice(openings)
        while len(text) < 2000:
            text += rng.choice(words) + " "
        yield text[:2000]


def well_behaved(url: str, user_id: str, until: float, seed: int) -> SessionRun:
    """A person chatting until the deadline: a script of ordinary questions, a pause between turns."""
    from gradio_client import Client

    run, rng = SessionRun(user_id), random.Random(seed)
    try:
        client = Client(url, verbose=False)
    except Exception as exc:  # noqa: BLE001 (counted and reported)
        run.errors.append(f"connecting: {type(exc).__name__}: {exc}")
        return run
    history: list[dict] = []
    for turn, text in enumerate(itertools.cycle(CHAT)):
        time.sleep(rng.uniform(0, THINK[1]) if turn == 0 else rng.uniform(*THINK))  # the sessions start spread out
        if time.monotonic() >= until:
            break
        start = time.perf_counter()
        try:
            _, history = client.submit(text, history, user_id, api_name="/send").result(timeout=TURN_TIMEOUT)
        except Exception as exc:  # noqa: BLE001 (counted and reported)
            run.errors.append(f"{text!r}: {type(exc).__name__}: {exc}"[:300])
            continue
        run.times.append(time.perf_counter() - start)
        reply = text_of(history[-1]) if history else ""
        run.replies.append(reply)
        if not reply.strip() or BUSY in reply or OVER_BUDGET in reply or len(history) < 2 or history[-2]["role"] != "user":
            run.errors.append(f"{text!r}: the reply was {reply[:120]!r}")
    return run


def flooder(url: str, user_id: str, until: float, seed: int) -> Flood:
    """One page sending long messages, FLOOD_IN_FLIGHT at a time, until the deadline."""
    from gradio_client import Client

    flood, lock = Flood(), threading.Lock()
    messages = long_messages(seed)
    try:
        client = Client(url, verbose=False)
    except Exception as exc:  # noqa: BLE001 (counted and reported)
        flood.errors.append(f"connecting: {type(exc).__name__}: {exc}")
        return flood

    def keep_sending() -> None:
        while time.monotonic() < until:
            with lock:
                text = next(messages)
                flood.sent += 1
            try:
                _, history = client.submit(text, [], user_id, api_name="/send").result(timeout=TURN_TIMEOUT)
                reply = text_of(history[-1])
            except Exception as exc:  # noqa: BLE001 (counted and reported)
                with lock:
                    flood.errors.append(f"{type(exc).__name__}: {exc}"[:300])
                continue
            with lock:
                if BUSY in reply:
                    flood.busy += 1
                elif OVER_BUDGET in reply:
                    flood.over_budget += 1
                elif TOO_LONG in reply:
                    flood.too_long += 1
                else:
                    flood.answered += 1

    senders = [threading.Thread(target=keep_sending) for _ in range(FLOOD_IN_FLIGHT)]
    for sender in senders:
        sender.start()
    for sender in senders:
        sender.join()
    return flood


def phase(url: str, pid: int, users: list[str], well: int, flooders: int, seconds: float,
          seed: int) -> dict[str, Any]:
    """Well-behaved and flooding sessions together for the given time; their outcome and the server's memory."""
    samples: list[float] = []
    stop = threading.Event()

    def sample() -> None:
        while not stop.is_set():
            rss = resident_mb(pid)
            if rss is not None:
                samples.append(rss)
            stop.wait(2.0)

    before = resident_mb(pid)
    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    until = time.monotonic() + seconds
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=well + flooders) as pool:
        calm = [pool.submit(well_behaved, url, users[i % len(users)], until, seed + i) for i in range(well)]
        floods = [pool.submit(flooder, url, users[i % len(users)], until, seed + 1000 + i) for i in range(flooders)]
        runs, floods = [f.result() for f in calm], [f.result() for f in floods]
    elapsed = time.perf_counter() - started
    stop.set()
    sampler.join()
    after = resident_mb(pid)
    times = [t for r in runs for t in r.times]
    return {
        "well_behaved_sessions": well, "flooding_sessions": flooders, "seconds": round(elapsed, 1),
        "turns": len(times), "errors": [e for r in runs for e in r.errors],
        "p50_s": statistics.median(times) if times else None,
        "p95_s": results.percentile(times, 0.95) if times else None,
        "p99_s": results.percentile(times, 0.99) if times else None,
        "max_s": max(times) if times else None,
        "flood": {"sent": sum(f.sent for f in floods), "answered": sum(f.answered for f in floods),
                  "one_at_a_time": sum(f.busy for f in floods),
                  "over_budget": sum(f.over_budget for f in floods), "too_long": sum(f.too_long for f in floods),
                  "errors": [e for f in floods for e in f.errors]},
        "rss_mb": {"start": before, "end": after, "peak": max(samples) if samples else None},
        "runs": runs,
    }


def sustained(users: list[str], names: dict[str, list[str]], home: Path, sessions: int, flooders: int,
              seconds: float, baseline_seconds: float) -> dict[str, Any]:
    """The baseline (well-behaved sessions alone), then the same number of well-behaved sessions with the
    flooders, against one server process."""
    well = sessions - flooders
    with server_process(home) as (url, pid):
        chat_session(url, users[0])  # the models load on the first turns: memory is counted from here on
        started_mb = resident_mb(pid)
        base = phase(url, pid, users, well, 0, baseline_seconds, seed=1)
        load = phase(url, pid, users, well, flooders, seconds, seed=2)
    leaked = [x for p in (base, load) for r in p["runs"] for x in leaks(r, names)]
    for part in (base, load):
        del part["runs"]
    return {"sessions": sessions, "flooders": flooders, "server_rss_mb_at_start": started_mb, "baseline": base,
            "load": load, "leaks": leaked}


def main() -> None:
    from journeys.demo import load_personas

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sessions", type=int, default=20, help="sessions of the burst scenario")
    parser.add_argument("--load-sessions", type=int, default=50, help="sessions of the sustained scenario")
    parser.add_argument("--flooders", type=int, default=10, help="how many of those flood the chat")
    parser.add_argument("--duration", type=float, default=300, help="seconds of the sustained load")
    parser.add_argument("--baseline-duration", type=float, default=120,
                        help="seconds of its baseline (the well-behaved sessions alone)")
    parser.add_argument("--skip-sustained", action="store_true")
    parser.add_argument("--serve", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve_forever(args.serve, args.port)
        return
    users = [p.user_id for p in load_personas()]
    with tempfile.TemporaryDirectory() as folder:
        app, names = serve_demo(Path(folder) / "burst", users)
        try:
            alone = [chat_session(app.local_url, users[i % len(users)]) for i in range(len(users))]
            loaded = run_load(app.local_url, users, args.sessions)
        finally:
            app.close()
        report: dict[str, Any] = {
            "sessions": args.sessions, "baseline": summarise(alone), "load": summarise(loaded),
            "errors": [e for r in loaded for e in r.errors], "leaks": [x for r in loaded for x in leaks(r, names)],
            "histories_own_only": all(r.history_ok for r in loaded),
        }
        if not args.skip_sustained:
            home = Path(folder) / "sustained"
            workspace, _ = prepare_home(home, users)
            workspace.close()  # the server process opens the store
            report["sustained"] = sustained(users, names, home, args.load_sessions, args.flooders, args.duration,
                                            args.baseline_duration)
    write_report(report)


def ms(seconds: float | None) -> str:
    return "-" if seconds is None else f"{seconds * 1000:,.0f}"


def ratio(value: float | None, base: float | None) -> str:
    return "-" if not value or not base else f"{value / base:.1f}"


def mb(value: float | None) -> str:
    return "-" if value is None else f"{value:,.0f}"


def write_report(r: dict) -> None:
    machine = results.machine()
    base, load = r["baseline"], r["load"]
    lines = [
        "# Web UI load test",
        "",
        f"`python -m bench.ui_load_bench` on {machine}.",
        "",
        "## Burst",
        "",
        f"{r['sessions']} Gradio client sessions at once on loopback, each one of the 6 demo personas, 3 turns each",
        "(list, explain the first, search). Baseline: the same turns one session at a time, in the same run. Chat",
        "turns and card clicks share 4 workers (Gradio's queue), each visitor one at a time and within a budget",
        "of requests per minute (a 2,000-character message costs 11 of 60).",
        "",
        "| run | turns | p50 (ms) | p95 (ms) | max (ms) | p95 / baseline p95 |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
        f"| one session at a time (baseline) | {base['turns']} | {ms(base['p50_s'])} | {ms(base['p95_s'])} "
        f"| {ms(base['max_s'])} | 1.0 |",
        f"| {r['sessions']} sessions at once | {load['turns']} | {ms(load['p50_s'])} | {ms(load['p95_s'])} "
        f"| {ms(load['max_s'])} | {ratio(load['p95_s'], base['p95_s'])} |",
        "",
        f"Errors: {len(r['errors'])}. Replies naming another persona's journey: {len(r['leaks'])}. "
        f"Every session's chat holds only its own messages: {'yes' if r['histories_own_only'] else 'NO'}.",
    ]
    sustained_run = r.get("sustained")
    if sustained_run:
        s, b, lo = sustained_run, sustained_run["baseline"], sustained_run["load"]
        flood = lo["flood"]
        well = lo["well_behaved_sessions"]
        lines += [
            "",
            "## Sustained, with flooding sessions",
            "",
            f"The app in a process of its own; {s['sessions']} sessions for {lo['seconds']:.0f} s: {well} well-behaved "
            f"(ordinary questions, {THINK[0]:.0f}-{THINK[1]:.0f} s between a reply and the next message) and "
            f"{s['flooders']} flooding (each {FLOOD_IN_FLIGHT} messages of 2,000 characters in flight at once from one "
            "page, one in ten 100,000 characters). Baseline: the same well-behaved sessions alone for "
            f"{b['seconds']:.0f} s, in the same run, against the same server. Turn times are the well-behaved "
            "sessions' (message sent to reply complete).",
            "",
            "| phase | turns | errors | p50 (ms) | p95 (ms) | p99 (ms) | max (ms) | p50 / base | p95 / base "
            "| p99 / base | server memory at end (MB) |",
            "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
            f"| {well} well-behaved alone (baseline) | {b['turns']:,} | {len(b['errors'])} | {ms(b['p50_s'])} "
            f"| {ms(b['p95_s'])} | {ms(b['p99_s'])} | {ms(b['max_s'])} | 1.0 | 1.0 | 1.0 | {mb(b['rss_mb']['end'])} |",
            f"| {well} well-behaved + {s['flooders']} flooding | {lo['turns']:,} | {len(lo['errors'])} "
            f"| {ms(lo['p50_s'])} | {ms(lo['p95_s'])} | {ms(lo['p99_s'])} | {ms(lo['max_s'])} "
            f"| {ratio(lo['p50_s'], b['p50_s'])} | {ratio(lo['p95_s'], b['p95_s'])} | {ratio(lo['p99_s'], b['p99_s'])} "
            f"| {mb(lo['rss_mb']['end'])} |",
            "",
            f"The flooders sent {flood['sent']:,} messages: {flood['answered']:,} answered, {flood['one_at_a_time']:,} "
            f"refused at once because that page already had a turn running, {flood.get('over_budget', 0):,} refused "
            f"because that page had spent its budget for the minute (JOURNEYS_REQUEST_BUDGET), "
            f"{flood['too_long']:,} refused for their length, {len(flood['errors'])} errors.",
            "",
            f"Server memory (resident): {mb(s['server_rss_mb_at_start'])} MB after its first turns, "
            f"{mb(b['rss_mb']['end'])} MB after the baseline, {mb(lo['rss_mb']['end'])} MB after the load (peak "
            f"{mb(lo['rss_mb']['peak'])} MB): {growth(s['server_rss_mb_at_start'], lo['rss_mb']['end'])} over the "
            f"{b['turns'] + lo['turns']:,} well-behaved and {flood['sent']:,} flooding messages, "
            f"{growth(b['rss_mb']['end'], lo['rss_mb']['end'])} during the load.",
            "",
            f"Replies naming another persona's journey: {len(s['leaks'])}.",
        ]
        errors = b["errors"] + lo["errors"] + flood["errors"]
        if errors:
            lines += ["", "First errors:", ""] + [f"- {e}" for e in errors[:5]]
    results.save("ui_load", lines, r)


def growth(start: float | None, end: float | None) -> str:
    return "-" if start is None or end is None else f"{end - start:+,.0f} MB"


if __name__ == "__main__":
    main()
