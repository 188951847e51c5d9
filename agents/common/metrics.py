"""Scalars to ``metrics.csv`` and TensorBoard at once, with the tag namespaces every trainer uses."""

from __future__ import annotations

import csv
import os
import tempfile
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from agents.common.runs import METRICS

NAMESPACES = ("charts/", "losses/", "env/", "perf/", "eval/")


class MetricsLogger:
    """Writes each scalar as a ``step,tag,value,wall_s`` row of ``metrics.csv`` and as a TensorBoard scalar.

    On resume from a checkpoint at ``resume_step``, rows logged after that step (by the interrupted
    process) are dropped from the CSV and TensorBoard purges its events after it, so the resumed run's
    metrics read as if it had never stopped.
    """

    def __init__(self, run_dir: Path, *, resume_step: int | None = None, wall_offset_s: float = 0.0) -> None:
        from torch.utils.tensorboard import SummaryWriter

        self.run_dir = Path(run_dir)
        path = self.run_dir / METRICS
        if resume_step is not None:
            _truncate_after(path, resume_step)
        self._file = open(path, "a", newline="")  # noqa: SIM115 (kept open for the run)
        self._csv = csv.writer(self._file)
        self._tb = SummaryWriter(
            log_dir=str(self.run_dir), purge_step=None if resume_step is None else resume_step + 1
        )
        self._start = time.perf_counter() - wall_offset_s

    def wall_s(self) -> float:
        """Seconds of training so far, over all sessions of a resumed run."""
        return time.perf_counter() - self._start

    def scalar(self, tag: str, value: float, step: int) -> None:
        if not tag.startswith(NAMESPACES):
            raise ValueError(f"metric tag {tag!r} is outside the namespaces {', '.join(NAMESPACES)}")
        value = float(value)
        self._csv.writerow([step, tag, repr(value), f"{self.wall_s():.3f}"])
        self._tb.add_scalar(tag, value, step)

    def scalars(self, values: Mapping[str, float], step: int) -> None:
        for tag, value in values.items():
            self.scalar(tag, value, step)

    def text(self, tag: str, text: str) -> None:
        self._tb.add_text(tag, text)

    def hyperparameters(self, args: Mapping[str, Any]) -> None:
        """The Args as a markdown table in TensorBoard's text tab (as CleanRL does)."""
        rows = "\n".join(f"|{key}|{value}|" for key, value in args.items())
        self.text("hyperparameters", f"|param|value|\n|-|-|\n{rows}")

    def flush(self) -> None:
        self._file.flush()
        self._tb.flush()

    def close(self) -> None:
        if not self._file.closed:
            self._file.close()
            self._tb.close()


def _truncate_after(path: Path, step: int) -> None:
    """Keeps the header and the rows with ``step <= step``; rewritten through a temporary file."""
    with open(path, newline="") as f:
        rows = list(csv.reader(f))
    header, body = rows[:1], rows[1:]
    kept = [row for row in body if int(row[0]) <= step]
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    with os.fdopen(fd, "w", newline="") as f:
        csv.writer(f).writerows(header + kept)
    os.replace(tmp, path)
