"""Naming examples: sources, splits by user, and names that already follow the rules."""

import json
import re
from collections import Counter
from pathlib import Path

import pytest

from journeys.naming.data import (
    DATA_CARD,
    LASTFM,
    MOVIELENS,
    NOT_THEIR_NAME,
    SOURCES,
    SPOTIFY,
    TOO_FEW_ITEMS,
    WRITTEN,
    FilterCounts,
    NamingExample,
    data_card,
    examples_with_counts,
    is_person_name,
    lastfm_examples,
    main,
    movielens_examples,
    spotify_examples,
    written_examples,
)
from journeys.naming.rules import check_name, narrows_to_one_title
from tests.conftest import PERSONAS, write_lines


def test_written_examples_follow_the_rules_and_avoid_the_demo_personas_topics():
    examples = list(written_examples())
    assert len(examples) >= 240 and {e.split for e in examples} == {"train", "validation", "test"}
    # The demo personas' interests: kept out of training so the demo shows how the namer generalises.
    reserved = ["ukulele", "hydroponic", "crochet", "marathon", "kubernetes", "sourdough", "road bike",
                "birdwatching", "baby sleep", "weaning", "chicken", "japanese", "film photography",
                "woodworking", "espresso", "astronomy", "telescope"]
    assert len(reserved) >= sum(len(p.interests) for p in PERSONAS.values())
    for example in examples:
        assert check_name(example.name, example.titles).problem is None
        assert 4 <= len(example.titles) <= 16
        assert not any(re.search(rf"\b{word}\b", example.name.lower()) for word in reserved), example.name


def test_public_data_examples_are_split_by_user_and_spotify_is_test_only(shared_data):
    lastfm = list(lastfm_examples(shared_data / "lastfm-hetrec2011-2k"))
    splits_of_user = {}
    for example in lastfm:
        splits_of_user.setdefault(example.user_id, set()).add(example.split)
    assert all(len(splits) == 1 for splits in splits_of_user.values())  # a user's groups never straddle splits
    assert Counter(e.split for e in lastfm)["test"] > 100
    movielens = movielens_examples(shared_data / "movielens-ml-latest-small")
    assert {e.split for e in movielens} == {"train", "validation", "test"}
    spotify = list(spotify_examples(shared_data / "spotify-songs-tidytuesday-2020" / "spotify_songs.csv"))
    assert spotify and {e.split for e in spotify} == {"test"}
    assert all(check_name(e.name, e.titles).problem is None for e in lastfm + movielens + spotify)


# ---------------------------------------------------------------- filter counts

def _write_lastfm(folder: Path) -> Path:
    folder.mkdir(parents=True)
    artists = ["Boards of Canada", "Tycho", "Bonobo", "Aphex Twin", "Four Tet", "Burial"]
    write_lines(folder / "artists.tsv", ["id\tname\turl\tpictureURL"]
                + [f"{i}\t{name}\thttp://x\thttp://y" for i, name in enumerate(artists, start=1)])
    tags = ["warm analog synths", "aphex twin", "visually appealing", "dream pop"]
    write_lines(folder / "tags.tsv", ["tagID\ttagValue"] + [f"{i}\t{tag}" for i, tag in enumerate(tags, start=1)])
    tagged = [(1, 1, 1), (1, 2, 1), (1, 3, 1),  # kept
              (1, 1, 2), (1, 2, 2), (1, 5, 2),  # an artist's name over other artists
              (1, 1, 3), (1, 2, 3), (1, 3, 3),  # a judgement
              (2, 5, 4), (2, 6, 4)]  # too few artists
    write_lines(folder / "user_taggedartists.tsv", ["userID\tartistID\ttagID\tday\tmonth\tyear"]
                + [f"{u}\t{a}\t{t}\t1\t1\t2010" for u, a, t in tagged])
    return folder


