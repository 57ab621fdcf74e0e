"""Twenty sessions chatting at once on loopback: no errors, no leaks between sessions, p95 reported."""

import pytest

from bench.ui_load_bench import leaks, run_load, serve_demo, summarise
from journeys.demo import load_personas

pytestmark = pytest.mark.slow


def test_twenty_concurrent_sessions_get_their_own_answers(tmp_path, record_property):
    users = [p.user_id for p in load_personas()]
    app, names = serve_demo(tmp_path, users)
    try:
        runs = run_load(app.local_url, users, sessions=20)
    finally:
        app.close()
    assert [e for r in runs for e in r.errors] == []
    assert all(len(r.replies) == 3 for r in runs)
    assert [x for r in runs for x in leaks(r, names)] == []
    assert all(r.history_ok for r in runs)
    for run in runs:  # each session's own conversation: "the first one" is its own persona's first journey
        assert names[run.user_id][0].lower() in run.replies[1].lower(), (run.user_id, run.replies[1][:200])
    stats = summarise(runs)
    record_property("p95_turn_seconds", round(stats["p95_s"], 3))
    print(f"\n20 sessions, {stats['turns']} turns: p50 {stats['p50_s']:.2f} s, p95 {stats['p95_s']:.2f} s")
