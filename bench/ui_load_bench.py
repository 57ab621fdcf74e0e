"""Load test of the web UI on loopback: concurrent sessions chatting through Gradio's client.

N sessions (20 by default) start together, each as one of the demo personas (round robin),
each with its own Gradio session, and each says three things: "what are my journeys?",
"why did you find the first one?" (which depends on that session's own conversation), and
"when did I watch the video for beginners?". Checked: no request fails, every reply is
about the session's own persona only (no other persona's journey appears), and every
session's chat holds only its own messages. Reported: turn time p50/p95/max under load,
against the same turns run one at a time in the same run (the baseline).

    python -m bench.ui_load_bench                 # 20 sessions, writes bench/results/ui_load.{md,json}
    python -m bench.ui_load_bench --sessions 5
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench import report as results

SCRIPT = ["what are my journeys?", "why did you find the first one?", "when did I watch the video for beginners?"]


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
    except Exception as exc:  # noqa: BLE001: every failure is counted and reported
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


def serve_demo(home: Path, users: list[str]):
    """The demo app on a free loopback port over the given personas (journeys found, keyword names)."""
    from agent import build_graph, open_checkpointer
    from agent.assistant import Assistant
    from journeys.demo import load_personas
    from journeys.settings import Settings
    from journeys.workspace import Workspace
    from ui.app import Person, build_app, launch

    personas = [p for p in load_personas() if p.user_id in users]
    workspace = Workspace(Settings(home=home, namer="keywords", device="cpu"))
    workspace.ingest([p.history_path for p in personas])
    for persona in personas:
        workspace.extract(persona.user_id)
    graph = build_graph(workspace, checkpointer=open_checkpointer(workspace.settings.checkpoints_db))
    app = build_app(Assistant(workspace, graph), [Person(p.user_id, p.display_name) for p in personas])
    launch(app, "127.0.0.1", None, prevent_thread_lock=True, quiet=True)
    names = {p.user_id: [j.name for j in workspace.journeys.journeys(p.user_id)] for p in personas}
    return app, names


def main() -> None:
    from journeys.demo import load_personas

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sessions", type=int, default=20)
    args = parser.parse_args()
    users = [p.user_id for p in load_personas()]
    with tempfile.TemporaryDirectory() as home:
        app, names = serve_demo(Path(home), users)
        try:
            alone = [chat_session(app.local_url, users[i % len(users)]) for i in range(len(users))]
            loaded = run_load(app.local_url, users, args.sessions)
        finally:
            app.close()
    report = {
        "sessions": args.sessions, "baseline": summarise(alone), "load": summarise(loaded),
        "errors": [e for r in loaded for e in r.errors], "leaks": [x for r in loaded for x in leaks(r, names)],
        "histories_own_only": all(r.history_ok for r in loaded),
    }
    write_report(report)


def write_report(r: dict) -> None:
    machine = results.machine()
    base, load = r["baseline"], r["load"]
    lines = [
        "# Web UI load test",
        "",
        f"`python -m bench.ui_load_bench` on {machine}: {r['sessions']} Gradio client sessions at once on loopback,",
        "each one of the 6 demo personas, 3 turns each (list, explain the first, search). Baseline: the same",
        "turns one session at a time, in the same run. The app serves 4 events at a time (Gradio's queue).",
        "",
        "| run | turns | p50 (ms) | p95 (ms) | max (ms) | p95 / baseline p95 |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
        f"| one session at a time (baseline) | {base['turns']} | {base['p50_s'] * 1000:.0f} | {base['p95_s'] * 1000:.0f} "
        f"| {base['max_s'] * 1000:.0f} | 1.0 |",
        f"| {r['sessions']} sessions at once | {load['turns']} | {load['p50_s'] * 1000:.0f} | {load['p95_s'] * 1000:.0f} "
        f"| {load['max_s'] * 1000:.0f} | {load['p95_s'] / base['p95_s']:.1f} |",
        "",
        f"Errors: {len(r['errors'])}. Replies naming another persona's journey: {len(r['leaks'])}. "
        f"Every session's chat holds only its own messages: {'yes' if r['histories_own_only'] else 'NO'}.",
    ]
    results.save("ui_load", lines, r)


if __name__ == "__main__":
    main()
