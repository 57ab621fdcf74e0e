"""Entry point of the `journeys` console script; the commands follow docs/spec/cli.md."""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from journeys.history.activity import FORMATS, HistoryFileError
from journeys.settings import Settings, shared_data_dir

if TYPE_CHECKING:
    from journeys.naming.base import NamingRequest

DEFAULT_HOST, DEFAULT_PORT = "127.0.0.1", 7860
DEFAULT_NAMER_PORT = 8008


class UserError(Exception):
    """A problem the user can fix; printed as one sentence without a traceback."""


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every command and flag (docs/spec/cli.md)."""
    common = _common_flags()
    parser = argparse.ArgumentParser(
        prog="journeys", parents=[common],
        description="Find a person's interest journeys in their activity history and talk with them about it.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    _history_commands(commands, common)
    _conversation_commands(commands, common)
    _naming_commands(commands, common)
    _understanding_commands(commands, common)
    ui = commands.add_parser("ui", parents=[common], help="start the web UI over the stored histories",
                             description="Start the Gradio web app over the users in the history store. With --users, "
                                         "each person logs in and sees only their own journeys.")
    _serve_flags(ui)
    ui.add_argument("--users", type=Path,
                    help="file of user_id:password lines: ask each visitor to log in (default: $JOURNEYS_UI_USERS; "
                         "without it, a picker offers every user in the store)")
    return parser


def _common_flags() -> argparse.ArgumentParser:
    """The flags every command takes: where the stores are, extraction settings, --debug."""
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--home", type=Path, help="folder for the stores (default: $JOURNEYS_HOME or a per-user data folder)")
    common.add_argument("--chroma-url", help="use the Chroma server at this URL instead of the embedded store")
    common.add_argument("--database-url", metavar="postgresql://...",
                        help="keep journeys and conversations in this PostgreSQL database, shared by every process "
                             "that uses it (default: $JOURNEYS_DATABASE_URL, else SQLite files in the home)")
    common.add_argument("--debug", action="store_true", help="show tracebacks and library logs")
    common.add_argument("--extraction", metavar="NAME=VALUE,...",
                        help="extraction parameters, e.g. 'neighbours=40,join_threshold=0.6' "
                             "(default: $JOURNEYS_EXTRACTION or the built-in ones)")
    return common


def _history_commands(commands: Any, common: argparse.ArgumentParser) -> None:
    """demo, ingest, extract, recommend and batch: from history files to journeys and suggestions."""
    demo = commands.add_parser("demo", parents=[common], help="prepare the demo personas and start the web UI",
                               description="Ingest the demo personas, find and name their journeys, and start the web UI.")
    _serve_flags(demo)

    ingest = commands.add_parser("ingest", parents=[common], help="load activity histories into the history store",
                                 description="Load activity histories (JSON Lines or CSV, see the history format) into the history store.")
    ingest.add_argument("paths", nargs="+", type=Path, metavar="PATH", help="history file(s)")
    ingest.add_argument("--user", help="import only this user's activities")
    ingest.add_argument("--format", choices=list(FORMATS),
                        help="jsonl or csv (default: from the extension), or movielens / lastfm with PATH the data set's folder")
    ingest.add_argument("--skip-invalid", action="store_true", help="import the valid rows and report every skipped line")

    extract = commands.add_parser("extract", parents=[common], help="find (or refresh) a user's journeys and name them",
                                  description="Find (or refresh) a user's journeys and name them.")
    extract.add_argument("--user", required=True, help="whose journeys")
    extract.add_argument("--json", action="store_true", help="print the journeys as a JSON list")
    extract.add_argument("--namer", help="naming backend: tuned, fewshot, keywords or remote (default: $JOURNEYS_NAMER or tuned)")
    _remote_namer_flags(extract)

    recommend = commands.add_parser(
        "recommend", parents=[common], help="suggest new items for a user's journeys, each with a reason",
        description="Suggest items the user has not had yet, each with a one-line reason (the history item it is "
                    "closest to): for one journey, or shared among the active journeys by their weight (steering "
                    "counts). Candidates: every item in the store the user has not had, or a catalogue file.")
    recommend.add_argument("--user", required=True, help="whose journeys")
    recommend.add_argument("--journey", metavar="J", help="one journey: its id, its number in the list, or words of its name")
    recommend.add_argument("--catalog", type=Path, metavar="FILE",
                           help="history-format file of candidate items (default: $JOURNEYS_CATALOG, else every "
                                "item in the store the user has not had)")
    recommend.add_argument("--k", type=int, default=10, help="how many suggestions (default: 10)")
    recommend.add_argument("--json", action="store_true",
                           help="print the suggestions as a JSON list (item_id, title, journey_id, journey_name, "
                                "score, because_title, reason)")

    batch = commands.add_parser(
        "batch", parents=[common], help="find and name journeys for every user, in parallel on Ray",
        description="Extract and name journeys for every user in the history store (or those in --users), each user "
                    "one task on Ray workers (a local Ray runtime, or --ray-address for a cluster). Resumable: a "
                    "rerun skips the users already done on the same history and settings. Ends with "
                    "'N users, M journeys, F failed'.")
    batch.add_argument("--users", type=Path, help="file of user ids, one per line (default: every user in the store)")
    batch.add_argument("--workers", type=int, default=2, help="parallel workers (default: 2; 1 runs in this process)")
    batch.add_argument("--ray-address", help="join this Ray cluster (ray://HOST:10001 or HOST:6379) "
                                             "instead of starting a local Ray runtime")
    batch.add_argument("--output", type=Path, help="also write one JSON line per journey: user_id plus the "
                                                   "fields of `journeys extract --json`")
    batch.add_argument("--namer", help="naming backend: tuned, fewshot, keywords or remote "
                                       "(default: $JOURNEYS_NAMER or tuned)")
    _remote_namer_flags(batch)


def _conversation_commands(commands: Any, common: argparse.ArgumentParser) -> None:
    """chat and dialogues: talking with the agent, by hand or from scenario files."""
    chat = commands.add_parser("chat", parents=[common], help="talk with the agent in the terminal",
                               description="Talk with the agent about a user's journeys in the terminal (end with Ctrl-D or 'quit').")
    chat.add_argument("--user", required=True, help="whose journeys")
    chat.add_argument("--thread", help="conversation id to resume (default: one per user)")

    dialogues = commands.add_parser(
        "dialogues", parents=[common], help="run scripted dialogue scenarios (YAML) against the agent",
        description="Run scripted dialogue scenarios: each gets a fresh store with its history ingested, the agent "
                    "is driven turn by turn and every expectation is checked. Prints a result per scenario and "
                    "'N passed, M failed'; exits 0 only if all pass.")
    dialogues.add_argument("paths", nargs="+", type=Path, metavar="PATH", help="scenario file or folder of *.yaml files")
    dialogues.add_argument("--report", type=Path, help="write the JSON report here")
    dialogues.add_argument("--junit", type=Path, help="write JUnit XML here")
    dialogues.add_argument("--simulate", type=int, metavar="N",
                           help="for scenarios with a 'simulate' section: let the simulated user talk for N turns "
                                "(default: the scenario's own)")


def _naming_commands(commands: Any, common: argparse.ArgumentParser) -> None:
    """name and namer (train, serve, export, eval): the namer on its own."""
    name = commands.add_parser("name", parents=[common], help="name groups of items in bulk",
                               description="Name groups of items in bulk: each input line is "
                                           '{"id": ..., "titles": [...], "terms": [...] (optional)}; '
                                           'each output line is {"id": ..., "name": ...}, in the same order.')
    name.add_argument("--input", required=True, type=Path, help="JSON Lines file of groups")
    name.add_argument("--output", required=True, type=Path, help="JSON Lines file to write the names to")
    name.add_argument("--namer", help="naming backend: tuned (the default), fewshot, keywords or remote")
    _remote_namer_flags(name)

    namer = commands.add_parser("namer", parents=[common], help="train the namer model",
                                description="Work on the namer model.")
    namer_commands = namer.add_subparsers(dest="namer_command", required=True, metavar="NAMER_COMMAND")
    train = namer_commands.add_parser(
        "train", parents=[common], help="fine-tune the namer (LoRA on Gemma 3 270M)",
        description="Fine-tune the namer with LoRA on naming examples (Last.fm and MovieLens users' own tags, "
                    "and the project's written examples), seeded and driven by a config file.")
    train.add_argument("--config", type=Path, help="YAML training config (default: built-in settings)")
    train.add_argument("--output", type=Path, required=True, help="folder to write the adapter to")
    train.add_argument("--data", type=Path, default=shared_data_dir(),
                       help="folder with lastfm-hetrec2011-2k/ and movielens-ml-latest-small/")
    train.add_argument("--device", choices=["auto", "cpu", "cuda"], help="where to train (default: from the config)")

    serve = namer_commands.add_parser(
        "serve", parents=[common], help="serve the tuned namer over HTTP (OpenAI completions API)",
        description="Serve the tuned namer over HTTP for remote use (the GPU-hosted deployment): "
                    "POST /v1/completions and GET /v1/models as in the OpenAI API, GET /health. "
                    "Clients use it with --namer remote --namer-url http://HOST:PORT.")
    serve.add_argument("--device", choices=["auto", "cpu", "cuda"], default="auto",
                       help="where the model runs (default: auto, CUDA when present)")
    serve.add_argument("--host", default=DEFAULT_HOST, help=f"interface to listen on (default: {DEFAULT_HOST})")
    serve.add_argument("--port", type=int, default=DEFAULT_NAMER_PORT, help=f"port (default: {DEFAULT_NAMER_PORT})")
    serve.add_argument("--adapter", type=Path, help="adapter of the tuned namer (default: the shipped one)")
    serve.add_argument("--batch-size", type=int, default=16, help="prompts completed together (default: 16)")

    export = namer_commands.add_parser(
        "export", parents=[common], help="write the tuned namer as a standard Hugging Face checkpoint",
        description="Write the tuned namer (base model with the adapter merged in) as a Hugging Face checkpoint "
                    "(safetensors, config, tokenizer) that vLLM and transformers load as it is, with a model card "
                    "giving the vLLM command that serves it for --namer remote.")
    export.add_argument("--output", type=Path, required=True, help="new folder to write the checkpoint to")
    export.add_argument("--adapter", type=Path, help="adapter of the tuned namer (default: the shipped one)")

    evaluate = namer_commands.add_parser(
        "eval", parents=[common], help="score the namers on held-out human-named groups",
        description="Score every namer (tuned, fewshot, keywords) with SacreBLEU, ROUGE-L, embedding similarity, "
                    "distinct names, copy/narrow share and fit score on held-out sets (Last.fm and MovieLens test "
                    "users, Spotify playlists, written examples), and name the journeys of a few real MovieLens "
                    "users; writes docs/evaluation/naming.md.")
    evaluate.add_argument("--data", type=Path, default=shared_data_dir(),
                          help="folder with the data sets")
    evaluate.add_argument("--adapter", type=Path, help="adapter of the tuned namer (default: the shipped one)")
    evaluate.add_argument("--limit", type=int, default=200, help="at most this many groups per set (default: 200)")
    evaluate.add_argument("--namers", nargs="+", default=["tuned", "fewshot", "keywords"],
                          help="backends to score (default: tuned fewshot keywords)")


def _understanding_commands(commands: Any, common: argparse.ArgumentParser) -> None:
    """understand (build, train, eval): the offline agent's learned understanding of messages."""
    understand = commands.add_parser("understand", parents=[common], help="train and score the understanding model",
                                     description="Work on the model that reads the user's messages offline.")
    steps = understand.add_subparsers(dest="understand_command", required=True, metavar="UNDERSTAND_COMMAND")
    build = steps.add_parser("build", parents=[common], help="expand the phrasing families into utterances",
                             description="Expand journeys/understanding/data/families/*.yaml over made-up users into "
                                         "journeys/understanding/data/utterances.jsonl (text, state, expected request, "
                                         "split).")
    build.add_argument("--families", type=Path, help="folder of family files (default: the shipped ones)")
    build.add_argument("--output", type=Path, help="file to write (default: the package's utterances.jsonl)")
    train = steps.add_parser(
        "train", parents=[common], help="build the utterances and train the understanding adapter",
        description="Build the utterances, then train the understanding (LoRA on all-MiniLM-L6-v2 with an intent "
                    "head and a span tagger) on the train split; the dev split is scored after each epoch.")
    train.add_argument("--families", type=Path, help="folder of family files (default: the shipped ones)")
    train.add_argument("--output", type=Path, help="folder to write the adapter to (default: the shipped one)")
    train.add_argument("--epochs", type=int, default=6, help="passes over the train split (default: 6, as the shipped adapter)")
    train.add_argument("--seed", type=int, default=0, help="seed of the build and the training (default: 0)")
    train.add_argument("--members", type=int, default=None,
                       help="models trained apart (seeds seed, seed+1, ...) whose readings are averaged "
                            "(default: as the shipped adapter)")
    train.add_argument("--device", choices=["auto", "cpu", "cuda"], default="auto", help="where to train")
    evaluate = steps.add_parser(
        "eval", parents=[common], help="score the understanding on held-out phrasings",
        description="Score the learned understanding and the old pattern reader on the test split; writes "
                    "docs/evaluation/understanding.md (as python -m journeys.evaluation.understanding).")
    evaluate.add_argument("--split", choices=["test", "dev", "train"], default="test")
    evaluate.add_argument("--output", type=Path, help="report to write (default: docs/evaluation/understanding.md)")


