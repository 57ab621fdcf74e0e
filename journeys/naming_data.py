"""Naming examples: groups of item titles with the name a person gave them.

Sources, each split by user (a fixed hash), so no test user's data is ever trained on:
- Last.fm HetRec: a user's own tag over the artists they tagged with it;
- MovieLens: a user's own tag over the movies they tagged with it;
- examples written for this project in the demo's domain (videos, articles, podcasts);
- Spotify playlists: a playlist's title over its tracks, for evaluation only (its terms
  forbid training), so every Spotify example is in the test split.
Only names that already follow the naming rules (2 to 6 words, specific, safe) are kept:
the namer should learn to produce such names.
"""

from __future__ import annotations

import csv
import hashlib
import json
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path

from journeys.name_rules import check_name

WRITTEN = Path(__file__).parent / "namer_data" / "written_examples.jsonl"
SPLITS = ("train", "validation", "test")


@dataclass(frozen=True)
class NamingExample:
    """One group of titles and its human-given name."""

    source: str
    group_id: str
    user_id: str
    titles: list[str]
    name: str
    split: str

    def to_dict(self) -> dict:
        return asdict(self)


def split_of(key: str, validation: float = 0.1, test: float = 0.1) -> str:
    """The split of a user (or written example), fixed by a hash of its id."""
    share = int(hashlib.sha1(key.encode("utf-8")).hexdigest()[:8], 16) / 0xFFFFFFFF
    if share < test:
        return "test"
    if share < test + validation:
        return "validation"
    return "train"


def split_few_users(examples: list[NamingExample], test: float = 0.25, validation: float = 0.1) -> list[NamingExample]:
    """Splits by user for a source with few users: users in a fixed hash order fill test, then validation.

    (A per-user hash alone can leave a split empty when a handful of users wrote every example.)
    """
    by_user: dict[str, list[NamingExample]] = defaultdict(list)
    for example in examples:
        by_user[example.user_id].append(example)
    order = sorted(by_user, key=lambda u: hashlib.sha1(u.encode("utf-8")).hexdigest())
    result, filled, total = [], {"test": 0, "validation": 0}, len(examples)
    for user in order:
        if filled["test"] < test * total:
            split = "test"
        elif filled["validation"] < validation * total:
            split = "validation"
        else:
            split = "train"
        if split != "train":
            filled[split] += len(by_user[user])
        result += [NamingExample(e.source, e.group_id, e.user_id, e.titles, e.name, split) for e in by_user[user]]
    return result


def _keep(name: str, titles: list[str]) -> bool:
    return check_name(name, titles).problem is None


def lastfm_examples(folder: Path, min_items: int = 3, max_titles: int = 12) -> Iterator[NamingExample]:
    """Each Last.fm user's own tags over the artists they tagged with them."""
    with (folder / "tags.tsv").open(encoding="utf-8") as handle:
        tags = {r["tagID"]: r["tagValue"] for r in csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE)}
    with (folder / "artists.tsv").open(encoding="utf-8") as handle:
        artists = {r["id"]: r["name"] for r in csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE)}
    groups: dict[tuple[str, str], list[str]] = defaultdict(list)
    with (folder / "user_taggedartists.tsv").open(encoding="utf-8") as handle:
        for r in csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE):
            name = artists.get(r["artistID"])
            if name and r["tagID"] in tags and name not in groups[(r["userID"], r["tagID"])]:
                groups[(r["userID"], r["tagID"])].append(name)
    for (user, tag_id), titles in sorted(groups.items(), key=lambda kv: (int(kv[0][0]), int(kv[0][1]))):
        name = tags[tag_id]
        if len(titles) >= min_items and _keep(name, titles):
            user_id = f"lastfm:{user}"
            yield NamingExample("lastfm", f"{user_id}:{tag_id}", user_id, titles[:max_titles], name, split_of(user_id))


def movielens_examples(folder: Path, min_items: int = 2, max_titles: int = 12) -> list[NamingExample]:
    """Each MovieLens user's own tags over the movies they tagged with them (few users: see split_few_users)."""
    return split_few_users(list(_movielens_groups(folder, min_items, max_titles)))


def _movielens_groups(folder: Path, min_items: int, max_titles: int) -> Iterator[NamingExample]:
    with (folder / "movies.csv").open(encoding="utf-8", newline="") as handle:
        movies = {r["movieId"]: r["title"] for r in csv.DictReader(handle)}
    groups: dict[tuple[str, str], list[str]] = defaultdict(list)
    with (folder / "tags.csv").open(encoding="utf-8", newline="") as handle:
        for r in csv.DictReader(handle):
            title, tag = movies.get(r["movieId"]), r["tag"].strip()
            if title and tag and title not in groups[(r["userId"], tag.lower())]:
                groups[(r["userId"], tag.lower())].append(title)
    for (user, tag), titles in sorted(groups.items(), key=lambda kv: (int(kv[0][0]), kv[0][1])):
        if len(titles) >= min_items and _keep(tag, titles):
            user_id = f"ml:{user}"
            yield NamingExample("movielens", f"{user_id}:{tag}", user_id, titles[:max_titles], tag, "train")


def written_examples(path: Path = WRITTEN) -> Iterator[NamingExample]:
    """The examples written for this project (scripts/build_naming_examples.py)."""
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            record = json.loads(line)
            if _keep(record["name"], record["titles"]):
                yield NamingExample("written", record["id"], record["id"], record["titles"], record["name"],
                                    split_of(record["id"]))


def spotify_examples(csv_path: Path, min_items: int = 5, max_titles: int = 12) -> Iterator[NamingExample]:
    """Spotify playlists' titles over their tracks: evaluation only, always in the test split."""
    playlists: dict[str, dict] = {}
    with csv_path.open(encoding="utf-8", newline="") as handle:
        for r in csv.DictReader(handle):
            playlist = playlists.setdefault(r["playlist_id"], {"name": r["playlist_name"], "titles": []})
            title = f"{r['track_name']} - {r['track_artist']}"
            if title not in playlist["titles"]:
                playlist["titles"].append(title)
    for playlist_id, playlist in sorted(playlists.items()):
        titles = playlist["titles"]
        if len(titles) >= min_items and _keep(playlist["name"], titles):
            yield NamingExample("spotify", playlist_id, f"spotify:{playlist_id}", titles[:max_titles],
                                playlist["name"], "test")
