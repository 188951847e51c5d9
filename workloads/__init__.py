"""Workloads for the edge simulator: trace readers, synthetic arrival processes, the workload file format.

- :mod:`workloads.format`: the workload file (version 1) that the simulator replays, its specification,
  :func:`read_workload` (streaming, validating), :func:`load_workload` and :func:`write_workload`.
- :mod:`workloads.traces`: streaming readers of Alibaba 2018, Google 2011/2019 and Azure Functions
  2019/2021 traces, and :func:`convert_trace`.
- :mod:`workloads.synth`: seeded Poisson, MMPP, diurnal and PeersimGym-schedule arrivals, task sizes from
  :mod:`workloads.distributions`.
- :mod:`workloads.fetch`: resumable, checksum-verified downloads of the public traces.
- :mod:`workloads.show`: summaries and plots of a workload file.

This package imports nothing of ``pygym``, ``agents`` or ``topologies``; the simulator reads its files.
"""

from workloads.distributions import BytesRule, Distribution, parse_bytes_rule, parse_distribution
from workloads.errors import FetchError, OptionError, SkipCounter, WorkloadError, excerpt
from workloads.format import (
    COLUMNS,
    FORMAT_VERSION,
    Task,
    Workload,
    load_workload,
    read_comments,
    read_workload,
    write_workload,
)
from workloads.sources import SourceRule
from workloads.synth import (
    MMPP,
    Diurnal,
    PiecewiseRate,
    Poisson,
    TaskShape,
    heterogeneous_schedules,
    linear_schedule,
    synthesize,
    uniform_random_schedule,
    zigzag_schedule,
)
from workloads.traces import TRACES, ConversionReport, ConvertOptions, convert_trace, read_trace

__all__ = [
    "COLUMNS",
    "FORMAT_VERSION",
    "MMPP",
    "TRACES",
    "BytesRule",
    "ConversionReport",
    "ConvertOptions",
    "Distribution",
    "Diurnal",
    "FetchError",
    "OptionError",
    "PiecewiseRate",
    "Poisson",
    "SkipCounter",
    "SourceRule",
    "Task",
    "TaskShape",
    "Workload",
    "WorkloadError",
    "convert_trace",
    "excerpt",
    "heterogeneous_schedules",
    "linear_schedule",
    "load_workload",
    "parse_bytes_rule",
    "parse_distribution",
    "read_comments",
    "read_trace",
    "read_workload",
    "synthesize",
    "uniform_random_schedule",
    "write_workload",
    "zigzag_schedule",
]
