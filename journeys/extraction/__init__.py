"""Extraction: from a user's stored activities to journeys (features, time-ordered clustering, salient terms)."""
