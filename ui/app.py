"""The web app: chat with the agent beside a live view of the user's journeys.

Left, the conversation (streamed) and the import of a history file; right, a card per
journey with its actions (Confirm, Pause, Reject, Rename, Evidence, Suggest), a timeline of the
journeys and the evidence of the journey last opened. Card actions run the agent's own
tools through the conversation (Conversation.act), so chat and panel always agree.

Two ways to decide whose data a page shows:
  * a persona picker (the demo, or `journeys ui` on a store of several users), or
  * per-user login (`journeys ui --users FILE`): the user is the logged-in one, the picker is
    gone, and no request can reach another user's data.
The app only talks to the agent (agent.Assistant), never to stores.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

import gradio as gr  # noqa: E402
import pandas as pd  # noqa: E402

from agent.assistant import Assistant  # noqa: E402
from journeys.activity import HistoryFileError  # noqa: E402

WELCOME = "Ask me about your interest journeys: try “what are my journeys?”"
STATUS_MARK = {"proposed": "proposed (not confirmed yet)", "confirmed": "**confirmed**", "paused": "*paused*"}
CSS = """
.journey-card { padding: 8px 12px; margin-bottom: 8px; }
.journey-card .card-actions button { min-width: 0; }
"""


@dataclass(frozen=True)
class Person:
    """Someone whose history the app can talk about: their user id, a display name and a one-line summary."""

    user_id: str
    display_name: str = ""
    summary: str = ""

    @property
    def label(self) -> str:
        return f"{self.display_name} ({self.user_id})" if self.display_name else self.user_id


def card_markdown(card: dict[str, Any]) -> str:
    """A journey card's text: name, status, size, time span and top items."""
    span = f"{card['first_seen']} → {card['last_seen']}" if card["size"] else "no activity yet"
    steer = f" · you want {card['steer']} of it" if card.get("steer") else ""
    dormant = " · dormant" if card["size"] and not card["active"] else ""
    lines = [f"#### {card['number']}. {card['name']}",
             f"{STATUS_MARK.get(card['status'], card['status'])} · {card['size']} activities · {span}{dormant}{steer}"]
    lines += [f"- {title}" for title in card["top_items"]]
    return "\n".join(lines)


def evidence_markdown(evidence: dict[str, Any] | None) -> str:
    """The evidence view of one journey."""
    if evidence is None:
        return "That journey is no longer on your list."
    lines = [f"### Why “{evidence['name']}”"]
    if evidence["salient_terms"]:
        lines.append("Shared words: " + ", ".join(evidence["salient_terms"]))
    if not evidence["items"]:
        lines.append("No activity belongs to it yet.")
    lines += [f"- {item['when']} · {item['kind']} · {item['title']}" for item in evidence["items"]]
    if evidence["total"] > len(evidence["items"]):
        lines.append(f"… and {evidence['total'] - len(evidence['items'])} more")
    return "\n".join(lines)


def timeline_frame(rows: list[dict[str, Any]]) -> pd.DataFrame:
    """The timeline plot's data: one point per activity, one row of points per journey."""
    frame = pd.DataFrame(rows, columns=["journey", "when", "title"]).astype({"journey": str, "title": str})
    # Typed even when empty: the plot keeps the axis type of the first data it gets.
    frame["when"] = pd.to_datetime(frame["when"], utc=True).dt.tz_localize(None)
    return frame


