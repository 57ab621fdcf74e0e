"""The journeys' state: the journey, the store that keeps every change as an event, the user's edits, and references to journeys."""
