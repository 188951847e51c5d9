"""Library version checks: a library outside the tested range, or missing, is a named error saying what to
do."""

from __future__ import annotations

from importlib import metadata

import pytest

import pygym
from pygym.adapters import libraries
from pygym.adapters.libraries import TESTED, release, require, unmet_extra


def test_release_numbers_ignore_local_and_pre_release_parts() -> None:
    assert release("2.13.0+cpu") == (2, 13, 0)
    assert release("0.15.0rc1") == (0, 15, 0)
    assert release("2.9") == (2, 9)


def fake_versions(monkeypatch: pytest.MonkeyPatch, versions: dict[str, str]) -> None:
    real = metadata.version

    def version(name: str) -> str:
        if name in versions:
            if versions[name] == "missing":
                raise metadata.PackageNotFoundError(name)
            return versions[name]
        return real(name)

    monkeypatch.setattr(libraries.metadata, "version", version)


def test_versions_in_range_pass_and_outside_are_named_errors(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(libraries.ALLOW_UNTESTED_VARIABLE, raising=False)
    fake_versions(monkeypatch, {"stable-baselines3": "2.9.2", "torchrl": "0.14.1", "tensordict": "0.14.3"})
    require("stable-baselines3", "torchrl", "tensordict")
    fake_versions(monkeypatch, {"stable-baselines3": "2.3.0"})
    with pytest.raises(
        pygym.LibraryVersionError,
        match=r"stable-baselines3 2\.3\.0 is outside .*>=2\.9,<2\.10.*"
        r"pip install 'pygym-edge\[sb3\]'.*allow_untested=True",
    ):
        require("stable-baselines3")
    fake_versions(monkeypatch, {"torchrl": "0.15.0"})
    with pytest.raises(pygym.LibraryVersionError, match=r"torchrl 0\.15\.0 .*torchrl>=0\.14\.1,<0\.15"):
        require("torchrl")
    with pytest.warns(UserWarning, match="going ahead untested"):
        require("torchrl", allow_untested=True)
    monkeypatch.setenv(libraries.ALLOW_UNTESTED_VARIABLE, "1")
    with pytest.warns(UserWarning, match="torchrl 0.15.0"):
        require("torchrl")
    fake_versions(monkeypatch, {"ray": "missing"})
    with pytest.raises(pygym.LibraryMissing, match=r"ray is not installed.*pygym-edge\[rllib\]"):
        require("ray")
    assert isinstance(pygym.LibraryMissing("x"), ImportError)


def test_views_check_versions_before_importing(monkeypatch: pytest.MonkeyPatch) -> None:
    from pygym.adapters import to_sb3, to_torchrl

    monkeypatch.delenv(libraries.ALLOW_UNTESTED_VARIABLE, raising=False)
    fake_versions(monkeypatch, {"stable-baselines3": "3.0.0", "tensordict": "0.13.0"})
    with pytest.raises(pygym.LibraryVersionError, match=r"stable-baselines3 3\.0\.0"):
        to_sb3(object())  # type: ignore[arg-type]
    with pytest.raises(pygym.LibraryVersionError, match=r"tensordict 0\.13\.0"):
        to_torchrl(object())  # type: ignore[arg-type]
    # Past the check, the view names what it was given.
    with pytest.raises(pygym.ConfigError, match=r"takes a pygym\.VecEnv"), pytest.warns(UserWarning):
        to_sb3(object(), allow_untested=True)  # type: ignore[arg-type]


def test_an_extras_unmet_pins_are_listed(monkeypatch: pytest.MonkeyPatch) -> None:
    assert unmet_extra("pygym-edge", "sb3") == []  # the dev virtualenv has the tested SB3
    fake_versions(monkeypatch, {"sb3-contrib": "2.1.0"})
    assert unmet_extra("pygym-edge", "sb3") == ["sb3-contrib<2.10,>=2.9 (found 2.1.0)"]
    assert sorted(TESTED) == sorted(
        ["gymnasium", "stable-baselines3", "sb3-contrib", "torchrl", "tensordict", "ray", "supersuit"]
    )
