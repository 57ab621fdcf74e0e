"""Offline replies: the facts from tool results rendered through the templates in prompts/replies.yaml."""

from __future__ import annotations

from typing import Any

from jinja2 import Environment, StrictUndefined

import prompts

_environment = Environment(autoescape=False, undefined=StrictUndefined, keep_trailing_newline=False)


def render_reply(template: str, facts: dict[str, Any] | None = None) -> str:
    """The reply for a template name (see replies.yaml), filled with the given facts."""
    templates = prompts.load_yaml("replies.yaml")
    return _environment.from_string(templates[template]).render(**(facts or {})).strip()


def reply_template(tool_name: str, facts: dict[str, Any]) -> str:
    """The template that fits a tool's result: the tool's own, its error variant, or a shared one."""
    error = facts.get("error")
    if not error:
        return tool_name
    templates = prompts.load_yaml("replies.yaml")
    for name in (f"{tool_name}_{error}", f"journey_{error}"):
        if name in templates:
            return name
    return "edit_error"
