"""LangChain tools over the journeys domain: check arguments, make one call, return a compact result."""

from tools.context import UserContext
from tools.journey_tools import TOOL_NAMES, build_tools

__all__ = ["TOOL_NAMES", "UserContext", "build_tools"]
