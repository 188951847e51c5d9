"""Optional TLS between client and server (a self-signed certificate made here with the openssl CLI), and the
limits a client cannot pass, each with a named error while the server keeps serving others."""

from __future__ import annotations

import shutil
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

import pygym
from tests.pygym.served import Served

pytestmark = pytest.mark.jvm

SMALL = {"nodes": 6, "agents": 3, "episode_s": 1}
# "Within seconds": how long a mismatch may take to be named.
MISMATCH_S = 10


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A self-signed certificate for localhost and 127.0.0.1, and its PKCS#8 key."""
    openssl = shutil.which("openssl")
    assert openssl, (
        "the openssl command line tool is needed to make a test certificate (apt-get install openssl)"
    )
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        [openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out", str(cert),
         "-days", "2", "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"],
        check=True, capture_output=True,
    )  # fmt: skip
    assert key.read_text().startswith("-----BEGIN PRIVATE KEY-----")
    return cert, key


@pytest.fixture(scope="module")
def tls_server(tmp_path_factory: pytest.TempPathFactory, certificate: tuple[Path, Path]) -> Iterator[Served]:
    cert, key = certificate
    with Served(tmp_path_factory.mktemp("tls-served"), "--tls-cert", str(cert), "--tls-key", str(key)) as s:
        assert s.info["tls"] is True
        yield s


@pytest.fixture(scope="module")
def plain_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    with Served(tmp_path_factory.mktemp("plain-served")) as s:
        yield s


def episode(server: object, **kwargs: object) -> int:
    with pygym.make("offload-neighbour-v0", server=server, **kwargs, **SMALL) as env:  # type: ignore[arg-type]
        env.reset(seed=2)
        steps = 0
        while env.agents:
            env.step(dict.fromkeys(env.agents, 0))
            steps += 1
    return steps


def test_a_tls_client_steps_a_tls_server(tls_server: Served, certificate: tuple[Path, Path]) -> None:
    cert, _ = certificate
    client = pygym.connect("localhost", tls_server.port, tls_server.token, tls=True, tls_ca=cert)
    try:
        assert episode(client) == 10
    finally:
        client.close()
    # server="host:port" with the CA from the environment, as a trainer would get it.
    assert episode(f"127.0.0.1:{tls_server.port}", token=tls_server.token, tls=True, tls_ca=str(cert)) == 10


class RecordingProxy:
    """Relays TCP connections to ``port`` and keeps every byte the client sent: what a network sees."""

    def __init__(self, port: int) -> None:
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.target = port
        self.seen = bytearray()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            client, _ = self.listener.accept()
            threading.Thread(target=self._relay, args=(client,), daemon=True).start()

    def _relay(self, client: socket.socket) -> None:
        server = socket.create_connection(("127.0.0.1", self.target))

        def pipe(source: socket.socket, sink: socket.socket, record: bool) -> None:
            try:
                while data := source.recv(65536):
                    if record:
                        self.seen += data
                    sink.sendall(data)
            except OSError:
                pass
            for s in (source, sink):
                s.close()

        threading.Thread(target=pipe, args=(server, client, False), daemon=True).start()
        pipe(client, server, True)


def test_the_token_crosses_the_network_in_clear_only_without_tls(
    tls_server: Served, plain_server: Served, certificate: tuple[Path, Path]
) -> None:
    plain = RecordingProxy(plain_server.port)
    pygym.connect("127.0.0.1", plain.port, plain_server.token).close()
    secure = RecordingProxy(tls_server.port)
    pygym.connect("localhost", secure.port, tls_server.token, tls=True, tls_ca=certificate[0]).close()
    time.sleep(0.2)
    assert plain_server.token.encode() in plain.seen
    assert len(secure.seen) > 500, "the TLS client sent its handshake and commands"
    assert tls_server.token.encode() not in secure.seen and b"hello" not in secure.seen


def test_a_plain_client_to_a_tls_server_is_told_within_seconds(tls_server: Served) -> None:
    start = time.monotonic()
    with pytest.raises(
        pygym.TlsError, match=f"127.0.0.1:{tls_server.port} speaks TLS only: connect with tls=True"
    ):
        pygym.connect("127.0.0.1", tls_server.port, tls_server.token)
    assert time.monotonic() - start < MISMATCH_S


def test_a_tls_client_to_a_plain_server_is_told_within_seconds(
    plain_server: Served, certificate: tuple[Path, Path]
) -> None:
    start = time.monotonic()
    with pytest.raises(
        pygym.TlsError, match=f"TLS handshake with 127.0.0.1:{plain_server.port} failed .* does not speak TLS"
    ):
        pygym.connect("127.0.0.1", plain_server.port, plain_server.token, tls=True, tls_ca=certificate[0])
    assert time.monotonic() - start < MISMATCH_S


def test_a_certificate_the_ca_did_not_sign_is_refused(tls_server: Served, tmp_path: Path) -> None:
    with pytest.raises(pygym.TlsError, match=r"cannot verify the TLS certificate .* pass tls_ca="):
        pygym.connect("127.0.0.1", tls_server.port, tls_server.token, tls=True)
    with pytest.raises(pygym.ConfigError, match=r"tls_ca='/nonexistent\.pem': not a readable PEM CA file"):
        pygym.connect("127.0.0.1", tls_server.port, tls_server.token, tls=True, tls_ca="/nonexistent.pem")
    with pytest.raises(pygym.ConfigError, match="pass tls=True as well"):
        pygym.connect("127.0.0.1", tls_server.port, tls_server.token, tls=False, tls_ca="/x.pem")


