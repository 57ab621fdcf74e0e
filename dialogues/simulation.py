"""The user simulator: a persona with hidden true interests talks with the agent for N turns.

Used by the dialogue harness for scenarios with a `simulate` section. Two kinds of
simulated user, behind one interface (`next_message(agent_reply) -> str | None`):
  * ChatModelUser: a LangChain chat model plays the persona (when a chat model is
    configured: JOURNEYS_SIMULATOR_MODEL, else JOURNEYS_CHAT_MODEL);
  * RuleUser (offline, deterministic): reads the numbered journeys in the agent's reply and
    confirms each that mentions one of its interests' keywords, rejects the others, one per
    turn.
Afterwards `score` counts how many true interests ended up confirmed and how many confirmed
journeys match none of them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Protocol

from pydantic import BaseModel, ConfigDict, Field

from journeys.state.journey import Journey, Status

OPENING = "Hi! What are my journeys?"
LISTED = re.compile(r"^\s*(\d+)\.\s+\*\*(.+?)\*\*(.*)$", re.MULTILINE)


class Interest(BaseModel):
    """One of the persona's true interests, with words that show it."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    label: str = Field(min_length=1)
    keywords: list[str] = Field(min_length=1)

    def shown_by(self, text: str) -> bool:
        lowered = text.lower()
        return any(re.search(rf"\b{re.escape(k.lower())}", lowered) for k in self.keywords)


class SimulationExpectation(BaseModel):
    """Pass conditions of a simulation (all optional)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    true_confirmed_min: int | None = Field(default=None, ge=0)
    wrong_confirmed_max: int | None = Field(default=None, ge=0)


class Simulation(BaseModel):
    """The `simulate` section of a scenario."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    persona: str = "a person using Journeys for the first time"
    interests: list[Interest] = Field(min_length=1)
    turns: int = Field(default=8, ge=1, le=100)
    expect: SimulationExpectation = SimulationExpectation()


class SimulatedUser(Protocol):
    def next_message(self, agent_reply: str | None) -> str | None:
        """The user's next message given the agent's last reply (None before the first); None: done."""
        ...


@dataclass
class RuleUser:
    """A deterministic simulated user: confirms listed journeys that show its interests, rejects the rest.

    It remembers the last list the agent showed and goes through it one journey per turn,
    naming each journey (numbers shift once one is rejected); when the agent checks the change it just asked
    for ("Do you want me to confirm X?"), it says yes.
    """

    interests: list[Interest]
    decided: set[str] = field(default_factory=set)
    listed: list[tuple[str, str]] = field(default_factory=list)
    # The journey this user last asked about (lower case): a "Do you want me to ...?" naming it gets a "yes".
    asked_for: str = ""

    def next_message(self, agent_reply: str | None) -> str | None:
        if agent_reply is None:
            return OPENING
        if self.asked_for and "do you want me to" in agent_reply.lower() and self.asked_for in agent_reply.lower():
            self.asked_for = ""
            return "yes"  # the agent checks the change this user just asked for: they agree
        shown = [(name.strip(), rest) for _, name, rest in LISTED.findall(agent_reply)]
        if shown:
            self.listed = shown
        for name, rest in self.listed:
            if name.lower() in self.decided:
                continue
            self.decided.add(name.lower())
            self.asked_for = name.lower()
            if any(i.shown_by(f"{name} {rest}") for i in self.interests):
                return f"Yes, the {name} one is right."
            return f"The {name} one isn't me."
        return "What are my journeys?" if not self.listed else None


@dataclass
class ChatModelUser:
    """A chat model playing the persona; it sees the dialogue from the user's side."""

    model: Any
    simulation: Simulation
    transcript: list[Any] = field(default_factory=list)

    def next_message(self, agent_reply: str | None) -> str | None:
        from langchain_core.messages import AIMessage, HumanMessage, SystemMessage

        if agent_reply is None:
            return OPENING
        interests = "; ".join(i.label for i in self.simulation.interests)
        system = SystemMessage(
            f"You play {self.simulation.persona}, talking with Journeys, an assistant that found interest journeys "
            f"in your activity history. Your real interests are: {interests}. Answer as this person in one short "
            "message: confirm journeys that match your real interests, reject those that do not, one or two per "
            "message, refer to them by their number. When every journey has been handled, reply DONE."
        )
        self.transcript.append(HumanMessage(agent_reply))  # the agent speaks to "you"
        answer = self.model.invoke([system, *self.transcript])
        text = answer.text if hasattr(answer, "text") else str(answer.content)
        self.transcript.append(AIMessage(text))
        return None if text.strip().upper().startswith("DONE") else text.strip()


def score(simulation: Simulation, journeys: list[Journey]) -> dict[str, Any]:
    """How the conversation ended: true interests confirmed, wrong journeys confirmed."""
    confirmed = [j for j in journeys if j.status is Status.CONFIRMED]

    def evidence(journey: Journey) -> str:
        return " ".join([journey.name, *journey.salient_terms, *journey.representative_titles])

    found = [i.label for i in simulation.interests if any(i.shown_by(evidence(j)) for j in confirmed)]
    wrong = [j.name for j in confirmed if not any(i.shown_by(evidence(j)) for i in simulation.interests)]
    return {
        "true_interests": len(simulation.interests),
        "true_confirmed": len(found),
        "wrong_confirmed": len(wrong),
        "confirmed_interests": found,
        "missed_interests": [i.label for i in simulation.interests if i.label not in found],
        "wrong_journeys": wrong,
    }
