"""The Gradio web app: a chat with the agent about the user's journeys."""

from ui.app import build_app

__all__ = ["build_app"]
