"""Named errors of the training framework. Each message says what was wrong and where."""

from __future__ import annotations

from collections.abc import Sequence


class AgentsError(Exception):
    """Base class of every error the trainers and their tools raise on bad input."""


class UnknownAlgorithm(AgentsError, ValueError):
    """No trainer has this name."""


class RunDirExists(AgentsError):
    """The run directory exists already; pass --resume to continue it or --force to replace it."""


class RunNotFound(AgentsError):
    """A path that should be a run directory (holding config.json) is not one."""


class CheckpointCorrupt(AgentsError):
    """A checkpoint file cannot be read (truncated, not a checkpoint, or missing entries)."""


class CheckpointMismatch(AgentsError):
    """A checkpoint was made for another environment or observation/action layout; the message lists what
    differs."""


class ResumeMismatch(AgentsError):
    """--resume was given options that change the run (a resumed run keeps its Args)."""


class UnsupportedEnv(AgentsError):
    """The trainer cannot act in this environment (e.g. a value-based trainer on continuous actions)."""


class CompareError(AgentsError):
    """Runs given to ``pygym compare`` cannot be compared (different envs, no episodes logged)."""


class SweepSpecError(AgentsError, ValueError):
    """A sweep specification is malformed; the message names the key."""


class InvalidArgs(AgentsError, ValueError):
    """A trainer option is out of its range or contradicts another; the message names the option."""


def check_ranges(args: object, checks: Sequence[tuple[str, bool, str]]) -> None:
    """Raises InvalidArgs for the first ``(option, holds, expected)`` that does not hold, naming the option as
    its command-line flag with its value."""
    for name, ok, expected in checks:
        if not ok:
            raise InvalidArgs(f"--{name.replace('_', '-')} {getattr(args, name)!r}: expected {expected}")


class ResultsFolderMismatch(AgentsError):
    """A results folder holds another grid's runs (other budgets, evaluation or options), or files that no
    reproduction wrote; the message names what differs."""
