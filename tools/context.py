"""What every tool call knows about its session, set by the caller and never by the model."""

from dataclasses import dataclass

from journeys.workspace import Workspace


@dataclass(frozen=True)
class UserContext:
    """The run's context (LangGraph's runtime context): whose journeys this conversation may read and change,
    and the workspace (stores and models) they live in."""

    user_id: str
    workspace: Workspace
