"""The scenario suite as pytest tests: every *.yaml in tests/dialogues/scenarios is one test.

Each runs exactly as `journeys dialogues` runs it (a fresh store, its history ingested,
the offline agent driven turn by turn); a failure lists each failed expectation with what
was found instead.
"""

from __future__ import annotations

from pathlib import Path

import pytest

SCENARIOS = Path(__file__).parent / "scenarios"
_RUNNER = pytest.StashKey[object]()


def pytest_collect_file(parent: pytest.Collector, file_path: Path) -> pytest.Collector | None:
    if file_path.suffix in (".yaml", ".yml") and file_path.parent == SCENARIOS:
        return ScenarioFile.from_parent(parent, path=file_path)
    return None


class ScenarioFile(pytest.File):
    def collect(self):
        yield ScenarioItem.from_parent(self, name=self.path.stem)


class ScenarioFailed(Exception):
    """A scenario with failed expectations (or a malformed file)."""


class ScenarioItem(pytest.Item):
    def runtest(self) -> None:
        result = runner(self.config).run_file(self.path)
        self.user_properties.append(("turns", len(result.turns)))
        if not result.passed:
            raise ScenarioFailed("\n".join(result.failures()))

    def repr_failure(self, excinfo, style=None):
        if isinstance(excinfo.value, ScenarioFailed):
            return f"scenario {self.path.name} failed:\n{excinfo.value}"
        return super().repr_failure(excinfo, style)

    def reportinfo(self):
        return self.path, 0, f"scenario: {self.name}"


def runner(config: pytest.Config):
    """One runner (and one embedding model) for every scenario of the run, with the default settings."""
    if _RUNNER not in config.stash:

        from dialogues.scenarios import ScenarioRunner
        from journeys.settings import Settings

        # Scenarios must be deterministic with the offline default, whatever this shell configures.
        settings = Settings.from_env(device="cpu").model_copy(update={"chat_model": None, "simulator_model": None})
        config.stash[_RUNNER] = ScenarioRunner(settings)
    return config.stash[_RUNNER]