def test_bad_tls_files_stop_the_server_with_their_names(
    tmp_path: Path, certificate: tuple[Path, Path]
) -> None:
    cert, key = certificate
    rsa = tmp_path / "rsa.pem"
    rsa.write_text(key.read_text().replace("BEGIN PRIVATE KEY", "BEGIN RSA PRIVATE KEY"))
    cases = [
        (["--tls-cert", str(cert)], "--tls-cert and --tls-key go together"),
        (["--tls-cert", str(key), "--tls-key", str(key)], f"--tls-cert {key} is not a PEM X.509 certificate"),
        (["--tls-cert", str(cert), "--tls-key", str(rsa)], "not a PEM PKCS#8 private key"),
        (["--tls-cert", str(cert), "--tls-key", str(tmp_path / "none.pem")], "cannot read --tls-key"),
    ]
    for options, message in cases:
        with pytest.raises(RuntimeError, match=message):
            Served(tmp_path, *options)


# --- limits ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("what", "make", "message"),
    [
        (
            "2,000,000 nodes (405 s and 3.7 GB before)",
            lambda s: pygym.make("offload-neighbour-v0", server=s, nodes=2_000_000, agents=2),
            r"network.size = 2000000 nodes: this server allows at most 1000 nodes per session "
            r"\(pygym sim serve --max-nodes-per-session\)",
        ),
        (
            "a 20,000-device offload-mec-v0 (OutOfMemoryError before)",
            lambda s: pygym.make("offload-mec-v0", server=s, n_devices=20_000),
            r"network.size = 20\d\d\d nodes: this server allows at most 1000 nodes per session",
        ),
        (
            "5,000 sessions (all opened before)",
            lambda s: pygym.make_vec("offload-neighbour-v0", 5000, server=s, **SMALL),
            r"this client has 0 session\(s\) open on this server; 5000 more would pass its limit of 1024 "
            r"sessions per client \(close environments, or pygym sim serve --max-sessions-per-client\)",
        ),
    ],
)
def test_the_issue_s_resource_exhaustions_are_refused_at_once(
    plain_server: Served, what: str, make, message: str
) -> None:
    client = pygym.connect("127.0.0.1", plain_server.port, plain_server.token)
    try:
        with pytest.raises(pygym.LimitExceeded, match=message):
            make(client)
        assert client.session_count() == 0
        assert episode(client) == 10, "the server keeps serving"
    finally:
        client.close()


def test_limits_set_by_the_serve_options(tmp_path: Path) -> None:
    options = ["--max-sessions-per-client", "4", "--max-nodes-per-client", "30", "--max-upload-bytes", "2000"]
    with Served(tmp_path, *options) as server:
        one = pygym.connect("127.0.0.1", server.port, server.token)
        two = pygym.connect("127.0.0.1", server.port, server.token)
        try:
            with pygym.make_vec("offload-neighbour-v0", 4, server=one, **SMALL) as venv:
                with pytest.raises(
                    pygym.LimitExceeded, match="4 more would pass its limit of 4 sessions per client"
                ):
                    pygym.make_vec("offload-neighbour-v0", 4, server=one, **SMALL)
                eight = {"nodes": 8, "agents": 2, "episode_s": 1}
                with (
                    pygym.make_vec("offload-neighbour-v0", 3, server=two, **eight),
                    pytest.raises(
                        pygym.LimitExceeded,
                        match="this client's sessions have 24 nodes on this server; 1 x 8 more would pass "
                        "its limit of 30 nodes per client",
                    ),
                ):
                    pygym.make("offload-neighbour-v0", server=two, **eight)
                venv.reset(seed=1)
                venv.step(np.zeros((4, 3), np.int64))
            big = tmp_path / "big.csv"
            rows = "".join(f"{i / 100:.6f},node_0,t{i},100000000,1000,100,,\n" for i in range(100))
            big.write_text(
                "# pygym-workload 1\n# units: arrival_s=s cycles=cycle input_bytes=byte output_bytes=byte "
                "deadline_s=s\narrival_s,source,task_id,cycles,input_bytes,output_bytes,deadline_s,depends_on\n"
                + rows
            )
            with pytest.raises(
                pygym.LimitExceeded,
                match=r"a file of \d+ bytes is larger than this server's limit of "
                r"2000 bytes per file \(pygym sim serve --max-upload-bytes\)",
            ):
                pygym.make("offload-neighbour-v0", server=one, workload=str(big), **SMALL)
            assert episode(two) == 10
        finally:
            one.close()
            two.close()


def test_the_container_health_check_logs_in_over_tls_too(tls_server: Served) -> None:
    """The image's HEALTHCHECK command, against a server started with a certificate."""
    command = [pygym.jvm.java_executable(), "-cp", str(pygym.jvm.jar_path()), "edgesim.bridge.HealthCheck"]
    port = ["--port", str(tls_server.port)]
    ok = subprocess.run(
        [*command, *port], env={"PYGYM_TOKEN": tls_server.token}, capture_output=True, text=True
    )
    assert ok.returncode == 0, ok.stderr
    wrong = subprocess.run(
        [*command, *port], env={"PYGYM_TOKEN": "not-the-token-0123456"}, capture_output=True
    )
    assert wrong.returncode == 1 and b"refused the token" in wrong.stderr