def _write_movielens(folder: Path) -> Path:
    folder.mkdir(parents=True)
    movies = ["Toy Story (1995)", "One Flew Over the Cuckoo's Nest (1975)", "Monty Python and the Holy Grail (1975)",
              "Monty Python's Life of Brian (1979)", "Twelve Monkeys (a.k.a. 12 Monkeys) (1995)", "Primer (2004)"]
    write_lines(folder / "movies.csv", ["movieId,title,genres"]
                + [f'{i},"{title}",Comedy' for i, title in enumerate(movies, start=1)])
    tags = [(1, 1, "Jack Nicholson"), (1, 2, "jack nicholson"),  # a person's name over films not theirs
            (1, 3, "monty python"), (1, 4, "Monty Python"),  # the name is in the titles: kept
            (1, 5, "time travel"), (1, 6, "time travel"),  # kept
            (2, 1, "sexy female"), (2, 2, "sexy female"),  # the rules remove it
            (2, 5, "funny"), (2, 6, "funny"),  # one word
            (3, 6, "mind-bending plot")]  # one film
    write_lines(folder / "tags.csv", ["userId,movieId,tag,timestamp"] + [f"{u},{m},{t},0" for u, m, t in tags])
    return folder


def _write_spotify(folder: Path) -> Path:
    folder.mkdir(parents=True)
    rows = [f"t{p}{i},Track {i},Artist {p},{p},Chill 90s trip-hop mix" if p == 1 else
            f"t{p}{i},Song {i},Band {p},{p},Best songs" for p in (1, 2) for i in range(6)]
    write_lines(folder / "spotify_songs.csv", ["track_id,track_name,track_artist,playlist_id,playlist_name"] + rows)
    return folder / "spotify_songs.csv"


def _write_written(path: Path) -> Path:
    records = [{"id": "w001", "titles": ["Rendezvous with Rama by Arthur C. Clarke", "Blindsight by Peter Watts",
                                         "Seveneves by Neal Stephenson", "The Martian by Andy Weir"],
                "name": "Hard science fiction novels", "domain": "books", "kind": "books"},
               {"id": "w002", "titles": ["Jaws (1975)", "Alien (1979)", "Heat (1995)", "Up (2009)"],
                "name": "Good movies", "domain": "film", "kind": "films"}]
    return write_lines(path, [json.dumps(r) for r in records])


@pytest.fixture
def tiny_data(tmp_path: Path) -> Path:
    """Tiny Last.fm, MovieLens and Spotify folders, as the public data sets lay them out."""
    _write_lastfm(tmp_path / LASTFM)
    _write_movielens(tmp_path / MOVIELENS)
    _write_spotify(tmp_path / SPOTIFY)
    return tmp_path


def _assert_counts_add_up(counts: FilterCounts, examples: list[NamingExample]) -> None:
    for source in counts.read:
        assert counts.read[source] == counts.kept(source) + sum(counts.removed.get(source, {}).values())
        assert counts.kept(source) == sum(e.source == source for e in examples)


def test_lastfm_drops_an_artists_name_over_other_artists_and_counts_each_reason(tmp_path):
    counts = FilterCounts()
    examples = list(lastfm_examples(_write_lastfm(tmp_path / LASTFM), counts=counts))
    assert [e.name for e in examples] == ["warm analog synths"]
    assert counts.removed["lastfm"] == {NOT_THEIR_NAME: 1, TOO_FEW_ITEMS: 1,
                                        check_name("visually appealing").problem: 1}
    assert counts.removed_names["lastfm"][NOT_THEIR_NAME] == ["aphex twin"]
    assert counts.read["lastfm"] == 4
    _assert_counts_add_up(counts, examples)


def test_movielens_drops_a_persons_name_unless_a_title_holds_it(tmp_path):
    counts = FilterCounts()
    examples = movielens_examples(_write_movielens(tmp_path / MOVIELENS), counts=counts)
    assert sorted(e.name for e in examples) == ["monty python", "time travel"]
    assert counts.removed["movielens"] == {NOT_THEIR_NAME: 1, TOO_FEW_ITEMS: 1, "fewer than 2 words": 1,
                                           check_name("sexy female").problem: 1}
    assert counts.removed_names["movielens"][NOT_THEIR_NAME] == ["jack nicholson"]
    _assert_counts_add_up(counts, examples)


@pytest.mark.parametrize("tag, person", [
    ("jack nicholson", True), ("Tom Hanks", True), ("samuel l. jackson", True), ("m. night shyamalan", True),
    ("robert downey jr.", True), ("george bernard shaw", True), ("time travel", False), ("black comedy", False),
    ("fairy tales", False), ("art house", False), ("world war ii", False), ("twist ending", False),
    ("oscar (best actress)", False), ("nick and nora charles", False), ("stephen", False),
])
def test_person_names_are_recognised_by_a_leading_given_name_or_initial(tag, person):
    assert is_person_name(tag) is person


