"""Where a journey stands now: its items weighted by how recent they are and how much the person engaged.

A journey is an ongoing interest, so what it says about the person's next step leans on its
latest items; an item they loved counts more than one they abandoned. Recommendations and the
outcome evaluation (journeys.evaluation.next_items) both read a journey's interest from here.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from journeys.history.store import StoredActivity
from journeys.state.journey import Journey

# An item's weight halves for every RECENCY_HALF_LIFE share of the history that came after it
# (counted in activities, not days: rating histories come in bursts, so clocks mislead).
RECENCY_HALF_LIFE = 0.14
# Engagement adds to a base, so an item without engagement (a search) still counts.
ENGAGEMENT_BASE = 0.5
UNKNOWN_ENGAGEMENT = 0.5


def item_weights(stored: Sequence[StoredActivity]) -> np.ndarray:
    """Each activity's weight in the user's interests: recency (by position in the history) times engagement."""
    n = len(stored)
    if not n:
        return np.zeros(0)
    after = n - 1 - np.arange(n)  # activities that came later
    recency = np.power(0.5, after / max(RECENCY_HALF_LIFE * n, 1.0))
    engagement = np.array([UNKNOWN_ENGAGEMENT if s.activity.engagement is None else s.activity.engagement
                           for s in stored])
    return recency * (ENGAGEMENT_BASE + engagement)


def journey_interests(journeys: Sequence[Journey], stored: Sequence[StoredActivity]) -> list[tuple[Journey, np.ndarray, float]]:
    """Each journey with items in the history: (journey, unit vector of its weighted item embeddings, weight).

    stored: the user's activities in time order, with embeddings. The weight is the sum of the
    journey's item weights, so a large journey the person keeps returning to weighs most.
    """
    weights = item_weights(stored)
    row_of = {s.activity_id: row for row, s in enumerate(stored)}
    result = []
    for journey in journeys:
        rows = [row_of[a] for a in journey.activity_ids if a in row_of]
        if not rows:
            continue
        vectors = np.vstack([stored[r].embedding for r in rows])
        centre = (weights[rows][:, None] * vectors).sum(axis=0)
        norm = np.linalg.norm(centre)
        if norm == 0:
            continue
        result.append((journey, centre / norm, float(weights[rows].sum())))
    return result
