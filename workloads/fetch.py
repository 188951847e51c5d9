"""Download public traces: streamed, resumable, checksum-verified where the publisher gives a checksum.

A download goes to ``NAME.part`` beside its destination. An interrupted download (a dropped connection,
or a run stopped by the user) resumes from the bytes already there with an HTTP ``Range`` request; a server
that ignores the range is answered by starting over. The finished file is hashed (SHA-256) and compared
with the publisher's checksum when there is one, or with one given by the user; only a file that matches
is moved into place. A mismatch deletes the partial file, so the next try starts clean.

Of the traces here only Google's 2011 bucket publishes checksums (its ``SHA256SUM`` file); Alibaba and
Azure publish none, and the result then says the file is unverified. Google's 2019 trace is served through
BigQuery only and cannot be fetched over HTTP. URLs are those of the publishers' documentation
(``alibaba/clusterdata``, ``google/cluster-data``, ``Azure/AzurePublicDataset``).
"""

from __future__ import annotations

import hashlib
import os
import re
import tarfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import requests
from tqdm import tqdm

from workloads.errors import FetchError

_CHUNK_BYTES = 1 << 16
GOOGLE_2011_BUCKET = "https://commondatastorage.googleapis.com/clusterdata-2011-2"


@dataclass(frozen=True)
class TraceSource:
    """One downloadable file of a public trace."""

    name: str
    url: str
    filename: str
    description: str
    sha256: str | None = None
    """The publisher's SHA-256, when known in advance."""
    sha256_list_url: str | None = None
    """A ``sha256sum``-style list published beside the file, looked up under ``sha256_list_key``."""
    sha256_list_key: str | None = None
    extract_tar: bool = False
    """Unpack the downloaded tar archive into the output folder."""
    notes: str = ""


@dataclass
class FetchResult:
    """What :func:`fetch` left on disk and whether it was checked against a checksum."""

    source: TraceSource
    path: Path
    verified: bool
    extracted: list[Path] = field(default_factory=list)
    resumed_from_bytes: int = 0
    """Bytes of an earlier, interrupted download that this one continued from."""
    already_present: bool = False
    """The file was already in place (and matched the checksum, when there is one): nothing was downloaded."""


def google_2011_part(part: int) -> TraceSource:
    """The ``task_events`` part ``part`` (0..499) of Google's 2011 trace, with its published checksum."""
    if not 0 <= part < 500:
        raise FetchError(f"google-2011 task_events parts are numbered 0..499, not {part}")
    key = f"task_events/part-{part:05d}-of-00500.csv.gz"
    return TraceSource(
        name="google-2011",
        url=f"{GOOGLE_2011_BUCKET}/{key}",
        filename=f"task_events-part-{part:05d}-of-00500.csv.gz",
        description=f"Google clusterdata-2011-2 task_events, part {part} of 500 (CC-BY-4.0)",
        sha256_list_url=f"{GOOGLE_2011_BUCKET}/SHA256SUM",
        sha256_list_key=key,
        notes="readable as is by `pygym workload convert google-2011` (gzip CSV)",
    )


SOURCES: dict[str, TraceSource] = {
    "alibaba-2018": TraceSource(
        name="alibaba-2018",
        url="http://aliopentrace.oss-cn-beijing.aliyuncs.com/v2018Traces/batch_task.tar.gz",
        filename="batch_task.tar.gz",
        description="Alibaba cluster-trace-v2018 batch_task (125 MB; for research or study purposes)",
        extract_tar=True,
        notes="no checksum is published; unpacks batch_task.csv",
    ),
    "google-2011": google_2011_part(0),
    "azure-2019": TraceSource(
        name="azure-2019",
        url=(
            "https://azurecloudpublicdataset2.blob.core.windows.net/azurepublicdatasetv2/"
            "azurefunctions_dataset2019/azurefunctions-dataset2019.tar.xz"
        ),
        filename="azurefunctions-dataset2019.tar.xz",
        description="Azure Functions 2019: invocations, durations, memory, 14 days (CC-BY-4.0)",
        extract_tar=True,
        notes="no checksum is published; convert one day with its invocations and durations files",
    ),
    "azure-2021": TraceSource(
        name="azure-2021",
        url=(
            "https://github.com/Azure/AzurePublicDataset/raw/master/data/"
            "AzureFunctionsInvocationTraceForTwoWeeksJan2021.rar"
        ),
        filename="AzureFunctionsInvocationTraceForTwoWeeksJan2021.rar",
        description="Azure Functions invocation trace 2021, two weeks (CC-BY-4.0)",
        notes="a RAR archive: unpack it with unrar or 7z (the Python standard library cannot)",
    ),
}
NOT_FETCHABLE = {
    "google-2019": (
        "Google's 2019 trace is served through BigQuery only: run the query in the docstring of "
        "workloads.traces.google and export the result as CSV"
    ),
}


