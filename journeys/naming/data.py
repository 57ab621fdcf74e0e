"""Naming examples: groups of item titles with the name a person gave them.

Sources, each split by user (a fixed hash), so no test user's data is ever trained on:
- Last.fm HetRec: a user's own tag over the artists they tagged with it;
- MovieLens: a user's own tag over the movies they tagged with it;
- examples written for this project across kinds of history (videos, articles, podcasts,
  films, tracks, artists, courses, books);
- Spotify playlists: a playlist's title over its tracks, for evaluation only (its terms
  forbid training), so every Spotify example is in the test split.
Only names that already follow the naming rules (2 to 6 words, specific, safe) are kept,
and never a person's name over items that are not theirs ("Jack Nicholson" over cartoons):
the namer should learn to produce such names. A FilterCounts given to a reader counts what
each filter removed; `python -m journeys.naming.data --card` writes the data card.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import importlib.resources
import json
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from functools import cache
from pathlib import Path

from journeys.naming.rules import MAX_WORDS, MIN_WORDS, UNSAFE, check_name

NAMER_DATA = Path(__file__).parent / "namer_data"
WRITTEN = NAMER_DATA / "written_examples.jsonl"
DATA_CARD = NAMER_DATA / "DATA_CARD.md"
SPLITS = ("train", "validation", "test")
LASTFM, MOVIELENS, SPOTIFY = "lastfm-hetrec2011-2k", "movielens-ml-latest-small", "spotify-songs-tidytuesday-2020"

# Reasons a candidate group is removed, besides check_name's problems.
TOO_FEW_ITEMS = "too few items"
NOT_THEIR_NAME = "a person's name over items that are not theirs"


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


@dataclass
class FilterCounts:
    """Per source: the candidate groups read, and those each filter removed, with a few of their names.

    Readers given one fill it as their examples are read; a group counts under the first filter it fails.
    """

    read: Counter[str] = field(default_factory=Counter)
    removed: dict[str, Counter[str]] = field(default_factory=dict)
    removed_names: dict[str, dict[str, list[str]]] = field(default_factory=dict)

    def count(self, source: str, name: str, reason: str | None) -> bool:
        """Count one candidate group under its reason for removal (None: kept); whether it is kept."""
        self.read[source] += 1
        if reason is None:
            return True
        self.removed.setdefault(source, Counter())[reason] += 1
        names = self.removed_names.setdefault(source, {}).setdefault(reason, [])
        if len(names) < 3 and name not in names:
            names.append(name)
        return False

    def kept(self, source: str) -> int:
        """How many of a source's groups no filter removed."""
        return self.read[source] - sum(self.removed.get(source, Counter()).values())


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


def rule_problem(name: str, titles: Sequence[str]) -> str | None:
    """Why the naming rules reject a name (None: they accept it); word counts fold into two reasons."""
    problem = check_name(name, titles).problem
    if problem and (words := re.match(r"(\d+) words", problem)):
        return f"fewer than {MIN_WORDS} words" if int(words[1]) < MIN_WORDS else f"more than {MAX_WORDS} words"
    return problem


@cache
def given_names() -> frozenset[str]:
    """Lower-case given names: the US Census first-name lists the `names` package ships (about 5,000)."""
    folder = importlib.resources.files("names")
    return frozenset(line.split()[0].lower() for part in ("dist.male.first", "dist.female.first")
                     for line in folder.joinpath(part).read_text(encoding="utf-8").splitlines() if line.strip())


_INITIALS = re.compile(r"(?:[^\W\d_]\.)+")  # "l.", "c.s."
_WORD = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*")  # "nicholson", "o'toole", "day-lewis"
_NAME_SUFFIXES = frozenset({"jr", "jr.", "sr", "sr.", "ii", "iii"})
# Everyday words the census holds as given names, which open tags that are not names ("fairy tales", "art house").
EVERYDAY_WORDS = frozenset({
    "in", "an", "my", "so", "see", "ok", "man", "many", "else", "page", "era", "love", "star", "long", "golden",
    "royal", "fairy", "art", "young", "rich", "sun", "moon", "song", "season", "summer", "winter", "autumn",
    "spring", "june", "april", "may", "lady", "miss", "king", "queen", "prince", "princess", "angel", "grace",
    "hope", "faith", "joy", "destiny", "harmony", "melody", "liberty", "charity", "honey", "candy", "sunny",
    "sunshine", "precious", "german", "irish", "latina", "china", "paris", "france", "florida", "asia",
})


