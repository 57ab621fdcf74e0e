"""What every tool call knows about its session, set by the caller and never by the model."""

from dataclasses import dataclass


@dataclass(frozen=True)
class UserContext:
    """The run's context: whose journeys this conversation may read and change."""

    user_id: str