def _serve_flags(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--host", default=DEFAULT_HOST, help=f"interface to listen on (default: {DEFAULT_HOST})")
    parser.add_argument("--port", type=int, default=DEFAULT_PORT, help=f"port (default: {DEFAULT_PORT})")


def _remote_namer_flags(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--namer-url", help="with --namer remote: the namer host "
                        "(default: $JOURNEYS_NAMER_URL or http://127.0.0.1:%d)" % DEFAULT_NAMER_PORT)


def settings_from(args: argparse.Namespace) -> Settings:
    """Settings from the environment with the command's flags on top."""
    if getattr(args, "extraction", None):
        from journeys.extraction.clustering import clustering_from_text

        clustering_from_text(args.extraction, source="--extraction")  # a bad value is named as the flag's
    url = getattr(args, "database_url", None)
    if url and not url.startswith(("postgresql://", "postgres://")):
        raise UserError(f"--database-url {url!r} is not a PostgreSQL URL; give postgresql://user:password@host:port/"
                        "database, or leave it out for the SQLite files in the home")
    return Settings.from_env(
        home=args.home, chroma_url=args.chroma_url, database_url=url, namer=getattr(args, "namer", None),
        namer_url=getattr(args, "namer_url", None), extraction=getattr(args, "extraction", None),
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; returns the process exit code."""
    args = build_parser().parse_args(argv)
    _quiet_libraries(args.debug)
    try:
        return COMMANDS[args.command](args)
    except KeyboardInterrupt:
        print("journeys: interrupted", file=sys.stderr)
        return 130
    except (UserError, HistoryFileError, ValueError, OSError) as exc:
        if args.debug:
            raise
        print(f"journeys: error: {one_line(str(exc))}", file=sys.stderr)
        return 1
    except Exception as exc:  # a bug, or a fault no check foresaw: still one sentence, the traceback on request
        if args.debug:
            raise
        print(f"journeys: error: {args.command} failed unexpectedly ({type(exc).__name__}: {one_line(str(exc))}); "
              "run it again with --debug to see where, and report it", file=sys.stderr)
        return 1


def one_line(text: str, limit: int = 1000) -> str:
    """A message as one line of bounded length: line breaks shown as spaces, the middle of a flood cut out."""
    text = " ".join(text.split("\n"))
    return text if len(text) <= limit else f"{text[:limit - 200]} … {text[-150:]}"


def _quiet_libraries(debug: bool) -> None:
    if debug:
        return
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    if "transformers" in sys.modules:  # imported already (main called from a running program): tell it directly
        from transformers.utils import logging as transformers_logging

        transformers_logging.set_verbosity_error()
        transformers_logging.disable_progress_bar()
    warnings.filterwarnings("ignore")
    logging.getLogger().setLevel(logging.ERROR)
    for name in ("chromadb", "httpx", "sentence_transformers", "transformers"):
        logging.getLogger(name).setLevel(logging.ERROR)
    # The project's own warnings (such as a namer falling back) are shown as one line each.
    own = logging.getLogger("journeys")
    if not own.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("journeys: warning: %(message)s"))
        own.addHandler(handler)
        own.setLevel(logging.WARNING)
        own.propagate = False


def _workspace(settings: Settings):
    from journeys.workspace import Workspace

    return Workspace(settings)


def cmd_ingest(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    workspace = _workspace(settings_from(args))
    _ = workspace.history  # open the store first: if another process holds it, say so before reading any file
    bars: dict[str, tqdm] = {}

    # Progress always goes to stderr (also when it is not a terminal), as docs/spec/cli.md asks.
    # Two bars, so that each estimate is honest: one counts the rows read and checked (no total, as a data
    # set's folder gives its row count only once read), the other the rows stored (only --user's).
    def on_read(count: int) -> None:
        if "read" not in bars:
            # Shown after half a second only, so a small bad file prints nothing but its error.
            bars["read"] = tqdm(unit=" rows", desc="Reading", file=sys.stderr, mininterval=0.5, delay=0.5)
        bars["read"].update(count)

    def on_total(total: int) -> None:
        if "read" in bars:
            bars["read"].close()
        bars["store"] = tqdm(total=total, unit="activity", desc="Ingesting", file=sys.stderr, mininterval=0.5)

    try:
        report = workspace.ingest(
            args.paths, fmt=args.format, user_id=args.user, skip_invalid=args.skip_invalid,
            on_progress=lambda n: bars["store"].update(n), on_total=on_total, on_read=on_read,
        )
    finally:
        for bar in bars.values():
            bar.close()
        workspace.close()
    for skipped in report.skipped:
        print(f"skipped {skipped}", file=sys.stderr)
    parts = [f"{report.added} activities added", f"{report.already_stored} already stored"]
    if report.skipped:
        parts.append(f"{len(report.skipped)} invalid rows skipped")
    if report.other_users:
        parts.append(f"{report.other_users} of other users left out")
    users = ", ".join(sorted(report.users)) or "none"
    print(f"{'; '.join(parts)} (users: {users}).")
    return 0


def cmd_extract(args: argparse.Namespace) -> int:
    workspace = _workspace(settings_from(args))
    if workspace.history.count(args.user) == 0:
        raise UserError(
            f"there is no activity history for user '{args.user}' in {workspace.settings.home}; "
            "import one with `journeys ingest PATH` or check --home"
        )
    journeys = workspace.extract(args.user)
    if args.json:
        print(json.dumps([j.summary() for j in journeys], ensure_ascii=False, indent=2))
    else:
        for number, journey in enumerate(journeys, start=1):
            span = f"{journey.first_seen:%Y-%m-%d} to {journey.last_seen:%Y-%m-%d}" if journey.first_seen else "no items yet"
            print(f"{number}. {journey.name} [{journey.status}] {journey.size} activities, {span}")
        if not journeys:
            print("No persistent interests found yet.")
    return 0


def cmd_recommend(args: argparse.Namespace) -> int:
    from dataclasses import asdict

    from tqdm import tqdm

    from journeys.state.journey import Status

    if args.k < 1:
        raise UserError(f"--k {args.k} asks for no suggestions; give a number of 1 or more")
    workspace = _workspace(settings_from(args))
    user = args.user
    if workspace.history.count(user) == 0:
        raise UserError(
            f"there is no activity history for user '{user}' in {workspace.settings.home}; "
            "import one with `journeys ingest PATH` or check --home"
        )
    journeys = workspace.journeys.journeys(user)
    if not journeys:
        raise UserError(f"user '{user}' has no journeys yet, so there is nothing to base suggestions on; "
                        f"find them first with `journeys extract --user {user}`")
    journey_id = None
    if args.journey:
        target = _journey_named(args.journey, journeys, workspace, user)
        if target.status is Status.PAUSED:
            raise UserError(f"the journey '{target.name}' ({target.id}) is paused, so it recommends nothing; "
                            "resume it in `journeys chat` (\"resume it\") or ask without --journey")
        if target.status is Status.REJECTED:
            raise UserError(f"the journey '{target.name}' ({target.id}) was rejected, so it recommends nothing; "
                            "pick another journey or ask without --journey")
        journey_id = target.id
    elif not any(j.status in (Status.PROPOSED, Status.CONFIRMED) for j in journeys):
        raise UserError(f"every journey of user '{user}' is paused, so nothing is recommended; "
                        "resume one in `journeys chat` first")
    bars: list[tqdm] = []

    def progress(done: int, total: int) -> None:
        # Embedding a new catalogue file takes a while: progress goes to stderr, as with ingest.
        if not bars:
            bars.append(tqdm(total=total, unit="item", desc="Embedding the catalogue", file=sys.stderr))
        bars[0].update(done - bars[0].n)

    try:
        catalogue = workspace.catalogue(user, args.catalog, on_progress=progress)
    finally:
        for bar in bars:
            bar.close()
    if catalogue.source == "sample":
        print("journeys: note: the store holds no one else's items, so the suggestions come from the sample "
              "catalogue shipped with the demo; pass --catalog FILE to use your own", file=sys.stderr)
    found = workspace.recommend(user, journey_id=journey_id, k=args.k, catalog=args.catalog)
    if args.json:
        print(json.dumps([asdict(r) for r in found], ensure_ascii=False, indent=2))
        return 0
    for number, suggestion in enumerate(found, start=1):
        print(f"{number}. {suggestion.title} [{suggestion.item_id}]: {suggestion.reason}")
    if not found:
        print("Nothing new to suggest: no candidate the user has not had is close enough to their journeys.")
    return 0


def _journey_named(reference: str, journeys, workspace, user: str):
    """The journey a --journey value means (id, number or words, as the agent resolves them), or a UserError."""
    from journeys.state.journey import Status
    from journeys.state.references import resolve_journey

    resolution = resolve_journey(journeys, reference, embed=workspace.embedder.embed)
    if resolution.sure:
        return resolution.journey
    # Rejected journeys are hidden from the list; a reference to one is answered with its status.
    rejected = [j for j in workspace.journeys.journeys(user, include_rejected=True) if j.status is Status.REJECTED]
    hidden = resolve_journey(rejected, reference, strict=True).journey
    if hidden is not None:
        return hidden
    listing = "; ".join(f"{n}. {j.name} ({j.id})" for n, j in enumerate(journeys, start=1))
    if resolution.ambiguous:
        names = ", ".join(f"'{j.name}' ({j.id})" for j in resolution.candidates)
        raise UserError(f"--journey '{reference}' could be any of {names}; give the journey's id or number")
    closest = f"; the closest is '{resolution.journey.name}' ({resolution.journey.id})" if resolution.journey else ""
    raise UserError(f"user '{user}' has no journey matching '{reference}'{closest}; their journeys are: {listing}")


def _conversation_graph(workspace, settings: Settings):
    from agent import build_graph, open_checkpointer
    from agent.configuration import OFFLINE, Configuration

    configuration = Configuration(chat_model=settings.chat_model or OFFLINE)
    return build_graph(workspace, configuration, checkpointer=open_checkpointer(settings.checkpoints_db))


# What ends a chat: said alone, with or without a closing mark.
GOODBYES = {"quit", "exit", "bye", "goodbye", "bye bye", "bye-bye", "see you", "ciao"}
GOODBYE_REPLY = "Bye! Your journeys are kept here for next time."
NOT_UTF8_REPLY = "That line is not valid UTF-8 text, so I could not read it; please type it again."


def cmd_chat(args: argparse.Namespace) -> int:
    from journeys.workspace import Step

    settings = settings_from(args)
    workspace = _workspace(settings)
    user = args.user
    if workspace.history.count(user) == 0:
        raise UserError(
            f"there is no activity history for user '{user}' in {settings.home}; "
            "import one with `journeys ingest PATH` or check --home"
        )
    # A user whose journeys were never looked for gets them found now, before the first question, not during it.
    first_chat = not workspace.journeys.journeys(user, include_rejected=True) and not workspace.journeys.has_events(user)
    conversations = []

    def load_agent() -> None:
        from agent import Conversation

        conversations.append(Conversation(_conversation_graph(workspace, settings), user, thread_id=args.thread))

    steps = [*workspace.loading_steps(naming=first_chat), Step("loading the agent", load_agent)]
    if first_chat:
        steps.append(Step(f"finding and naming {user}'s journeys (first chat only)", lambda: workspace.extract(user)))
    _prepare("Chat", steps, leave=False)
    conversation = conversations[0]
    interactive = sys.stdin.isatty()
    if hasattr(sys.stdin, "reconfigure"):
        # Bytes that are not UTF-8 get a reply saying so, instead of ending the chat with a decoding error.
        sys.stdin.reconfigure(errors="surrogateescape")
    if interactive:
        print(f"Talking about {user}'s journeys. Ask “what are my journeys?”; end with Ctrl-D or 'bye'.")
    while True:
        try:
            text = input("you> " if interactive else "")
        except EOFError:
            if interactive:
                print(f"\njourneys> {GOODBYE_REPLY}")
            break
        if text.strip().lower().rstrip("!.") in GOODBYES:
            print(f"journeys> {GOODBYE_REPLY}", flush=True)
            break
        if not text.strip():
            continue
        if any("\udc80" <= ch <= "\udcff" for ch in text):
            print(f"journeys> {NOT_UTF8_REPLY}\n", flush=True)
            continue
        reply = conversation.ask(text)
        print(f"journeys> {plain_text(reply.text)}\n", flush=True)
    return 0


def plain_text(markdown: str) -> str:
    """A reply's Markdown as plain terminal text: emphasis and code marks dropped, links as "text (url)", headings bare."""
    import re

    lines = []
    for line in markdown.splitlines():
        if re.match(r"\s*(```|~~~)", line):
            continue  # a code fence's marks go; the code's own lines stay
        line = re.sub(r"^\s{0,3}#{1,6}\s+(.*?)\s*#*\s*$", r"\1", line)
        line = re.sub(r"^(\s*)[*+]\s+", r"\1- ", line)  # "* item" bullets read as "- item"
        lines.append(line)
    text = "\n".join(lines)
    text = re.sub(r"!?\[([^\]]*)\]\(([^)\s]+)[^)]*\)", lambda m: m[1] if m[1] == m[2] or not m[1] else f"{m[1]} ({m[2]})", text)
    text = re.sub(r"<(https?://[^>\s]+)>", r"\1", text)
    text = re.sub(r"`([^`\n]+)`", r"\1", text)
    # Emphasis only where it opens and closes around words, so "M*A*S*H", "2 * 3" and snake_case stay as written.
    for mark in (r"\*\*\*", r"___", r"\*\*", r"__", r"\*", r"_", r"~~"):
        text = re.sub(rf"(?<![\w*~]){mark}(?=\S)(.+?)(?<=\S){mark}(?![\w*~])", r"\1", text)
    return text


def read_groups(path: Path) -> list[tuple[object, NamingRequest]]:
    """The groups of a `journeys name` input file; a bad line stops with its number and the reason."""
    from journeys.history.activity import unstorable
    from journeys.naming.backends import NamingRequest

    groups = []
    with path.open("rb") as handle:
        for number, raw in enumerate(handle, start=1):
            try:
                line = raw.decode("utf-8-sig" if number == 1 else "utf-8")
            except UnicodeDecodeError as exc:
                raise UserError(f"{path}, line {number}: invalid UTF-8 at byte {exc.start + 1}; save the file as "
                                "UTF-8") from None
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except (json.JSONDecodeError, RecursionError, ValueError) as exc:
                reason = exc.msg if isinstance(exc, json.JSONDecodeError) else "a value it holds cannot be read"
                raise UserError(f"{path}, line {number}: not valid JSON ({reason}); fix that line") from None
            titles, terms = record.get("titles") if isinstance(record, dict) else None, None
            if not isinstance(titles, list) or not titles or not all(isinstance(t, str) for t in titles):
                raise UserError(f"{path}, line {number}: 'titles' must be a non-empty list of strings; fix that line")
            terms = record.get("terms") or []
            if not isinstance(terms, list) or not all(isinstance(t, str) for t in terms):
                raise UserError(f"{path}, line {number}: 'terms' must be a list of strings; fix that line")
            if "id" not in record:
                raise UserError(f"{path}, line {number}: 'id' is missing; give every group an id")
            problem = unstorable({"titles": titles, "terms": terms})
            if problem:
                raise UserError(f"{path}, line {number}: {problem}")
            groups.append((record["id"], NamingRequest(titles=titles, terms=terms)))
    return groups


def cmd_name(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from journeys.naming.backends import make_namer

    settings = settings_from(args)
    if not args.input.is_file():
        raise UserError(f"{args.input}: no such file; check the --input path")
    groups = read_groups(args.input)
    # docs/spec/cli.md makes the fine-tuned namer this command's default.
    namer = make_namer(args.namer or os.environ.get("JOURNEYS_NAMER") or "tuned", settings)
    names = []
    chunk = 32
    with tqdm(total=len(groups), unit="group", desc="Naming", file=sys.stderr) as bar:
        for start in range(0, len(groups), chunk):
            part = groups[start:start + chunk]
            names += namer.name_many([request for _, request in part])
            bar.update(len(part))
    args.output.parent.mkdir(parents=True, exist_ok=True)
    with args.output.open("w", encoding="utf-8") as handle:
        for (group_id, _), naming in zip(groups, names):
            handle.write(json.dumps({"id": group_id, "name": naming.name}, ensure_ascii=False) + "\n")
    print(f"{len(names)} groups named with the {namer.backend} namer into {args.output}.")
    fell_back = sum(1 for naming in names if "remote_fallback" in naming.metadata)
    if fell_back:
        print(f"{fell_back} of them were named locally because the remote namer could not answer "
              f"({getattr(namer, 'last_fallback', None) or 'see the warnings above'}).", file=sys.stderr)
    return 0


def cmd_dialogues(args: argparse.Namespace) -> int:
    from dialogues.scenarios import ScenarioError, ScenarioRunner, scenario_files, write_junit, write_report

    settings = settings_from(args)
    try:
        files = scenario_files(args.paths)
    except ScenarioError as exc:
        raise UserError(str(exc)) from None
    if not files:
        raise UserError(f"no *.yaml scenario files in {', '.join(map(str, args.paths))}")
    runner = ScenarioRunner(settings)
    results = []
    for path in files:
        result = runner.run_file(path, simulate_turns=args.simulate)
        results.append(result)
        verdict = "PASS" if result.passed else "FAIL"
        print(f"{verdict} {result.name} ({path}, {len(result.turns)} turns, {result.seconds:.1f} s)", flush=True)
        for line in result.failures():
            print(f"    {line}", flush=True)
        for key, value in result.extra.get("simulation", {}).get("score", {}).items():
            print(f"    {key}: {value}", flush=True)
    if args.report:
        write_report(results, args.report)
    if args.junit:
        write_junit(results, args.junit)
    passed = sum(r.passed for r in results)
    print(f"{passed} passed, {len(results) - passed} failed")
    return 0 if passed == len(results) else 1


def cmd_namer(args: argparse.Namespace) -> int:
    if args.namer_command == "eval":
        return cmd_namer_eval(args)
    if args.namer_command == "serve":
        return cmd_namer_serve(args)
    if args.namer_command == "export":
        return cmd_namer_export(args)
    from tqdm import tqdm

    from journeys.naming.data import lastfm_examples, movielens_examples, written_examples
    from journeys.naming.training import TrainingConfig, train_adapter

    settings = settings_from(args)
    config = TrainingConfig.from_file(args.config) if args.config else TrainingConfig()
    if args.device:
        config.device = args.device
    for folder in ("lastfm-hetrec2011-2k", "movielens-ml-latest-small"):
        if not (args.data / folder).is_dir():
            raise UserError(f"{args.data / folder} not found; pass --data with the folder holding the data sets")
    examples = [*lastfm_examples(args.data / "lastfm-hetrec2011-2k"),
                *movielens_examples(args.data / "movielens-ml-latest-small"), *written_examples()]
    train = [e for e in examples if e.split == "train"]
    validation = [e for e in examples if e.split == "validation"]
    with tqdm(total=config.steps, unit="step", desc="Training", file=sys.stderr) as bar:
        def on_step(step: int, loss: float) -> None:
            bar.set_postfix(loss=f"{loss:.3f}", refresh=False)
            bar.update()

        log = train_adapter(train, validation, config, settings.cache_dir, args.output, on_step)
    print(f"Adapter written to {args.output}: {config.steps} steps in {log['train_seconds']:.0f} s, "
          f"validation loss {log['validation_loss']:.3f}.")
    return 0


def cmd_namer_export(args: argparse.Namespace) -> int:
    from journeys.naming.backends import SHIPPED_ADAPTER
    from journeys.naming.export import SERVE_COMMAND, export_namer

    settings = settings_from(args)
    adapter = args.adapter or (Path(settings.namer_adapter) if settings.namer_adapter else SHIPPED_ADAPTER)
    print("Merging the adapter into the base model...", file=sys.stderr, flush=True)
    output = export_namer(settings.cache_dir, adapter, args.output)
    print(f"Namer written to {output}. Serve it on a GPU host with: {SERVE_COMMAND.format(directory=output)}")
    return 0


def cmd_understand(args: argparse.Namespace) -> int:
    from journeys.understanding import utterances

    if args.understand_command == "eval":
        from dialogues.scenarios import scenario_scores
        from journeys.evaluation.understanding import main as evaluate

        return evaluate(["--split", args.split, *(["--output", str(args.output)] if args.output else [])],
                        scenario_scores=scenario_scores)
    try:
        families = utterances.load_families(args.families or utterances.FAMILIES)
        built = utterances.build(families, seed=getattr(args, "seed", 0))
    except utterances.FamilyError as error:
        raise UserError(str(error)) from None
    written = args.output if args.understand_command == "build" and args.output else utterances.UTTERANCES
    utterances.write(built, written)
    splits = {name: sum(u.split == name for u in built) for name in ("train", "dev", "test")}
    print(f"{len(built)} utterances written to {written} "
          f"(train {splits['train']}, dev {splits['dev']}, test {splits['test']}).", file=sys.stderr)
    if args.understand_command == "build":
        return 0
    from journeys.understanding.model import ADAPTER, MEMBERS, train

    records = [u.as_json() for u in built]
    output = args.output or ADAPTER
    members = args.members if args.members is not None else MEMBERS
    if members < 1:
        raise UserError(f"--members must be at least 1, not {members}")
    report = train([r for r in records if r["split"] == "train"], output, epochs=args.epochs, seed=args.seed,
                   dev=[r for r in records if r["split"] == "dev"], device=args.device, members=members)
    print(f"Adapter written to {output}: {members} member(s), {report.examples} utterances, {report.epochs} epochs "
          f"each, in {report.seconds:.0f} s; dev intent accuracy (first member) {report.dev_intent_accuracy[-1]:.1%}.")
    return 0


def cmd_batch(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from journeys.batch import run_batch

    settings = settings_from(args)
    users = None
    if args.users is not None:
        try:
            lines = args.users.read_text(encoding="utf-8").splitlines()
        except (OSError, UnicodeDecodeError) as exc:
            raise UserError(f"cannot read the user list {args.users} ({exc}); give a UTF-8 file of one user id "
                            "per line") from None
        users = [line.strip() for line in lines if line.strip() and not line.lstrip().startswith("#")]
        if not users:
            raise UserError(f"{args.users} lists no user ids; put one user id per line")
    if args.workers < 1:
        raise UserError(f"--workers must be at least 1, not {args.workers}")
    with tqdm(total=len(users) if users else None, unit="user", desc="Users", file=sys.stderr,
              mininterval=0.5) as bar:
        def on_result(result) -> None:
            if result.error:
                bar.write(f"failed {result.user_id}: {result.error}", file=sys.stderr)
            bar.update()

        report = run_batch(settings, users=users, workers=args.workers, ray_address=args.ray_address,
                           output=args.output, on_result=on_result)
    for user_id, reason in report.failed:
        print(f"failed {user_id}: {one_line(reason, 300)}", file=sys.stderr)
    skipped = f" ({report.skipped} already done)" if report.skipped else ""
    print(report.closing_line() + skipped)
    return 1 if report.failed else 0


def cmd_namer_serve(args: argparse.Namespace) -> int:
    from journeys.naming.backends import SHIPPED_ADAPTER
    from journeys.naming.service import serve
    from journeys.settings import resolve_device

    settings = settings_from(args)
    adapter = args.adapter or (Path(settings.namer_adapter) if settings.namer_adapter else SHIPPED_ADAPTER)
    if not (adapter / "adapter_config.json").is_file():
        raise UserError(f"{adapter} holds no namer adapter (adapter_config.json); train one with `journeys namer train`")
    device = resolve_device(args.device)
    if device == "cuda":
        import torch

        if not torch.cuda.is_available():
            raise UserError("--device cuda was asked for but torch sees no CUDA device; use --device cpu or auto")
    print(f"Loading the tuned namer on {device}...", file=sys.stderr, flush=True)
    serve(settings.cache_dir, adapter, device, args.host, args.port, args.batch_size,
          on_ready=lambda: print(f"Namer serving at http://{args.host}:{args.port} "
                                 "(POST /v1/completions; Ctrl-C stops it)", file=sys.stderr, flush=True))
    return 0


def cmd_namer_eval(args: argparse.Namespace) -> int:

    from journeys.evaluation.embeddings import CachedEmbedder
    from journeys.evaluation.naming import MOVIELENS, evaluate, movielens_users, real_user_journeys, save, test_sets
    from journeys.history.embedding import TextEmbedder
    from journeys.naming.backends import make_namer

    settings = settings_from(args)
    if args.adapter:
        settings = settings.model_copy(update={"namer_adapter": str(args.adapter)})
    if not args.data.is_dir():
        raise UserError(f"{args.data} not found; pass --data with the folder holding the data sets")
    namers = {name: make_namer(name, settings) for name in dict.fromkeys(args.namers)}
    embedder = TextEmbedder(settings.device)
    rows = evaluate(namers, test_sets(args.data, args.limit), embedder)
    # MovieLens' item texts are in the evaluations' embedding cache, which makes these histories quick to embed.
    cached = CachedEmbedder(settings.cache_dir / "evaluation-embeddings.npz", embedder)
    histories = movielens_users(args.data / MOVIELENS, cached)
    real = real_user_journeys(namers, histories)
    command = "journeys namer eval" + (f" --limit {args.limit}" if args.limit != 200 else "")
    if list(namers) != ["tuned", "fewshot", "keywords"]:
        command += " --namers " + " ".join(namers)
    print(save(rows, command, real))
    return 0


def cmd_ui(args: argparse.Namespace) -> int:
    from ui.app import Person, read_users

    settings = settings_from(args)
    users_file = args.users or (Path(os.environ["JOURNEYS_UI_USERS"]) if os.environ.get("JOURNEYS_UI_USERS") else None)
    users = None
    if users_file is not None:
        if not users_file.is_file():
            raise UserError(f"{users_file}: no such users file; give a file of user_id:password lines")
        users = read_users(users_file)
    workspace = _workspace(settings)
    people = [Person(user_id) for user_id in (sorted(users) if users else workspace.users())]
    _launch(workspace, settings, people, args, users)
    return 0


def cmd_demo(args: argparse.Namespace) -> int:

    from journeys.demo import DEMO_CATALOGUE, load_personas
    from journeys.workspace import demo_preparation
    from ui.app import Person

    base = settings_from(args)
    # The demo keeps its stores apart (the model cache is shared by every home anyway); its
    # recommendations come from the catalogue shipped with it (the personas' stores hold only each other).
    settings = base.model_copy(update={"home": base.home / "demo", "cache": base.cache_dir,
                                      "catalog": base.catalog or DEMO_CATALOGUE})
    workspace = _workspace(settings)
    personas = load_personas()
    print(f"Preparing the demo in {settings.home} ...", file=sys.stderr)
    _prepare("Demo", demo_preparation(workspace, personas))
    people = [Person(p.user_id, p.display_name, p.summary) for p in personas]
    _launch(workspace, settings, people, args)
    return 0


def _prepare(title: str, steps, leave: bool = True) -> None:
    """Run named steps under one progress bar on stderr that says which step is running ("Demo: loading ...")."""
    from tqdm import tqdm

    with tqdm(total=len(steps), desc=title, unit="step", file=sys.stderr, leave=leave) as bar:
        for step in steps:
            bar.set_description_str(f"{title}: {step.label}")
            step.run()
            bar.update()
        bar.set_description_str(f"{title}: ready")


def _launch(workspace, settings: Settings, people, args: argparse.Namespace, users: dict | None = None) -> None:
    from agent.assistant import Assistant
    from ui.app import build_app, launch

    app = build_app(Assistant(workspace, _conversation_graph(workspace, settings)), people, login=users is not None)
    login = f", {len(users)} users may log in" if users else ""
    print(f"Journeys is running at http://{args.host}:{args.port}{login} (Ctrl-C to stop).", file=sys.stderr)
    launch(app, args.host, args.port, users, quiet=True, footer_links=["api"])


COMMANDS = {
    "demo": cmd_demo, "ingest": cmd_ingest, "extract": cmd_extract, "name": cmd_name, "namer": cmd_namer, "dialogues": cmd_dialogues,
    "chat": cmd_chat, "ui": cmd_ui, "recommend": cmd_recommend, "batch": cmd_batch, "understand": cmd_understand,
}

if __name__ == "__main__":
    sys.exit(main())