def is_person_name(tag: str) -> bool:
    """Whether a tag reads as a person's name: 2 or 3 words (initials allowed) opening with a given name or an initial.

    The given names are the US Census lists the `names` package ships (MIT; checked offline,
    small, and they hold "will" for "will ferrell"); gender-guesser's larger list is GPL, and
    names-dataset is a 55 MB download. Those lists hold everyday words too, left out by
    EVERYDAY_WORDS. On MovieLens every tag this removes is an actor, director, author or
    character ("peter pan"); it misses given names rare in the US of 1990 ("liam neeson",
    "keanu reeves") and surname pairs ("hepburn and tracy").
    """
    tokens = [t for t in tag.lower().replace(",", " ").split() if t not in _NAME_SUFFIXES]
    if not 2 <= len(tokens) <= 3 or not all(_INITIALS.fullmatch(t) or _WORD.fullmatch(t) for t in tokens):
        return False
    if _INITIALS.fullmatch(tokens[-1]):
        return False  # a surname ends a name
    return bool(_INITIALS.fullmatch(tokens[0])) or (tokens[0] in given_names() and tokens[0] not in EVERYDAY_WORDS)


def occurs_in(name: str, titles: Iterable[str]) -> bool:
    """Whether the name appears as whole words in one of the titles (any case)."""
    pattern = re.compile(rf"(?<!\w){re.escape(name.strip())}(?!\w)", re.IGNORECASE)
    return any(pattern.search(title) for title in titles)


def lastfm_examples(folder: Path, min_items: int = 3, max_titles: int = 12,
                    counts: FilterCounts | None = None) -> Iterator[NamingExample]:
    """Each Last.fm user's own tags over the artists they tagged with them."""
    counts = FilterCounts() if counts is None else counts
    with (folder / "tags.tsv").open(encoding="utf-8") as handle:
        tags = {r["tagID"]: r["tagValue"] for r in csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE)}
    with (folder / "artists.tsv").open(encoding="utf-8") as handle:
        artists = {r["id"]: r["name"] for r in csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE)}
    artist_names = {name.lower() for name in artists.values()}
    groups: dict[tuple[str, str], list[str]] = defaultdict(list)
    with (folder / "user_taggedartists.tsv").open(encoding="utf-8") as handle:
        for r in csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE):
            name = artists.get(r["artistID"])
            if name and r["tagID"] in tags and name not in groups[(r["userID"], r["tagID"])]:
                groups[(r["userID"], r["tagID"])].append(name)
    for (user, tag_id), titles in sorted(groups.items(), key=lambda kv: (int(kv[0][0]), int(kv[0][1]))):
        name = tags[tag_id]
        if len(titles) < min_items:
            reason = TOO_FEW_ITEMS
        else:
            # Titles are artist names, so a tag naming an artist outside the group names someone else.
            reason = rule_problem(name, titles) or (
                NOT_THEIR_NAME if name.lower() in artist_names and name.lower() not in {t.lower() for t in titles}
                else None)
        if counts.count("lastfm", name, reason):
            user_id = f"lastfm:{user}"
            yield NamingExample("lastfm", f"{user_id}:{tag_id}", user_id, titles[:max_titles], name, split_of(user_id))


def movielens_examples(folder: Path, min_items: int = 2, max_titles: int = 12,
                       counts: FilterCounts | None = None) -> list[NamingExample]:
    """Each MovieLens user's own tags over the movies they tagged with them (few users: see split_few_users)."""
    return split_few_users(list(_movielens_groups(folder, min_items, max_titles,
                                                  FilterCounts() if counts is None else counts)))


def _movielens_groups(folder: Path, min_items: int, max_titles: int, counts: FilterCounts) -> Iterator[NamingExample]:
    with (folder / "movies.csv").open(encoding="utf-8", newline="") as handle:
        movies = {r["movieId"]: r["title"] for r in csv.DictReader(handle)}
    groups: dict[tuple[str, str], list[str]] = defaultdict(list)
    with (folder / "tags.csv").open(encoding="utf-8", newline="") as handle:
        for r in csv.DictReader(handle):
            title, tag = movies.get(r["movieId"]), r["tag"].strip()
            if title and tag and title not in groups[(r["userId"], tag.lower())]:
                groups[(r["userId"], tag.lower())].append(title)
    for (user, tag), titles in sorted(groups.items(), key=lambda kv: (int(kv[0][0]), kv[0][1])):
        if len(titles) < min_items:
            reason = TOO_FEW_ITEMS
        else:
            # An actor's or director's name teaches the namer to name people, not interests.
            reason = rule_problem(tag, titles) or (
                NOT_THEIR_NAME if is_person_name(tag) and not occurs_in(tag, titles) else None)
        if counts.count("movielens", tag, reason):
            user_id = f"ml:{user}"
            yield NamingExample("movielens", f"{user_id}:{tag}", user_id, titles[:max_titles], tag, "train")


