"""The LangGraph agent: state, nodes, routing, checkpointing and the choice of model."""

from agent.graph import build_graph
from agent.session import Conversation, Reply, open_checkpointer

__all__ = ["Conversation", "Reply", "build_graph", "open_checkpointer"]
