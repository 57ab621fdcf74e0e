"""Evaluation users built from public data sets, with their true groups of items.

- Last.fm HetRec: a user's own tags are their named groups of artists (overlapping). Items
  are the artists in those groups, described ONLY by the tags other users gave them (never
  by the user's own tags, never by the artist's name), in the order the user tagged them.
- Spotify playlists (evaluation only, never training): a pseudo-user is 2 to 5 playlists
  mixed in a random order; items are described by track, artist and album, and carry the
  track's own fields as a history record's extra fields would (release date, popularity and
  Spotify's audio features: energy, tempo, ...), never the playlist's name, genre or id columns;
  the truth is which playlist each track came from.
"""

from __future__ import annotations

import csv
import hashlib
import random
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import numpy as np


@dataclass
class EvalUser:
    """One user to cluster: item texts in time order, their times, and the true groups."""

    user_id: str
    texts: list[str]
    timestamps: list[float]
    truth: list[set[int]]
    truth_names: list[str]
    # One true label per item when the truth is a partition (Spotify), else None.
    truth_labels: np.ndarray | None = None
    item_titles: list[str] = field(default_factory=list)
    # Each item's extra fields (a history record's fields beyond the format's own), when it has any.
    extras: list[dict] = field(default_factory=list)


def tuning_split(user_id: str, share: float = 0.25) -> bool:
    """Whether a user belongs to the tuning subset (a fixed hash of the id, so the split never moves)."""
    return int(hashlib.sha1(user_id.encode()).hexdigest()[:8], 16) / 0xFFFFFFFF < share


def lastfm_users(folder: Path, min_group_size: int = 3, min_groups: int = 2, max_tags: int = 10) -> list[EvalUser]:
    """Every Last.fm user with min_groups or more own tags on min_group_size or more artists."""
    tagged: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))  # user -> artist -> own tags
    first_seen: dict[tuple[str, str], float] = {}
    artist_tags: dict[str, Counter] = defaultdict(Counter)
    names = {}
    with (folder / "tags.tsv").open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE):
            names[row["tagID"]] = row["tagValue"]
    artists = {}
    with (folder / "artists.tsv").open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE):
            artists[row["id"]] = row["name"]
    with (folder / "user_taggedartists.tsv").open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE):
            tag = names.get(row["tagID"])
            if not tag:
                continue
            user, artist = row["userID"], row["artistID"]
            tagged[user][artist].add(tag)
            artist_tags[artist][tag] += 1
            when = datetime(int(row["year"]), int(row["month"]), int(row["day"]), tzinfo=timezone.utc).timestamp()
            key = (user, artist)
            first_seen[key] = min(first_seen.get(key, when), when)
    users = []
    for user in sorted(tagged, key=int):
        own = tagged[user]
        descriptions = {}
        for artist, tags in own.items():
            others = artist_tags[artist] - Counter({t: 1 for t in tags})
            top = [t for t, _ in others.most_common(max_tags)]
            if top:
                descriptions[artist] = ", ".join(top)
        groups: dict[str, set[str]] = defaultdict(set)
        for artist, tags in own.items():
            if artist in descriptions:
                for tag in tags:
                    groups[tag].add(artist)
        kept = {tag: members for tag, members in groups.items() if len(members) >= min_group_size}
        if len(kept) < min_groups:
            continue
        items = sorted({a for members in kept.values() for a in members}, key=lambda a: (first_seen[(user, a)], int(a)))
        index = {a: i for i, a in enumerate(items)}
        users.append(EvalUser(
            user_id=f"lastfm:{user}",
            texts=[descriptions[a] for a in items],
            timestamps=[first_seen[(user, a)] for a in items],
            truth=[{index[a] for a in members} for members in kept.values()],
            truth_names=list(kept),
            item_titles=[artists.get(a, a) for a in items],
        ))
    return users


# The Spotify columns that describe a track itself (what an export of one's listening would carry),
# kept as extra fields; the playlist columns are the answer and are never given.
SPOTIFY_TRACK_FIELDS = ("track_popularity", "track_album_release_date", "danceability", "energy", "key", "loudness",
                        "mode", "speechiness", "acousticness", "instrumentalness", "liveness", "valence", "tempo",
                        "duration_ms")


def spotify_users(csv_path: Path, count: int = 400, seed: int = 0, min_tracks: int = 10) -> list[EvalUser]:
    """Pseudo-users each mixing 2 to 5 random playlists, tracks in random order over four months."""
    playlists: dict[str, dict] = {}
    with csv_path.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            playlist = playlists.setdefault(row["playlist_id"], {"name": row["playlist_name"], "tracks": {}})
            text = f"{row['track_name']} - {row['track_artist']} - {row['track_album_name']}"
            extra = {name: row[name] for name in SPOTIFY_TRACK_FIELDS if row.get(name)}
            playlist["tracks"].setdefault(row["track_id"], (text, row["track_name"], extra))
    eligible = sorted(pid for pid, p in playlists.items() if len(p["tracks"]) >= min_tracks)
    rng = random.Random(seed)
    users = []
    start = datetime(2026, 1, 1, tzinfo=timezone.utc).timestamp()
    for number in range(count):
        chosen = rng.sample(eligible, rng.randint(2, 5))
        items: list[tuple[str, str, int, dict]] = []
        seen: set[str] = set()
        for label, pid in enumerate(chosen):
            for track_id, (text, title, extra) in playlists[pid]["tracks"].items():
                if track_id not in seen:  # a track in two chosen playlists counts for the first
                    seen.add(track_id)
                    items.append((text, title, label, extra))
        rng.shuffle(items)
        times = sorted(rng.uniform(0, 120 * 86400) for _ in items)
        labels = np.array([label for _, _, label, _ in items])
        users.append(EvalUser(
            user_id=f"spotify-mix:{number}",
            texts=[text for text, _, _, _ in items],
            timestamps=[start + t for t in times],
            truth=[set(np.flatnonzero(labels == label).tolist()) for label in range(len(chosen))],
            truth_names=[playlists[pid]["name"] for pid in chosen],
            truth_labels=labels,
            item_titles=[title for _, title, _, _ in items],
            extras=[extra for _, _, _, extra in items],
        ))
    return users