def written_examples(path: Path = WRITTEN, counts: FilterCounts | None = None) -> Iterator[NamingExample]:
    """The examples written for this project: written_examples.jsonl is their source (add one by adding a line)."""
    counts = FilterCounts() if counts is None else counts
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            record = json.loads(line)
            if counts.count("written", record["name"], rule_problem(record["name"], record["titles"])):
                yield NamingExample("written", record["id"], record["id"], record["titles"], record["name"],
                                    split_of(record["id"]))


def spotify_examples(csv_path: Path, min_items: int = 5, max_titles: int = 12,
                     counts: FilterCounts | None = None) -> Iterator[NamingExample]:
    """Spotify playlists' titles over their tracks: evaluation only, always in the test split."""
    counts = FilterCounts() if counts is None else counts
    playlists: dict[str, dict] = {}
    with csv_path.open(encoding="utf-8", newline="") as handle:
        for r in csv.DictReader(handle):
            playlist = playlists.setdefault(r["playlist_id"], {"name": r["playlist_name"], "titles": []})
            title = f"{r['track_name']} - {r['track_artist']}"
            if title not in playlist["titles"]:
                playlist["titles"].append(title)
    for playlist_id, playlist in sorted(playlists.items()):
        titles = playlist["titles"]
        reason = TOO_FEW_ITEMS if len(titles) < min_items else rule_problem(playlist["name"], titles)
        if counts.count("spotify", playlist["name"], reason):
            yield NamingExample("spotify", playlist_id, f"spotify:{playlist_id}", titles[:max_titles],
                                playlist["name"], "test")


def examples_with_counts(data_dir: Path, written: Path = WRITTEN) -> tuple[list[NamingExample], FilterCounts]:
    """Every source's examples (Last.fm, MovieLens, written, Spotify) and what each filter removed."""
    for folder in (LASTFM, MOVIELENS, SPOTIFY):
        if not (data_dir / folder).is_dir():
            raise FileNotFoundError(f"{data_dir / folder} not found; pass the folder that holds the public data sets")
    counts = FilterCounts()
    examples = [*lastfm_examples(data_dir / LASTFM, counts=counts),
                *movielens_examples(data_dir / MOVIELENS, counts=counts),
                *written_examples(written, counts=counts),
                *spotify_examples(data_dir / SPOTIFY / "spotify_songs.csv", counts=counts)]
    return examples, counts


# What the card says of each source: its title, what a group is, its use here, and its terms
# (as the data sets' README files under shared/data state them).
SOURCES = {
    "lastfm": {
        "title": "Last.fm HetRec 2011 (hetrec2011-lastfm-2k)",
        "group": "a user's own tag over the artists they tagged with it (at least 3 artists)",
        "use": "training, validation and test, split by user",
        "terms": "Made available by GroupLens/HetRec 2011 for non-commercial use; commercial use needs Last.fm's "
                 "consent. Cite the Last.fm website (and optionally Cantador, Brusilovsky & Kuflik, HetRec 2011, "
                 "RecSys 2011).",
    },
    "movielens": {
        "title": "MovieLens ml-latest-small (GroupLens, September 2018)",
        "group": "a user's own tag over the movies they tagged with it (at least 2 movies)",
        "use": "training, validation and test, split by user (few users: test and validation filled first)",
        "terms": "Research use only; no commercial or revenue-bearing use without GroupLens' permission; do not "
                 "imply endorsement by the University of Minnesota or GroupLens; cite Harper & Konstan 2015 "
                 "(ACM TiiS 5(4):19); redistribution, transformations included, only under these same terms.",
    },
    "written": {
        "title": "Written for this project (journeys/naming/namer_data/written_examples.jsonl)",
        "group": "a hand-written group of 4 to 16 titles and its name (w001-w290 mix the demo's videos, articles, "
                 "podcasts, searches and product pages; later ones hold one kind of history each)",
        "use": "training, validation and test, split by a hash of the example's id",
        "terms": "Written by the project's authors; released with the project under Apache-2.0.",
    },
    "spotify": {
        "title": "Spotify songs by playlist (TidyTuesday 2020-01-21)",
        "group": "a playlist's title over its tracks (\"Track - Artist\", at least 5 tracks)",
        "use": "evaluation only: every example is in the test split, none is trained on",
        "terms": "The TidyTuesday repository is MIT-licensed and states no licence for this data; the content "
                 "comes from the Spotify Web API, whose Developer Terms (2023 on) are understood to forbid "
                 "training ML/AI models on it; the data set's README asks for a licence check before any "
                 "fine-tuning.",
    },
}


