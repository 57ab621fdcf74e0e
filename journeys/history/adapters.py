"""Adapters that read public data sets as activity histories (rows of the history format, docs/spec/history-format.md).

- MovieLens (ml-latest-small and alike): a rating is an activity; the movie's title is the
  title; its genres and the tags users gave it are tags; rating / 5 is engagement.
- Last.fm HetRec 2011: a user tagging an artist on a day is an activity; the artist is the
  item; the tags *other* users gave that artist are its tags (the user's own tags are kept
  apart, as metadata, because they are the ground truth for evaluating extraction).

Both take the data set's folder (or any file in it) and stream rows, each with the line of
the main file it came from, so errors point to a place in the data.
"""

from __future__ import annotations

import csv
from collections import Counter, defaultdict
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path

from journeys.history.activity import Activity, HistoryFileError, InvalidActivity, Row

MAX_ITEM_TAGS = 10


def dataset_folder(path: Path, required: tuple[str, ...], name: str) -> Path:
    """The folder holding a data set's files, given the folder or one of its files."""
    folder = path if path.is_dir() else path.parent
    missing = [f for f in required if not (folder / f).is_file()]
    if missing:
        raise HistoryFileError(
            path, None, f"{', '.join(missing)} not found next to it",
            f"; pass the folder of the {name} data set (with {', '.join(required)})",
        )
    return folder


def movielens_rows(path: Path) -> Iterator[Row]:
    """Activities of a MovieLens folder: one per line of ratings.csv."""
    folder = dataset_folder(path, ("ratings.csv", "movies.csv"), "MovieLens")
    movies: dict[str, tuple[str, list[str]]] = {}
    for _, record in _table(folder / "movies.csv", ("movieId", "title", "genres")):
        genres = [g for g in record["genres"].split("|") if g and g != "(no genres listed)"]
        movies[record["movieId"]] = (record["title"], genres)
    movie_tags: dict[str, Counter] = defaultdict(Counter)
    if (folder / "tags.csv").is_file():
        for _, record in _table(folder / "tags.csv", ("movieId", "tag")):
            movie_tags[record["movieId"]][record["tag"].strip().lower()] += 1
    ratings = folder / "ratings.csv"
    for line, record in _table(ratings, ("userId", "movieId", "rating", "timestamp"), rows_may_fail=True):
        if isinstance(record, str):
            yield Row(line, error=record, source=ratings)
            continue
        movie = movies.get(record["movieId"])
        if movie is None:
            yield Row(line, error=f"movie {record['movieId']!r} is not in movies.csv", source=ratings)
            continue
        title, genres = movie
        tags = genres + [t for t, _ in movie_tags[record["movieId"]].most_common(MAX_ITEM_TAGS)]
        try:
            rating = float(record["rating"])
            yield Row(line, activity=Activity.from_record({
                "user_id": f"ml:{record['userId']}",
                "item_id": f"ml:{record['movieId']}",
                "title": title,
                "timestamp": record["timestamp"],
                "tags": list(dict.fromkeys(tags)),
                "kind": "rate",
                "engagement": round(rating / 5.0, 3),
            }))
        except (InvalidActivity, ValueError) as exc:
            yield Row(line, error=f"bad rating row ({exc})", source=ratings)