def test_written_and_spotify_readers_count_what_the_rules_remove(tmp_path):
    counts = FilterCounts()
    written = list(written_examples(_write_written(tmp_path / "written.jsonl"), counts=counts))
    spotify = list(spotify_examples(_write_spotify(tmp_path / SPOTIFY), counts=counts))
    assert [e.name for e in written] == ["Hard science fiction novels"]
    assert counts.removed["written"] == {check_name("Good movies").problem: 1}
    assert [e.name for e in spotify] == ["Chill 90s trip-hop mix"] and spotify[0].split == "test"
    assert counts.removed["spotify"] == {check_name("Best songs").problem: 1}
    _assert_counts_add_up(counts, written + spotify)


def test_data_card_reports_every_source_its_filters_splits_and_terms(tiny_data, tmp_path):
    written = _write_written(tmp_path / "written.jsonl")
    examples, counts = examples_with_counts(tiny_data, written)
    _assert_counts_add_up(counts, examples)
    card = data_card(examples, counts, written)
    for about in SOURCES.values():
        assert about["title"] in card and about["terms"] in card
    assert "| lastfm | 4 | 3 | 1 |" in card
    assert f"| {NOT_THEIR_NAME} | 1 | `jack nicholson` |" in card
    assert "Spotify is evaluation only" in card and "Kinds of history: books 1, films 1." in card
    output = tmp_path / "card.md"
    assert main(["--card", "--data", str(tiny_data), "--output", str(output)]) == 0
    assert output.read_text(encoding="utf-8").startswith("# Namer training data card")


def test_the_shipped_data_card_mentions_every_source():
    card = DATA_CARD.read_text(encoding="utf-8")
    assert all(about["title"] in card for about in SOURCES.values())


def test_public_data_counts_add_up_and_no_kept_name_is_someone_elses(shared_data):
    examples, counts = examples_with_counts(shared_data)
    _assert_counts_add_up(counts, examples)
    assert set(counts.read) == set(SOURCES)
    assert counts.removed["movielens"][NOT_THEIR_NAME] > 20 and counts.removed["lastfm"][NOT_THEIR_NAME] > 10
    kept = {e.name.lower() for e in examples if e.source == "movielens"}
    assert {"jack nicholson", "tom hanks", "quentin tarantino"}.isdisjoint(kept) and "time travel" in kept


# ------------------------------------------------------------- written examples

FIRST_NEW_WRITTEN = 291  # w001-w290 are kept as first written; later ones follow every rule below


def test_new_written_examples_span_kinds_of_history_and_never_narrow_to_one_title():
    records = [json.loads(line) for line in WRITTEN.read_text(encoding="utf-8").splitlines()]
    new = [r for r in records if int(r["id"][1:]) >= FIRST_NEW_WRITTEN]
    assert len(new) >= 150
    assert {r["kind"] for r in new} == {"films", "music tracks", "music artists", "podcast episodes",
                                        "course lectures", "articles", "books", "videos"}
    for record in new:
        name, titles = record["name"], record["titles"]
        assert check_name(name, titles).problem is None, name
        assert not narrows_to_one_title(name, titles), name
        assert 4 <= len(titles) <= 16 and 2 <= len(name.split()) <= 6, name
    assert len({r["name"].lower() for r in records}) == len(records)


def test_the_written_examples_file_is_the_source_each_line_a_whole_example_with_its_own_id():
    """The examples are data (written_examples.jsonl), not code: each line is checked here as it is added."""
    records = [json.loads(line) for line in WRITTEN.read_text(encoding="utf-8").splitlines()]
    assert [r["id"] for r in records] == [f"w{n:03d}" for n in range(1, len(records) + 1)]
    for record in records:
        assert set(record) == {"id", "titles", "name", "domain", "kind"}, record["id"]
        assert all(isinstance(t, str) and t.strip() for t in record["titles"]), record["id"]
        assert record["name"].strip() == record["name"] and record["domain"] and record["kind"], record["id"]
