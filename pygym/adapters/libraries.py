"""The RL libraries pygym's views were tested with, and the check each view runs before it imports one.

A view imports its library only when it is created, so ``import pygym`` never imports torch. A library that
is missing raises :class:`~pygym.errors.LibraryMissing`, one outside the tested range
:class:`~pygym.errors.LibraryVersionError`; both say what to install. ``allow_untested=True`` on a view (or
``PYGYM_ALLOW_UNTESTED_LIBRARIES=1`` in the environment) turns the version error into a warning, for someone
trying a newer release on purpose.
"""

from __future__ import annotations

import os
import re
import warnings
from dataclasses import dataclass
from importlib import metadata

from pygym.errors import LibraryMissing, LibraryVersionError

ALLOW_UNTESTED_VARIABLE = "PYGYM_ALLOW_UNTESTED_LIBRARIES"


@dataclass(frozen=True)
class Tested:
    """A distribution and the release range the views were tested with: ``low <= version < high``."""

    distribution: str
    low: tuple[int, ...]
    high: tuple[int, ...]
    extra: str

    @property
    def range_text(self) -> str:
        return f">={_text(self.low)},<{_text(self.high)}"


TESTED: dict[str, Tested] = {
    tested.distribution: tested
    for tested in (
        Tested("gymnasium", (1, 0), (2, 0), "pygym-edge"),
        Tested("stable-baselines3", (2, 9), (2, 10), "sb3"),
        Tested("sb3-contrib", (2, 9), (2, 10), "sb3"),
        Tested("torchrl", (0, 14, 1), (0, 15), "torchrl"),
        Tested("tensordict", (0, 14, 3), (0, 15), "torchrl"),
        Tested("ray", (2, 60), (2, 61), "rllib"),
        Tested("supersuit", (3, 11), (3, 12), "libbench"),
    )
}
"""Known-good releases, all with torch 2.13.0 (CPU). RLlib's extra pins gymnasium 1.2.2."""


def _text(version: tuple[int, ...]) -> str:
    return ".".join(str(v) for v in version)


def release(version: str) -> tuple[int, ...]:
    """The release numbers of a version string: ``"2.13.0+cpu"`` -> ``(2, 13, 0)``, ``"0.15.0rc1"`` ->
    ``(0, 15, 0)``."""
    numbers = []
    for part in version.split("+")[0].split("."):
        match = re.match(r"\d+", part)
        if match is None:
            break
        numbers.append(int(match.group()))
        if match.end() != len(part):
            break
    return tuple(numbers)


def require(*distributions: str, allow_untested: bool = False) -> None:
    """Checks that each distribution is installed and within its tested range; call before importing it."""
    allow = allow_untested or os.environ.get(ALLOW_UNTESTED_VARIABLE, "") not in ("", "0")
    for name in distributions:
        tested = TESTED[name]
        install = f"pip install 'pygym-edge[{tested.extra}]' 'torch==2.13.0'"
        try:
            version = metadata.version(name)
        except metadata.PackageNotFoundError:
            raise LibraryMissing(
                f"{name} is not installed; this view needs {name}{tested.range_text}: {install}"
            ) from None
        if tested.low <= release(version) < tested.high:
            continue
        message = (
            f"{name} {version} is outside the versions pygym was tested with ({name}{tested.range_text}). "
            f"Install a tested release ({install}), or pass allow_untested=True (or set "
            f"{ALLOW_UNTESTED_VARIABLE}=1) to try this one at your own risk"
        )
        if not allow:
            raise LibraryVersionError(message)
        warnings.warn(message.split(". Install")[0] + ": going ahead untested", stacklevel=3)


def unmet_extra(distribution: str, extra: str) -> list[str]:
    """The requirements of ``distribution[extra]`` that the installed packages do not meet, as text such as
    ``"gymnasium==1.2.2 (found 1.4.0)"``. Empty when every requirement is met."""
    from packaging.requirements import Requirement

    unmet = []
    for text in metadata.requires(distribution) or []:
        requirement = Requirement(text)
        if requirement.marker is None or not requirement.marker.evaluate({"extra": extra}):
            continue
        if requirement.marker.evaluate({"extra": ""}):
            continue  # a requirement of the distribution itself, not of the extra
        try:
            found = metadata.version(requirement.name)
        except metadata.PackageNotFoundError:
            unmet.append(f"{requirement.name}{requirement.specifier} (not installed)")
            continue
        if requirement.specifier and not requirement.specifier.contains(found, prereleases=True):
            unmet.append(f"{requirement.name}{requirement.specifier} (found {found})")
    return unmet


def require_rllib(*, allow_untested: bool = False) -> None:
    """Ray in the tested range with its ``rllib`` extra satisfied (RLlib pins its own Gymnasium)."""
    require("ray", allow_untested=allow_untested)
    unmet = unmet_extra("ray", "rllib")
    if unmet:
        raise LibraryVersionError(
            f"ray is installed but not its rllib extra: {'; '.join(unmet)}. RLlib pins its own versions (ray "
            "2.60 pins gymnasium 1.2.2, pygym's other views use 1.4): install pygym-edge[rllib] in a "
            "virtualenv of its own (make rllib-venv builds .venv-rllib)"
        )