def data_card(examples: Sequence[NamingExample], counts: FilterCounts, written: Path = WRITTEN) -> str:
    """The data card in Markdown: per source, groups read, removals by filter, kept per split, top names, terms."""
    lines = ["# Namer training data card", "",
             "Generated by `python -m journeys.naming.data --card`; do not edit by hand.", "",
             "A naming example is a group of item titles with the name a person gave it. A candidate group "
             "is removed by the first filter it fails: too few items, then the naming rules "
             "(`journeys.naming.rules.check_name`, whose reason is kept), then a person's name over items that "
             "are not theirs (Last.fm: a tag that is the name of an artist outside the group; MovieLens: an "
             "actor's, director's or author's name that no title of the group contains).", "",
             "| source | groups read | removed | kept | train | validation | test |",
             "| --- | ---: | ---: | ---: | ---: | ---: | ---: |"]
    splits = {source: Counter(e.split for e in examples if e.source == source) for source in SOURCES}
    for source in SOURCES:
        removed = counts.read[source] - counts.kept(source)
        lines.append(f"| {source} | {counts.read[source]} | {removed} | {counts.kept(source)} | "
                     + " | ".join(str(splits[source][split]) for split in SPLITS) + " |")
    for source, about in SOURCES.items():
        lines += ["", f"## {about['title']}", "",
                  f"- Group: {about['group']}.", f"- Use: {about['use']}.", f"- Terms: {about['terms']}",
                  f"- Groups read: {counts.read[source]}; kept: {counts.kept(source)} "
                  f"(train {splits[source]['train']}, validation {splits[source]['validation']}, "
                  f"test {splits[source]['test']})."]
        if source == "written" and written.is_file():
            kinds = Counter(json.loads(line).get("kind", "unlabelled") for line in written.open(encoding="utf-8"))
            lines.append("- Kinds of history: " + ", ".join(f"{kind} {n}" for kind, n in sorted(kinds.items())) + ".")
        removed = counts.removed.get(source, Counter())
        if removed:
            lines += ["", "| removed by | groups | for example |", "| --- | ---: | --- |"]
            for reason, n in sorted(removed.items(), key=lambda kv: (-kv[1], kv[0])):
                shown = ", ".join(f"`{_cell(_masked(name))}`" for name in counts.removed_names[source][reason])
                lines.append(f"| {reason} | {n} | {shown} |")
        training = Counter(e.name for e in examples if e.source == source and e.split == "train")
        if training:
            lines += ["", "Most frequent training names:", "", "| name | groups |", "| --- | ---: |"]
            top = sorted(training.items(), key=lambda kv: (-kv[1], kv[0]))[:15]
            lines += [f"| {_cell(name)} | {n} |" for name, n in top]
        elif source == "spotify":
            lines += ["", "No training names: Spotify is evaluation only."]
    return "\n".join(lines) + "\n"


def _masked(name: str) -> str:
    """The name with its sexual or insulting words starred out past their first letter."""
    return UNSAFE.sub(lambda word: word[0][0] + "*" * (len(word[0]) - 1), name)


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("`", "'").replace("\n", " ")


def main(argv: Sequence[str] | None = None) -> int:
    """Write the data card (`--card`) from the public data sets and the written examples."""
    from journeys.settings import shared_data_dir

    parser = argparse.ArgumentParser(prog="python -m journeys.naming.data", description=main.__doc__)
    parser.add_argument("--card", action="store_true", help=f"write {DATA_CARD.name} beside the written examples")
    parser.add_argument("--data", type=Path, default=shared_data_dir(), help="folder holding the public data sets")
    parser.add_argument("--output", type=Path, default=DATA_CARD)
    args = parser.parse_args(argv)
    examples, counts = examples_with_counts(args.data)
    for source in SOURCES:
        removed = ", ".join(f"{reason} {n}" for reason, n in counts.removed.get(source, Counter()).most_common())
        print(f"{source}: read {counts.read[source]}, kept {counts.kept(source)}; removed: {removed or 'none'}")
    if args.card:
        args.output.write_text(data_card(examples, counts), encoding="utf-8")
        print(f"wrote {args.output}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
