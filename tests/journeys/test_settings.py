"""Settings: the model cache is shared by every home, and JOURNEYS_CACHE still chooses another one."""

from pathlib import Path

import platformdirs

from journeys.naming.language_model import BASE_MODEL
from journeys.settings import Settings
from journeys.workspace import Workspace


def test_every_home_shares_the_per_user_cache_folder(tmp_path, monkeypatch):
    monkeypatch.delenv("JOURNEYS_CACHE", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    shared = Path(platformdirs.user_cache_dir("journeys", appauthor=False))
    first, second = Settings(home=tmp_path / "one"), Settings.from_env(home=tmp_path / "two")
    assert first.cache_dir == second.cache_dir == shared
    assert not shared.is_relative_to(tmp_path / "one") and not shared.is_relative_to(tmp_path / "two")


def test_journeys_cache_overrides_the_shared_folder(tmp_path, monkeypatch):
    monkeypatch.setenv("JOURNEYS_CACHE", str(tmp_path / "mine"))
    assert Settings.from_env(home=tmp_path / "home").cache_dir == tmp_path / "mine"
    assert Settings(home=tmp_path / "home").cache_dir == tmp_path / "mine"  # settings built in code too
    assert Settings(cache=tmp_path / "given").cache_dir == tmp_path / "given"


def test_the_namers_base_model_is_converted_as_a_named_step_on_the_first_start_only(tmp_path, embedder):
    def labels(cache: Path, namer: str, naming: bool = True) -> list[str]:
        settings = Settings(home=tmp_path / "home", cache=cache, namer=namer, device="cpu")
        return [step.label for step in Workspace(settings, embedder=embedder).loading_steps(naming=naming)]

    empty = tmp_path / "empty-cache"
    assert labels(empty, "tuned") == ["loading the embedding model",
                                      "converting the namer's base model (first start only, about a minute)"]
    assert labels(empty, "fewshot")[1:] == labels(empty, "tuned")[1:]
    assert labels(empty, "keywords") == labels(empty, "tuned", naming=False) == ["loading the embedding model"]
    converted = tmp_path / "converted-cache"
    (converted / f"{BASE_MODEL}-hf").mkdir(parents=True)
    (converted / f"{BASE_MODEL}-hf" / "config.json").write_text("{}")
    assert labels(converted, "tuned") == ["loading the embedding model"]


def test_the_namers_candidate_count_comes_from_the_environment_and_a_bad_one_is_one_sentence(monkeypatch):
    from journeys.naming.backends import make_namer
    from journeys.settings import Settings

    monkeypatch.setenv("JOURNEYS_NAMER_CANDIDATES", "1")
    settings = Settings.from_env()
    assert settings.namer_candidates == 1 and make_namer("tuned", settings).candidates == 1
    monkeypatch.setenv("JOURNEYS_NAMER_CANDIDATES", "many")
    import pytest

    with pytest.raises(ValueError, match="JOURNEYS_NAMER_CANDIDATES='many' is not a whole number; set it to one"):
        Settings.from_env()


def test_numbers_and_devices_that_make_no_sense_are_refused_when_read(monkeypatch):
    import pytest

    for name, value, expected in (("JOURNEYS_NAMER_TIMEOUT", "nan", "outside 0.01 to 3600"),
                                  ("JOURNEYS_NAMER_RETRIES", "-1", "outside 0 to 10"),
                                  ("JOURNEYS_NAMER_CANDIDATES", "1000000", "outside 1 to 16"),
                                  ("JOURNEYS_DEVICE", "quantum", "is not a device")):
        monkeypatch.setenv(name, value)
        with pytest.raises(ValueError, match=expected):
            Settings.from_env()
        monkeypatch.delenv(name)
    monkeypatch.setenv("JOURNEYS_DEVICE", "cuda:1")
    assert Settings.from_env().device == "cuda:1"
