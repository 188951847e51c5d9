"""Small synthetic sample files in the exact formats of the public traces, for tests and demos.

They are made up by :mod:`workloads.samples.make_samples` (seeded, reproducible), not taken from the traces;
see ``README.md`` in this folder.
"""

from __future__ import annotations

from pathlib import Path

ALIBABA = "alibaba_2018_batch_task.csv"
GOOGLE_2011 = "google_2011_task_events.csv.gz"
GOOGLE_2019 = "google_2019_instance_events.csv"
AZURE_2019_INVOCATIONS = "azure_2019_invocations_per_function_md.anon.d01.csv"
AZURE_2019_DURATIONS = "azure_2019_function_durations_percentiles.anon.d01.csv"
AZURE_2021 = "azure_2021_invocations.csv"
FOLDER = Path(__file__).resolve().parent
SAMPLES = {
    "alibaba-2018": (ALIBABA,),
    "google-2011": (GOOGLE_2011,),
    "google-2019": (GOOGLE_2019,),
    "azure-2019": (AZURE_2019_INVOCATIONS, AZURE_2019_DURATIONS),
    "azure-2021": (AZURE_2021,),
}


def sample_paths(trace: str) -> tuple[Path, ...]:
    """The sample file(s) of a trace (azure-2019: invocations, then durations)."""
    if trace not in SAMPLES:
        raise KeyError(f"no sample for {trace!r}; known: {', '.join(SAMPLES)}")
    return tuple(FOLDER / name for name in SAMPLES[trace])
