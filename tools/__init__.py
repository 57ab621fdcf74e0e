"""LangChain tools over the journeys domain: check arguments, make one call, return a compact result.

journey_tools.py holds the tools (module-level functions, collected in TOOLS); views.py the
read-only views they share with the UI; context.py what each run tells them (user, workspace).
"""

from tools.context import UserContext
from tools.journey_tools import CHANGING_TOOLS, TOOL_NAMES, TOOLS

__all__ = ["CHANGING_TOOLS", "TOOLS", "TOOL_NAMES", "UserContext"]
