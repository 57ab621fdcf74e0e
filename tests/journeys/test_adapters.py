"""MovieLens and Last.fm HetRec read as activity histories (needs the shared data sets)."""

from collections import Counter

import pytest

from journeys.history.activity import HistoryFileError
from journeys.history.files import read_rows


@pytest.fixture(scope="module")
def movielens(shared_data):
    return shared_data / "movielens-ml-latest-small"


@pytest.fixture(scope="module")
def lastfm(shared_data):
    return shared_data / "lastfm-hetrec2011-2k"


def test_movielens_ratings_become_activities_with_genres_tags_and_engagement(movielens):
    rows = list(read_rows(movielens, "movielens"))
    assert len(rows) == 100836 and all(r.error is None for r in rows)
    first = rows[0].activity
    assert (first.user_id, first.item_id, first.title) == ("ml:1", "ml:1", "Toy Story (1995)")
    assert {"Animation", "Comedy", "pixar"} <= set(first.tags)
    assert first.engagement == pytest.approx(4.0 / 5) and first.kind == "rate"
    assert first.timestamp.timestamp() == 964982703
    assert len({r.activity.user_id for r in rows}) == 610


def test_lastfm_items_carry_other_users_tags_not_the_users_own(lastfm):
    rows = [r for r in read_rows(lastfm / "user_taggedartists.tsv", "lastfm") if r.activity]
    by_user = [r.activity for r in rows if r.activity.user_id == "lastfm:2"]
    morcheeba = next(a for a in by_user if a.title == "Morcheeba")
    assert "trip-hop" in morcheeba.extra["own_tags"]
    # Tags of other users, counted without this user's own applications.
    assert morcheeba.tags and morcheeba.timestamp.year == 2009
    assert 0 < morcheeba.engagement <= 1
    own_counts = Counter(t for a in by_user for t in a.extra["own_tags"])
    assert own_counts["chillout"] >= 3


def test_lastfm_rows_without_a_known_artist_name_the_file_and_line(lastfm, workspace):
    bad = next(r for r in read_rows(lastfm, "lastfm") if r.error)
    assert bad.source.name == "user_taggedartists.tsv" and "not in artists.tsv" in bad.error
    with pytest.raises(HistoryFileError, match=r"user_taggedartists.tsv, line \d+: artist \d+ is not in artists.tsv"):
        workspace.ingest([lastfm], fmt="lastfm", user_id="lastfm:2")


def test_lastfm_user_imports_with_skip_invalid(lastfm, workspace):
    report = workspace.ingest([lastfm], fmt="lastfm", user_id="lastfm:2", skip_invalid=True)
    assert report.added >= 5 and report.users == {"lastfm:2"} and report.skipped
    assert workspace.history.count() == report.added


def test_a_folder_without_the_data_set_files_is_refused(tmp_path):
    with pytest.raises(HistoryFileError, match="ratings.csv"):
        list(read_rows(tmp_path, "movielens"))
