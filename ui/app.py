"""The web app: pick whose history to talk about, then chat with the agent about it."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

import gradio as gr  # noqa: E402

from agent import Conversation  # noqa: E402

WELCOME = "Ask me about your interest journeys: try “what are my journeys?”"


@dataclass(frozen=True)
class Person:
    """Someone whose history the app can talk about: their user id, a display name and a one-line summary."""

    user_id: str
    display_name: str = ""
    summary: str = ""

    @property
    def label(self) -> str:
        return f"{self.display_name} ({self.user_id})" if self.display_name else self.user_id


def build_app(graph: Any, people: list[Person], title: str = "Journeys") -> gr.Blocks:
    """The Gradio app over a compiled agent graph, for the given people (the persona picker's choices)."""
    by_id: Mapping[str, Person] = {p.user_id: p for p in people}
    first = people[0].user_id if people else None

    def describe(user_id: str | None) -> str:
        person = by_id.get(user_id or "")
        if person is None:
            return "No history is loaded yet: import one with `journeys ingest`."
        return f"**{person.display_name or person.user_id}**: {person.summary}" if person.summary else f"**{person.user_id}**"

    def send(message: str, history: list[dict], user_id: str, request: gr.Request) -> tuple[str, list[dict]]:
        """Pass the message to the agent as the chosen user and show the reply."""
        text = (message or "").strip()
        if not text:
            return "", history
        if user_id not in by_id:
            raise gr.Error("Choose whose history to talk about first.")
        session = request.session_hash if request is not None else "api"
        conversation = Conversation(graph, user_id, thread_id=f"{user_id}:{session}")
        reply = conversation.ask(text)
        return "", [*history, {"role": "user", "content": text}, {"role": "assistant", "content": reply.text}]

    def switch_person(user_id: str) -> tuple[list[dict], str]:
        """Start a fresh chat when another person is chosen."""
        return [], describe(user_id)

    with gr.Blocks(title=title) as app:
        gr.Markdown(f"# {title}\nYour persistent interests, found in your own history, in your own words.")
        with gr.Row():
            person = gr.Dropdown(
                choices=[(p.label, p.user_id) for p in people], value=first,
                label="Whose history", interactive=len(people) > 1, scale=1,
            )
            about = gr.Markdown(describe(first))
        chatbot = gr.Chatbot(label="Conversation", height=520, placeholder=WELCOME)
        message = gr.Textbox(
            label="Your message", placeholder="What are my journeys?", submit_btn=True, autofocus=True,
        )
        message.submit(send, [message, chatbot, person], [message, chatbot], api_name="send")
        person.change(switch_person, [person], [chatbot, about], api_name="switch_person")
    return app