def lastfm_rows(path: Path) -> Iterator[Row]:
    """Activities of a Last.fm HetRec folder: one per (user, artist, day) in user_taggedartists."""
    folder = dataset_folder(path, ("user_taggedartists.tsv", "artists.tsv", "tags.tsv"), "Last.fm HetRec")
    artists = {r["id"]: r["name"] for _, r in _table(folder / "artists.tsv", ("id", "name"), tsv=True)}
    tag_names = {r["tagID"]: r["tagValue"] for _, r in _table(folder / "tags.tsv", ("tagID", "tagValue"), tsv=True)}
    plays: dict[str, dict[str, float]] = defaultdict(dict)
    if (folder / "user_artists.tsv").is_file():
        weights = folder / "user_artists.tsv"
        for line, r in _table(weights, ("userID", "artistID", "weight"), tsv=True):
            try:
                plays[r["userID"]][r["artistID"]] = float(r["weight"])
            except ValueError:
                raise HistoryFileError(weights, line, f"weight {r['weight']!r} is not a number",
                                       "; fix that line of the data set") from None
    # (user, artist, day) -> first line and the user's own tags; artist -> everyone's tag counts.
    groups: dict[tuple[str, str, tuple[str, str, str]], tuple[int, list[str]]] = {}
    artist_tags: dict[str, Counter] = defaultdict(Counter)
    tagged = folder / "user_taggedartists.tsv"
    for line, record in _table(tagged, ("userID", "artistID", "tagID", "day", "month", "year"), tsv=True):
        tag = tag_names.get(record["tagID"], "")
        key = (record["userID"], record["artistID"], (record["year"], record["month"], record["day"]))
        first, own = groups.setdefault(key, (line, []))
        if tag:
            own.append(tag)
            artist_tags[record["artistID"]][tag] += 1
    for (user, artist, (year, month, day)), (line, own) in groups.items():
        name = artists.get(artist)
        if name is None:
            yield Row(line, error=f"artist {artist} is not in artists.tsv", source=tagged)
            continue
        others = artist_tags[artist] - Counter(own)
        most_played = max(plays[user].values(), default=0.0)
        try:
            when = datetime(int(year), int(month), int(day), tzinfo=timezone.utc)
            yield Row(line, activity=Activity.from_record({
                "user_id": f"lastfm:{user}",
                "item_id": f"lastfm:artist:{artist}",
                "title": name,
                "timestamp": when.isoformat(),
                "tags": [t for t, _ in others.most_common(MAX_ITEM_TAGS)],
                "kind": "tag",
                "engagement": round(plays[user][artist] / most_played, 3)
                if artist in plays[user] and most_played > 0 else None,
                "own_tags": sorted(set(own)),
            }))
        except (InvalidActivity, ValueError, OverflowError) as exc:
            yield Row(line, error=f"bad tagging row ({exc})", source=tagged)


def _table(path: Path, columns: tuple[str, ...], tsv: bool = False,
           rows_may_fail: bool = False) -> Iterator[tuple[int, dict[str, str] | str]]:
    """The rows of one file of a data set, with their line numbers; a file that cannot be read is one sentence.

    A row with too few or too many values is an error string when rows_may_fail (the main file, whose bad
    rows --skip-invalid may skip), else it stops the import (a file every row depends on).
    """
    try:
        with path.open(encoding="utf-8", newline="") as handle:
            reader = csv.reader(handle, delimiter="\t", quoting=csv.QUOTE_NONE) if tsv else csv.reader(handle)
            header = next(reader, None) or []
            missing = [c for c in columns if c not in header]
            if missing:
                raise HistoryFileError(path, 1, f"the header lacks the column(s) {', '.join(missing)}",
                                       "; is this file from the data set named by --format?")
            for values in reader:
                if not values:
                    continue
                if len(values) != len(header):
                    problem = f"{len(values)} values for {len(header)} columns"
                    if not rows_may_fail:
                        raise HistoryFileError(path, reader.line_num, problem, "; fix that line of the data set")
                    yield reader.line_num, problem
                    continue
                yield reader.line_num, dict(zip(header, values))
    except UnicodeDecodeError as exc:
        raise HistoryFileError(path, None, f"is not UTF-8 text (byte {exc.start + 1} of the file)",
                               "; use the data set's files as published, saved as UTF-8") from None
    except csv.Error as exc:
        raise HistoryFileError(path, None, f"cannot be read as {'TSV' if tsv else 'CSV'} ({exc})",
                               "; use the data set's files as published") from None
    except OSError as exc:
        raise HistoryFileError(path, None, f"cannot be read ({exc.strerror or exc})",
                               "; check the file's permissions") from None


ADAPTERS = {"movielens": movielens_rows, "lastfm": lastfm_rows}
