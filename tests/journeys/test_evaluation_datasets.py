"""The evaluation users: what the methods may see, and the truth they are scored against."""

import pytest

from journeys.evaluation.datasets import lastfm_users, spotify_users, tuning_split


@pytest.fixture(scope="module")
def lastfm(shared_data):
    return lastfm_users(shared_data / "lastfm-hetrec2011-2k")


def test_lastfm_users_have_two_or_more_groups_of_three_or_more(lastfm):
    assert len(lastfm) >= 300
    for user in lastfm[:50]:
        assert len(user.truth) >= 2 and all(len(g) >= 3 for g in user.truth)
        assert set().union(*user.truth) == set(range(len(user.texts)))
        assert user.timestamps == sorted(user.timestamps)


def test_lastfm_items_never_show_the_users_own_tags_alone(lastfm):
    user = next(u for u in lastfm if u.user_id == "lastfm:2")
    morcheeba = user.item_titles.index("Morcheeba")
    assert "Morcheeba" not in user.texts[morcheeba]  # described by tags only, not by name
    # The user's own application of a tag is subtracted: a tag only this user gave cannot appear.
    assert "female vovalists" not in user.texts[morcheeba]


def test_spotify_mixes_are_two_to_five_playlists_described_by_track_artist_album(shared_data):
    import csv

    path = shared_data / "spotify-songs-tidytuesday-2020" / "spotify_songs.csv"
    allowed = {f"{r['track_name']} - {r['track_artist']} - {r['track_album_name']}" for r in csv.DictReader(path.open())}
    users = spotify_users(path, count=20, seed=1)
    for user in users:
        assert 2 <= len(user.truth) <= 5
        assert sorted(set(user.truth_labels)) == list(range(len(user.truth)))
        assert set(user.texts) <= allowed  # nothing of the playlist (name, genre) in an item's text
    assert users[0].texts == spotify_users(
        shared_data / "spotify-songs-tidytuesday-2020" / "spotify_songs.csv", count=20, seed=1)[0].texts


def test_the_tuning_split_is_fixed_and_about_a_quarter(lastfm):
    share = sum(tuning_split(u.user_id) for u in lastfm) / len(lastfm)
    assert 0.18 < share < 0.32
    assert tuning_split("lastfm:2") == tuning_split("lastfm:2")