def build_app(assistant: Assistant, people: list[Person], title: str = "Journeys", login: bool = False) -> gr.Blocks:
    """The Gradio app over an Assistant. people: whose data may be shown (the picker's choices, or the
    users who may log in). With login, each page shows only the logged-in user's data."""
    by_id: Mapping[str, Person] = {p.user_id: p for p in people}
    first = people[0].user_id if people and not login else None

    def whose(picked: str | None, request: gr.Request | None) -> str:
        """The user this request may see: the logged-in user, or the picked person (checked)."""
        if login:
            user = getattr(request, "username", None)
            if not user or user not in by_id:
                raise gr.Error("Log in first.")
            return user
        if picked not in by_id:
            raise gr.Error("Choose whose history to talk about first.")
        return str(picked)

    def session_of(request: gr.Request | None) -> str:
        return getattr(request, "session_hash", None) or "api"

    def describe(picked: str | None, request: gr.Request) -> str:
        try:
            user = whose(picked, request)
        except gr.Error:
            return "No history is loaded yet: import one below, or with `journeys ingest`."
        person = by_id[user]
        name = person.display_name or person.user_id
        about = f"**{name}**: {person.summary}" if person.summary else f"**{name}**"
        return about if assistant.has_history(user) else about + " (no history yet: import a file below)"

    def send(message: str, history: list[dict], picked: str, version: int,
             request: gr.Request) -> Iterator[tuple[Any, ...]]:
        """Pass the message to the agent as the page's user and stream the reply into the chat."""
        text = (message or "").strip()
        if not text:
            yield "", history, version
            return
        user = whose(picked, request)
        conversation = assistant.conversation(user, session_of(request))
        shown = [*history, {"role": "user", "content": text}, {"role": "assistant", "content": "…"}]
        yield "", shown, gr.skip()
        for partial in conversation.stream(text):
            shown[-1] = {"role": "assistant", "content": partial}
            yield "", shown, gr.skip()
        changed = bool(conversation.last and conversation.last.tools_called)
        yield "", shown, version + 1 if changed else version

    def act(tool: str, journey_id: str, said: str, history: list[dict], picked: str, version: int,
            request: gr.Request, args: dict[str, Any] | None = None) -> tuple[list[dict], int]:
        user = whose(picked, request)
        reply = assistant.conversation(user, session_of(request)).act(tool, {"journey": journey_id, **(args or {})}, said)
        return [*history, {"role": "user", "content": said}, {"role": "assistant", "content": reply.text}], version + 1

    def switch_person(picked: str, request: gr.Request) -> tuple[list[dict], str, str]:
        """Start a fresh chat when another person is chosen."""
        return [], describe(picked, request), ""

    def refresh_timeline(picked: str, version: int, request: gr.Request) -> pd.DataFrame:
        try:
            user = whose(picked, request)
        except gr.Error:
            return timeline_frame([])
        return timeline_frame(assistant.timeline(user))

    def import_file(file: Any, picked: str, version: int, request: gr.Request,
                    progress: gr.Progress = gr.Progress()) -> tuple[str, int]:
        """Import an uploaded history for the page's user, then find and name their journeys."""
        if file is None:
            return "", version
        user = whose(picked, request)
        path = Path(file if isinstance(file, str) else file.name)
        try:
            summary = assistant.import_history(user, path, progress=lambda share, what: progress(share, desc=what))
        except HistoryFileError as exc:
            where = f"{path.name}, line {exc.line}" if exc.line is not None else path.name
            message = f"{where}: {exc.reason}; fix that and upload the file again"
            gr.Warning(message)
            return f"⚠️ Nothing was imported: {message}", version
        return f"✅ {summary.sentence()}", version + 1

    with gr.Blocks(title=title) as app:
        version = gr.State(0)
        gr.Markdown(f"# {title}\nYour persistent interests, found in your own history, in your own words.")
        with gr.Row():
            with gr.Column(scale=3):
                with gr.Row():
                    person = gr.Dropdown(
                        choices=[(p.label, p.user_id) for p in people], value=first, label="Whose history",
                        interactive=len(people) > 1, visible=not login, scale=1, elem_id="person",
                    )
                    about = gr.Markdown(elem_id="about")
                chatbot = gr.Chatbot(label="Conversation", height=480, placeholder=WELCOME, elem_id="chat")
                message = gr.Textbox(label="Your message", placeholder="What are my journeys?", submit_btn=True,
                                     autofocus=True, elem_id="message")
                with gr.Accordion("Import a history file", open=False, elem_id="import"):
                    gr.Markdown("JSON Lines or CSV in the history format (`user_id, item_id, title, timestamp`, ...). "
                                "Only your own rows are imported; a file with a bad row imports nothing and says "
                                "which line to fix.")
                    upload = gr.File(label="History file", file_types=[".jsonl", ".csv", ".json"], elem_id="upload")
                    import_status = gr.Markdown(elem_id="import-status")
            with gr.Column(scale=2):
                gr.Markdown("## Your journeys")

                @gr.render(inputs=[person, version])
                def journey_panel(picked: str | None, _version: int, request: gr.Request) -> None:
                    try:
                        user = whose(picked, request)
                    except gr.Error:
                        gr.Markdown("Choose a person or log in to see journeys.")
                        return
                    cards = assistant.cards(user)
                    if not cards:
                        gr.Markdown("No journeys yet: ask “what are my journeys?” or import your history.",
                                    elem_id="no-journeys")
                    for card in cards:
                        _journey_card(card)

                def _journey_card(card: dict[str, Any]) -> None:
                    jid, name = card["id"], card["name"]
                    with gr.Group(elem_classes=["journey-card"], elem_id=f"card-{jid}"):
                        gr.Markdown(card_markdown(card), elem_id=f"card-text-{jid}")
                        with gr.Row(elem_classes=["card-actions"]):
                            buttons = {
                                "confirm_journey": gr.Button("Confirm", size="sm", variant="primary",
                                                             elem_id=f"confirm-{jid}",
                                                             interactive=card["status"] != "confirmed"),
                                "pause_journey": gr.Button("Pause", size="sm", elem_id=f"pause-{jid}",
                                                           interactive=card["status"] != "paused"),
                                "reject_journey": gr.Button("Reject", size="sm", variant="stop",
                                                            elem_id=f"reject-{jid}"),
                            }
                            show = gr.Button("Evidence", size="sm", elem_id=f"evidence-{jid}")
                            suggest = gr.Button("Suggest", size="sm", elem_id=f"suggest-{jid}")
                        with gr.Row():
                            new_name = gr.Textbox(placeholder="New name", show_label=False, scale=3,
                                                  elem_id=f"rename-text-{jid}")
                            rename = gr.Button("Rename", size="sm", scale=1, elem_id=f"rename-{jid}")
                    verbs = {"confirm_journey": "Confirm", "pause_journey": "Pause", "reject_journey": "Reject"}
                    for tool, button in buttons.items():
                        said = f"{verbs[tool]} “{name}”"

                        def clicked(history, picked, version, request: gr.Request, tool=tool, said=said):
                            return act(tool, jid, said, history, picked, version, request)

                        button.click(clicked, [chatbot, person, version], [chatbot, version])

                    def renamed(text, history, picked, version, request: gr.Request):
                        if not (text or "").strip():
                            raise gr.Error("Type the new name first.")
                        said = f"Rename “{name}” to “{text.strip()}”"
                        return act("rename_journey", jid, said, history, picked, version, request,
                                   {"new_name": text.strip()})

                    rename.click(renamed, [new_name, chatbot, person, version], [chatbot, version])

                    def suggested(history, picked, version, request: gr.Request):
                        # Suggestions change nothing, so the panel is not redrawn (version stays).
                        history, _ = act("recommend", jid, f"Suggest something for “{name}”", history, picked,
                                         version, request)
                        return history

                    suggest.click(suggested, [chatbot, person, version], [chatbot])

                    def opened(picked, request: gr.Request):
                        return evidence_markdown(assistant.evidence(whose(picked, request), jid))

                    show.click(opened, [person], [evidence])

                # One row of points per journey (no colour encoding: the plot keeps the colour domain of
                # its first value, which would hide journeys added later).
                timeline = gr.ScatterPlot(
                    x="when", y="journey", tooltip=["journey", "title", "when"], x_title="when", y_title="",
                    title="Your journeys over time", height=260, elem_id="timeline",
                )
                evidence = gr.Markdown("Open a journey's evidence to see the activities behind it.",
                                       elem_id="evidence")

        message.submit(send, [message, chatbot, person, version], [message, chatbot, version], api_name="send")
        person.change(switch_person, [person], [chatbot, about, evidence], api_name="switch_person").then(
            refresh_timeline, [person, version], [timeline], api_name=False)
        upload.upload(import_file, [upload, person, version], [import_status, version], api_name="import_history")
        version.change(refresh_timeline, [person, version], [timeline], api_name=False)
        app.load(describe, [person], [about], api_name=False)
        app.load(refresh_timeline, [person, version], [timeline], api_name=False)
    return app


def read_users(path: Path) -> dict[str, str]:
    """The users who may log in: one `user_id:password` per line (# starts a comment)."""
    users: dict[str, str] = {}
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        user, sep, password = line.partition(":")
        if not sep or not user.strip() or not password:
            raise ValueError(f"{path}, line {number}: write each user as user_id:password")
        users[user.strip()] = password
    if not users:
        raise ValueError(f"{path} lists no users; write one user_id:password per line")
    return users


def launch(app: gr.Blocks, host: str, port: int | None, users: dict[str, str] | None = None, **options: Any) -> None:
    """Serve the app (queued, several sessions at a time), with a login page when users are given."""
    import hmac

    def check(user: str, password: str) -> bool:
        expected = (users or {}).get(user)
        return expected is not None and hmac.compare_digest(expected.encode(), password.encode())

    app.queue(default_concurrency_limit=4)
    app.launch(server_name=host, server_port=port, auth=check if users else None, css=CSS, **options)