def source_named(name: str) -> TraceSource:
    """The source registered as ``name``; FetchError says why when there is none (unknown, or BigQuery)."""
    if name in NOT_FETCHABLE:
        raise FetchError(f"{name}: {NOT_FETCHABLE[name]}")
    if name not in SOURCES:
        raise FetchError(f"unknown trace {name!r}; known: {', '.join(sorted(SOURCES))}")
    return SOURCES[name]


def sha256_of(path: str | os.PathLike[str]) -> str:
    """Hex SHA-256 of a file, read in chunks."""
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(_CHUNK_BYTES):
            digest.update(chunk)
    return digest.hexdigest()


def lookup_sha256(listing: str, key: str) -> str | None:
    """The checksum of ``key`` in a ``sha256sum``-style listing (``HEX  path`` or ``HEX *path`` lines);
    matched on the whole path, else on the file name alone."""
    by_path: dict[str, str] = {}
    for line in listing.splitlines():
        match = re.fullmatch(r"\s*([0-9a-fA-F]{64})\s+\*?(?:\./)?(\S.*?)\s*", line)
        if match:
            by_path[match.group(2)] = match.group(1).lower()
    if key in by_path:
        return by_path[key]
    base = key.rsplit("/", 1)[-1]
    hits = [h for p, h in by_path.items() if p.rsplit("/", 1)[-1] == base]
    return hits[0] if len(hits) == 1 else None


def download(
    url: str,
    dest: str | os.PathLike[str],
    *,
    sha256: str | None = None,
    progress: bool = True,
    retries: int = 3,
    backoff_s: float = 1.0,
    timeout_s: float = 30.0,
    chunk_bytes: int = _CHUNK_BYTES,
    session: requests.Session | None = None,
) -> int:
    """Download ``url`` to ``dest`` (resuming ``dest.part``), verify ``sha256`` if given, and return how many
    bytes were already on disk when it started (0 for a fresh download). Raises FetchError.

    A dropped connection is retried ``retries`` times, resuming each time; what arrived since the last
    complete chunk of ``chunk_bytes`` is fetched again."""
    target = Path(dest)
    part = target.with_name(target.name + ".part")
    target.parent.mkdir(parents=True, exist_ok=True)
    http = session or requests.Session()
    resumed_from = part.stat().st_size if part.exists() else 0
    attempt = 0
    while True:
        try:
            if _fetch_once(http, url, part, progress, timeout_s, chunk_bytes):
                break
            problem = "the connection closed before the end of the file"
        except (requests.ConnectionError, requests.Timeout, requests.exceptions.ChunkedEncodingError) as e:
            problem = f"{type(e).__name__}: {e}"
        attempt += 1
        if attempt > retries:
            raise FetchError(f"{url}: {problem}; gave up after {retries} retries (run again to resume)")
        time.sleep(backoff_s * attempt)
    if sha256 is not None:
        actual = sha256_of(part)
        if actual != sha256.lower():
            part.unlink()
            raise FetchError(
                f"{url}: checksum mismatch: expected SHA-256 {sha256.lower()}, got {actual}; "
                "the download was deleted"
            )
    os.replace(part, target)
    return resumed_from


