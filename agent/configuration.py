"""Which model understands the user; read from settings, never hard-coded."""

from __future__ import annotations

from dataclasses import dataclass

OFFLINE = "offline"


@dataclass(frozen=True)
class Configuration:
    """How the agent understands the user.

    chat_model: "offline" (the default: the understanding model, journeys/understanding/, or with
    JOURNEYS_UNDERSTANDING=patterns the pattern reader, reads the message into tool calls; replies from
    templates in prompts/) or a LangChain "provider:model" string (such as
    "openai:gpt-4o-mini" or "ollama:llama3.1") whose model drives the same tools by tool calling.
    """

    chat_model: str = OFFLINE

    @property
    def offline(self) -> bool:
        return self.chat_model in ("", OFFLINE)
