"""Readers of public cluster and serverless traces, and their conversion into workload files.

Each reader streams a trace (plain or gzip) into :class:`~workloads.format.Task` objects in workload-file
order, in memory bounded by ``ConvertOptions.run_size`` whatever the trace size, and fills a
:class:`ConversionReport` with every row and task it read, wrote or skipped, by reason. The mapping from
trace rows to tasks is in each reader's module docstring: :mod:`.alibaba`, :mod:`.google`, :mod:`.azure`.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from pathlib import Path

from workloads.errors import OptionError
from workloads.format import Task, write_workload
from workloads.traces.alibaba import read_alibaba_2018
from workloads.traces.azure import SPREADS, read_azure_2019, read_azure_2021
from workloads.traces.common import ConversionReport, ConvertOptions
from workloads.traces.google import read_google_2011, read_google_2019

TRACES = ("alibaba-2018", "google-2011", "google-2019", "azure-2019", "azure-2021")

PathArg = str | os.PathLike[str]


def read_trace(
    trace: str,
    inputs: PathArg | Sequence[PathArg],
    options: ConvertOptions,
    report: ConversionReport,
    *,
    durations: PathArg | None = None,
    spread: str = "uniform",
    cores_per_unit: float = 1.0,
) -> Iterator[Task]:
    """Stream the tasks of a trace by name (one of :data:`TRACES`).

    ``durations`` (the percentile file) and ``spread`` apply to ``azure-2019`` only, ``cores_per_unit`` to
    the Google traces; azure-2019 and azure-2021 take exactly one input file.
    """
    files = [inputs] if isinstance(inputs, (str, os.PathLike)) else list(inputs)
    if not files:
        raise OptionError("inputs", files, "at least one input file is needed")
    if trace == "alibaba-2018":
        return read_alibaba_2018(files, options, report)
    if trace == "google-2011":
        return read_google_2011(files, options, report, cores_per_unit=cores_per_unit)
    if trace == "google-2019":
        return read_google_2019(files, options, report, cores_per_unit=cores_per_unit)
    if trace in ("azure-2019", "azure-2021") and len(files) != 1:
        raise OptionError("inputs", [str(f) for f in files], f"{trace} reads exactly one file")
    if trace == "azure-2019":
        if durations is None:
            raise OptionError("durations", None, "azure-2019 needs the function_durations_percentiles file")
        return read_azure_2019(files[0], durations, options, report, spread=spread)
    if trace == "azure-2021":
        return read_azure_2021(files[0], options, report)
    raise OptionError("trace", trace, f"unknown trace; known: {', '.join(TRACES)}")


def convert_trace(
    trace: str,
    inputs: PathArg | Sequence[PathArg],
    output: PathArg,
    options: ConvertOptions | None = None,
    *,
    durations: PathArg | None = None,
    spread: str = "uniform",
    cores_per_unit: float = 1.0,
) -> ConversionReport:
    """Convert a trace into a workload file and return the report of what was read, written and skipped.

    The file's header states the trace, the input file names and every rule applied (see
    :meth:`ConvertOptions.describe`). Nothing is written when the conversion fails.
    """
    options = options or ConvertOptions()
    files = [inputs] if isinstance(inputs, (str, os.PathLike)) else list(inputs)
    report = ConversionReport(trace=trace, inputs=tuple(str(f) for f in files))
    tasks = read_trace(
        trace, files, options, report, durations=durations, spread=spread, cores_per_unit=cores_per_unit
    )
    comments = [f"converted from the {trace} trace: {', '.join(Path(f).name for f in files)}"]
    if trace == "azure-2019":
        assert durations is not None
        comments.append(f"durations: {Path(durations).name}; spread within each minute: {spread}")
    if trace.startswith("google"):
        comments.append(f"cores_per_unit: {cores_per_unit:g}")
    comments += options.describe()
    # Ids are unique and dependencies point backwards by construction (see finalize), so the writer need
    # not keep every id: conversion stays in bounded memory.
    write_workload(output, tasks, comments=comments, check_references=False)
    return report


__all__ = [
    "SPREADS",
    "TRACES",
    "ConversionReport",
    "ConvertOptions",
    "convert_trace",
    "read_alibaba_2018",
    "read_azure_2019",
    "read_azure_2021",
    "read_google_2011",
    "read_google_2019",
    "read_trace",
]
