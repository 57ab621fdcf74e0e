"""The `journeys` command: parses flags, builds settings, and calls the domain, the agent or the UI."""
