"""Downloads against a local HTTP server: checksums, resume with Range, dropped connections, archives."""

from __future__ import annotations

import hashlib
import io
import re
import tarfile
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from typer.testing import CliRunner

from workloads import FetchError
from workloads.cli import app
from workloads.fetch import TraceSource, download, fetch, lookup_sha256
from workloads.samples import sample_paths

PAYLOAD = sample_paths("azure-2021")[0].read_bytes()
SHA = hashlib.sha256(PAYLOAD).hexdigest()


def _tarball() -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        info = tarfile.TarInfo("batch_task.csv")
        info.size = len(PAYLOAD)
        tar.addfile(info, io.BytesIO(PAYLOAD))
    return buffer.getvalue()


@dataclass
class Server:
    """What the test server serves and what it saw."""

    base: str = ""
    ranges: list[str | None] = field(default_factory=list)
    ignore_range: bool = False
    drops_left: int = 0
    files: dict[str, bytes] = field(default_factory=dict)


def _handler(state: Server) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:
            """Keep the test output quiet."""

        def do_GET(self) -> None:
            body = state.files.get(self.path)
            if body is None:
                self.send_error(404)
                return
            requested = self.headers.get("Range")
            if self.path != "/SHA256SUM":
                state.ranges.append(requested)
            start = 0
            match = re.fullmatch(r"bytes=(\d+)-", requested or "")
            if match and not state.ignore_range:
                start = int(match.group(1))
                if start >= len(body):
                    self.send_response(416)
                    self.send_header("Content-Range", f"bytes */{len(body)}")
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                self.send_response(206)
                self.send_header("Content-Range", f"bytes {start}-{len(body) - 1}/{len(body)}")
            else:
                self.send_response(200)
            rest = body[start:]
            self.send_header("Content-Length", str(len(rest)))
            self.end_headers()
            if state.drops_left:
                state.drops_left -= 1
                self.wfile.write(rest[: len(rest) // 3])
                self.wfile.flush()
                self.close_connection = True
                return
            self.wfile.write(rest)

    return Handler


@pytest.fixture
def server() -> Iterator[Server]:
    state = Server(files={"/inv.csv": PAYLOAD, "/batch_task.tar.gz": _tarball()})
    state.files["/SHA256SUM"] = f"{SHA} *data/inv.csv\n{'0' * 64}  other/file.csv\n".encode()
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler(state))
    state.base = f"http://127.0.0.1:{httpd.server_address[1]}"
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
    thread.start()
    yield state
    httpd.shutdown()
    httpd.server_close()
    thread.join(timeout=5)


def test_fresh_download_verified_against_a_published_list(server: Server, tmp_path: Path) -> None:
    source = TraceSource(
        "sample",
        f"{server.base}/inv.csv",
        "inv.csv",
        "test",
        sha256_list_url=f"{server.base}/SHA256SUM",
        sha256_list_key="data/inv.csv",
    )
    result = fetch(source, tmp_path, progress=False)
    assert result.verified and not result.already_present and result.resumed_from_bytes == 0
    assert (tmp_path / "inv.csv").read_bytes() == PAYLOAD
    assert not (tmp_path / "inv.csv.part").exists()
    again = fetch(source, tmp_path, progress=False)
    assert again.already_present
    assert server.ranges == [None]


def test_resume_continues_from_the_partial_file(server: Server, tmp_path: Path) -> None:
    (tmp_path / "inv.csv.part").write_bytes(PAYLOAD[:1000])
    resumed = download(f"{server.base}/inv.csv", tmp_path / "inv.csv", sha256=SHA, progress=False)
    assert resumed == 1000
    assert server.ranges == ["bytes=1000-"]
    assert (tmp_path / "inv.csv").read_bytes() == PAYLOAD


def test_a_complete_partial_file_is_recognised(server: Server, tmp_path: Path) -> None:
    (tmp_path / "inv.csv.part").write_bytes(PAYLOAD)
    download(f"{server.base}/inv.csv", tmp_path / "inv.csv", sha256=SHA, progress=False)
    assert server.ranges == [f"bytes={len(PAYLOAD)}-"]
    assert (tmp_path / "inv.csv").read_bytes() == PAYLOAD


def test_a_server_ignoring_ranges_restarts_the_file(server: Server, tmp_path: Path) -> None:
    server.ignore_range = True
    (tmp_path / "inv.csv.part").write_bytes(b"garbage that is not the start of the file")
    download(f"{server.base}/inv.csv", tmp_path / "inv.csv", sha256=SHA, progress=False)
    assert (tmp_path / "inv.csv").read_bytes() == PAYLOAD
    assert len(server.ranges) == 1


def test_dropped_connections_are_resumed_automatically(server: Server, tmp_path: Path) -> None:
    server.drops_left = 2
    url = f"{server.base}/inv.csv"
    download(url, tmp_path / "inv.csv", sha256=SHA, progress=False, backoff_s=0, chunk_bytes=512)
    assert (tmp_path / "inv.csv").read_bytes() == PAYLOAD
    assert len(server.ranges) == 3
    assert server.ranges[0] is None and all(r and r.startswith("bytes=") for r in server.ranges[1:])
    server.drops_left = 5
    with pytest.raises(FetchError, match="gave up after 1 retries"):
        download(f"{server.base}/inv.csv", tmp_path / "other.csv", progress=False, retries=1, backoff_s=0)
    assert (tmp_path / "other.csv.part").exists()


def test_checksum_mismatch_deletes_the_download(server: Server, tmp_path: Path) -> None:
    with pytest.raises(FetchError, match=f"checksum mismatch: expected SHA-256 {'a' * 64}, got {SHA}"):
        download(f"{server.base}/inv.csv", tmp_path / "inv.csv", sha256="A" * 64, progress=False)
    assert list(tmp_path.iterdir()) == []


def test_http_errors_and_unlisted_checksums(server: Server, tmp_path: Path) -> None:
    with pytest.raises(FetchError, match="HTTP 404"):
        download(f"{server.base}/nothing", tmp_path / "x", progress=False)
    source = TraceSource(
        "s",
        f"{server.base}/inv.csv",
        "inv.csv",
        "t",
        sha256_list_url=f"{server.base}/SHA256SUM",
        sha256_list_key="zz",
    )
    with pytest.raises(FetchError, match="lists no checksum for zz"):
        fetch(source, tmp_path, progress=False)
    with pytest.raises(FetchError, match="BigQuery"):
        fetch("google-2019", tmp_path)
    with pytest.raises(FetchError, match="unknown trace 'nope'"):
        fetch("nope", tmp_path)


def test_tar_archives_are_unpacked(server: Server, tmp_path: Path) -> None:
    source = TraceSource("a", f"{server.base}/batch_task.tar.gz", "batch_task.tar.gz", "t", extract_tar=True)
    result = fetch(source, tmp_path, progress=False)
    assert not result.verified
    assert result.extracted == [tmp_path / "batch_task.csv"]
    assert (tmp_path / "batch_task.csv").read_bytes() == PAYLOAD


def test_lookup_sha256_formats() -> None:
    listing = (
        f"{SHA}  task_events/part-00001-of-00500.csv.gz\n{'b' * 64} *./job_events/x.csv.gz\nnot a line\n"
    )
    assert lookup_sha256(listing, "task_events/part-00001-of-00500.csv.gz") == SHA
    assert lookup_sha256(listing, "job_events/x.csv.gz") == "b" * 64
    assert lookup_sha256(listing, "elsewhere/x.csv.gz") == "b" * 64
    assert lookup_sha256(listing, "missing.csv") is None


def test_cli_fetch_from_a_mirror_url(server: Server, tmp_path: Path) -> None:
    runner = CliRunner()
    args = ["fetch", "azure-2021", "--out", str(tmp_path), "--url", f"{server.base}/inv.csv", "--sha256", SHA]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "SHA-256 verified" in result.output
    assert (tmp_path / "AzureFunctionsInvocationTraceForTwoWeeksJan2021.rar").read_bytes() == PAYLOAD
    bad = runner.invoke(app, [*args[:-1], "0" * 64, "--out", str(tmp_path / "other")])
    assert bad.exit_code == 1
    assert "checksum mismatch" in bad.output
    listing = runner.invoke(app, ["fetch", "--list"])
    assert listing.exit_code == 0 and "google-2019" in listing.output and "alibaba-2018" in listing.output
