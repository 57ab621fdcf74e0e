"""Real `journeys` processes that start in milliseconds, so that a test can kill fifty of them.

A fresh Python process needs 10-15 s to import torch, transformers, Chroma and LangGraph before it
does any work, which would make a kill at a random moment land in the imports most of the time.
`WarmProcesses` starts one parent process that imports all that (and loads the models' weights,
without running them) and then forks a child per command: each child is a real, separate
process running `cli.main.main(argv)` with its own stdin, stdout and stderr files, and it can be
killed with SIGKILL like any `journeys` process. The parent runs nothing in torch itself: its
threads would not survive a fork.

Run as a module (`python -m tests.reliability.warm_processes`), it is that parent: it reads one
JSON request a line on stdin and answers one JSON line on stdout.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parents[2]


@dataclass
class Child:
    """One forked `journeys` process: its pid and where its output goes."""

    pid: int
    argv: list[str]
    stdout: Path
    stderr: Path
    started: float


class WarmProcesses:
    """A parent process with everything imported, forking a real `journeys` process per command."""

    def __init__(self, env: dict[str, str], tuned_namer: bool = False, timeout: float = 300):
        self.process = subprocess.Popen(
            [sys.executable, "-m", "tests.reliability.warm_processes", *(["--tuned-namer"] if tuned_namer else [])],
            cwd=REPOSITORY, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, bufsize=1,
        )
        ready = self._answer(timeout)
        assert ready.get("ready"), ready

    def _answer(self, timeout: float = 60) -> dict:
        import select

        # poll, not select: a long test run may hold file descriptors past select()'s limit of 1024.
        waiting = select.poll()
        waiting.register(self.process.stdout, select.POLLIN)
        assert waiting.poll(timeout * 1000), "the warm parent process did not answer"
        line = self.process.stdout.readline()
        assert line, f"the warm parent process ended (exit {self.process.poll()})"
        return json.loads(line)

    def start(self, argv: list[str], folder: Path, stdin: str = "", env: dict[str, str] | None = None) -> Child:
        """Fork a child that runs `journeys ARGV`; its stdout and stderr go to files in folder."""
        folder.mkdir(parents=True, exist_ok=True)
        stamp = f"{time.monotonic_ns()}"
        paths = {name: folder / f"{stamp}.{name}" for name in ("stdin", "stdout", "stderr")}
        paths["stdin"].write_text(stdin, encoding="utf-8")
        self.process.stdin.write(json.dumps({"argv": argv, "env": env or {},
                                             **{k: str(v) for k, v in paths.items()}}) + "\n")
        answer = self._answer()
        return Child(answer["pid"], argv, paths["stdout"], paths["stderr"], time.monotonic())

    def wait(self, child: Child, timeout: float = 600) -> int:
        """The child's exit: its code, or minus the signal that ended it."""
        self.process.stdin.write(json.dumps({"wait": child.pid}) + "\n")
        try:
            return self._answer(timeout)["status"]
        except AssertionError:
            if self.process.poll() is not None:
                raise
            os.kill(child.pid, signal.SIGKILL)  # a hung child must not outlive the test
            self._answer(60)
            raise AssertionError(f"`journeys {' '.join(child.argv)}` did not end within {timeout:.0f} s, so it was "
                                 "killed") from None

    def run(self, argv: list[str], folder: Path, stdin: str = "", env: dict[str, str] | None = None,
            kill_after: float | None = None, sig: int = signal.SIGKILL, timeout: float = 600
            ) -> tuple[int, float, Child]:
        """Run one command, killing it with sig after kill_after seconds if it is still running (and with
        SIGKILL after timeout seconds in any case).

        Returns its exit (minus the signal when killed), its running time and the child.
        """
        child = self.start(argv, folder, stdin, env)
        if kill_after is not None:
            time.sleep(kill_after)
            try:
                os.kill(child.pid, sig)
            except ProcessLookupError:
                pass  # it has ended: its exit says how
        status = self.wait(child, timeout)
        return status, time.monotonic() - child.started, child

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.stdin.close()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def _serve(tuned_namer: bool) -> None:
    """The parent: import and load everything, then fork one child per request."""
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    import torch

    # One thread while loading: torch's thread pool must not exist yet when the children are forked.
    torch.set_num_threads(1)
    import chromadb  # noqa: F401

    import agent  # noqa: F401  (the agent, LangGraph and LangChain)
    import cli.main
    import journeys.extraction.pipeline  # noqa: F401
    import journeys.workspace  # noqa: F401
    from journeys.history.embedding import TextEmbedder

    _ = TextEmbedder(device="cpu").model  # weights read (and sentence-transformers imported), nothing run
    if tuned_namer:
        from journeys.naming.backends import SHIPPED_ADAPTER
        from journeys.naming.language_model import load_tuned_model
        from journeys.settings import Settings

        load_tuned_model(Settings().cache_dir, SHIPPED_ADAPTER, "cpu")
    out = sys.stdout
    out.write(json.dumps({"ready": True}) + "\n")
    out.flush()
    for line in sys.stdin:
        request = json.loads(line)
        if "wait" in request:
            _, status = os.waitpid(request["wait"], 0)
            code = os.waitstatus_to_exitcode(status)
            out.write(json.dumps({"status": code}) + "\n")
            out.flush()
            continue
        pid = os.fork()
        if pid == 0:
            _child(request, cli.main.main, torch)
        out.write(json.dumps({"pid": pid}) + "\n")
        out.flush()


def _child(request: dict, main, torch) -> None:
    """In the forked child: become `journeys ARGV` with the request's files as stdin, stdout and stderr."""
    code = 1
    try:
        for fd, name, mode in ((0, "stdin", os.O_RDONLY), (1, "stdout", os.O_WRONLY | os.O_CREAT | os.O_TRUNC),
                               (2, "stderr", os.O_WRONLY | os.O_CREAT | os.O_TRUNC)):
            opened = os.open(request[name], mode, 0o644)
            os.dup2(opened, fd)
            os.close(opened)
        sys.stdin = open(0, encoding="utf-8", closefd=False)
        sys.stdout = open(1, "w", encoding="utf-8", closefd=False, buffering=1)
        sys.stderr = open(2, "w", encoding="utf-8", closefd=False, buffering=1)
        os.environ.update(request["env"])
        torch.set_num_threads(2)
        signal.signal(signal.SIGINT, signal.default_int_handler)
        code = main(request["argv"])
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 1
    except BaseException:
        import traceback

        traceback.print_exc()
    finally:
        try:
            sys.stdout.flush()
            sys.stderr.flush()
        finally:
            os._exit(code)


if __name__ == "__main__":
    _serve("--tuned-namer" in sys.argv)