def _fetch_once(
    http: requests.Session, url: str, part: Path, progress: bool, timeout_s: float, chunk_bytes: int
) -> bool:
    """One request, appending to ``part``; True when the file is complete."""
    offset = part.stat().st_size if part.exists() else 0
    headers = {"Range": f"bytes={offset}-"} if offset else {}
    with http.get(url, headers=headers, stream=True, timeout=timeout_s) as response:
        if response.status_code == 416 and offset:
            total = _content_range_total(response.headers.get("Content-Range", ""))
            if total == offset:
                return True
            part.unlink()
            return False
        if response.status_code == 206:
            start = _content_range_start(response.headers.get("Content-Range", ""))
            if start != offset:
                part.unlink()
                return False
            mode = "ab"
        elif response.status_code == 200:
            offset, mode = 0, "wb"
        else:
            raise FetchError(f"{url}: HTTP {response.status_code} {response.reason}")
        length = response.headers.get("Content-Length")
        total = offset + int(length) if length is not None and length.isdigit() else None
        with (
            open(part, mode) as f,
            tqdm(
                total=total,
                initial=offset,
                unit="B",
                unit_scale=True,
                unit_divisor=1024,
                desc=part.name.removesuffix(".part"),
                disable=not progress,
            ) as bar,
        ):
            for chunk in response.iter_content(chunk_bytes):
                f.write(chunk)
                bar.update(len(chunk))
    return total is None or part.stat().st_size == total


def _content_range_start(header: str) -> int | None:
    match = re.fullmatch(r"bytes (\d+)-\d+/(?:\d+|\*)", header.strip())
    return int(match.group(1)) if match else None


def _content_range_total(header: str) -> int | None:
    match = re.fullmatch(r"bytes (?:\*|\d+-\d+)/(\d+)", header.strip())
    return int(match.group(1)) if match else None


def fetch(
    source: TraceSource | str,
    out_dir: str | os.PathLike[str],
    *,
    sha256: str | None = None,
    verify: bool = True,
    extract: bool = True,
    progress: bool = True,
    retries: int = 3,
    backoff_s: float = 1.0,
    session: requests.Session | None = None,
) -> FetchResult:
    """Download a trace file (a :class:`TraceSource`, or a name in :data:`SOURCES`) into ``out_dir``.

    The checksum is ``sha256`` when given, else the source's, else the one its publisher lists; with
    ``verify=False`` none is looked up. A file already in place that matches (or, with no checksum, that
    exists) is kept. Tar archives are unpacked when ``extract`` (members that would land outside ``out_dir``
    are refused). Raises FetchError.
    """
    if isinstance(source, str):
        source = source_named(source)
    http = session or requests.Session()
    out = Path(out_dir)
    target = out / source.filename
    expected = None
    if verify:
        expected = sha256 or source.sha256 or _published_sha256(source, http)
    result = FetchResult(source=source, path=target, verified=expected is not None)
    if target.exists() and (expected is None or sha256_of(target) == expected):
        result.already_present = True
    else:
        result.resumed_from_bytes = download(
            source.url,
            target,
            sha256=expected,
            progress=progress,
            retries=retries,
            backoff_s=backoff_s,
            session=http,
        )
    if extract and source.extract_tar:
        result.extracted = extract_tar(target, out)
    return result


def _published_sha256(source: TraceSource, http: requests.Session) -> str | None:
    if source.sha256_list_url is None or source.sha256_list_key is None:
        return None
    try:
        response = http.get(source.sha256_list_url, timeout=30)
    except requests.RequestException as e:
        raise FetchError(
            f"cannot read the published checksums at {source.sha256_list_url}: {e} (verify=False skips them)"
        ) from e
    if response.status_code != 200:
        raise FetchError(
            f"{source.sha256_list_url}: HTTP {response.status_code} (verify=False skips checksums)"
        )
    found = lookup_sha256(response.text, source.sha256_list_key)
    if found is None:
        raise FetchError(f"{source.sha256_list_url} lists no checksum for {source.sha256_list_key}")
    return found


def extract_tar(archive: str | os.PathLike[str], out_dir: str | os.PathLike[str]) -> list[Path]:
    """Unpack a tar archive (any compression) into ``out_dir`` with the standard library's ``data`` filter,
    which refuses absolute paths, links leaving the folder and device files; returns the files written."""
    out = Path(out_dir)
    try:
        with tarfile.open(archive, "r:*") as tar:
            members = [m for m in tar.getmembers() if m.isfile()]
            tar.extractall(out, members=members, filter="data")
    except (tarfile.TarError, OSError) as e:
        raise FetchError(f"{archive}: cannot unpack: {e}") from e
    return [out / m.name for m in members]


def names() -> Sequence[str]:
    """Names accepted by :func:`fetch`, including the ones that explain why they cannot be fetched."""
    return sorted([*SOURCES, *NOT_FETCHABLE])
