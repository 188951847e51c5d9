"""Which simulator server an environment uses.

- ``server=None`` (the default): ``$PYGYM_SERVER`` if set, else this process's own JVM, started on first use
  and shared by the environments of the process. A forked child gets its own. If that JVM dies, the next
  environment gets a fresh one (environments still open on the dead one keep raising ``SimulatorCrashed``).
- ``server="host:port"``: a running server (``pygym sim serve``), with the token from ``token=`` or
  ``$PYGYM_TOKEN``. One connection pool per address is shared by the environments of the process.
- ``server=client``: a :class:`~pygym.bridge.Client` from :func:`connect`.

A server started with ``--tls-cert``/``--tls-key`` needs ``tls=True`` and ``tls_ca=`` (the PEM file of the CA
that signed its certificate; default the system's CAs), or ``$PYGYM_TLS_CA`` (a CA file: TLS with it) or
``$PYGYM_TLS=1`` (TLS with the system's CAs) in the environment. A server address, unlike a client, is plain
data: it fits a configuration file, an environment variable or a Ray worker.
"""

from __future__ import annotations

import atexit
import os
import threading

from pygym.bridge import Client
from pygym.errors import ConfigError
from pygym.jvm import Endpoint

SERVER_VARIABLE = "PYGYM_SERVER"
TOKEN_VARIABLE = "PYGYM_TOKEN"
TLS_VARIABLE = "PYGYM_TLS"
TLS_CA_VARIABLE = "PYGYM_TLS_CA"

_lock = threading.Lock()
_local: Client | None = None
_local_pid: int | None = None
_remote: dict[Endpoint, Client] = {}
_remote_pid: int | None = None
_launched: list[Client] = []
_launched_pid: int | None = None


def local_server() -> Client:
    """This process's simulator JVM, started on first use and replaced if it died; a forked child gets its
    own."""
    global _local, _local_pid
    with _lock:
        if _local is None or not _local.alive() or _local_pid != os.getpid():
            if _local is not None and _local_pid == os.getpid():
                _local.close()
            _local = Client.start()
            _local.replaced_when_dead = True
            _local_pid = os.getpid()
        return _local


def parse_address(address: str, source: str = "server address") -> tuple[str, int]:
    """``host:port`` (``[v6 address]:port`` for IPv6) as a (host, port) pair; ConfigError naming ``source``
    if malformed."""
    host, sep, port_text = address.strip().rpartition(":")
    host = host.strip("[]")
    if not sep or not host or not port_text.isdigit() or not 0 < int(port_text) < 65536:
        raise ConfigError(
            f"{source} {address!r}: expected 'host:port' with a port in 1..65535 (e.g. 'localhost:25333')"
        )
    return host, int(port_text)


def address_of(server: object) -> str | None:
    """The server an environment uses as plain data: ``host:port``, or None for a JVM of this process (which
    another process cannot reach)."""
    if isinstance(server, Client):
        return None if server.process is not None else server.address
    if server is None:
        return os.environ.get(SERVER_VARIABLE) or None
    return str(server)


def tls_settings(tls: bool | None, tls_ca: str | os.PathLike[str] | None) -> tuple[bool, str | None]:
    """``tls=`` and ``tls_ca=`` completed from the environment: ``$PYGYM_TLS_CA`` (a CA file, implies TLS) and
    ``$PYGYM_TLS`` (1 for TLS with the system's CAs)."""
    if tls_ca is None and tls is not False:
        tls_ca = os.environ.get(TLS_CA_VARIABLE) or None
    if tls is None:
        tls = tls_ca is not None or os.environ.get(TLS_VARIABLE, "").strip().lower() in ("1", "true", "yes")
    if tls_ca is not None and not tls:
        raise ConfigError("tls_ca= is the CA file of a TLS server: pass tls=True as well")
    return bool(tls), None if tls_ca is None else os.fspath(tls_ca)


def resolve(
    server: object = None,
    token: str | None = None,
    tls: bool | None = None,
    tls_ca: str | os.PathLike[str] | None = None,
) -> Client:
    """The client for ``server`` (see the module docstring)."""
    if isinstance(server, Client):
        if token is not None or tls is not None or tls_ca is not None:
            raise ConfigError(
                "token=, tls= and tls_ca= apply to a server address, not to a client from pygym.connect "
                "(give them to pygym.connect)"
            )
        return server
    source = "server address"
    if server is None:
        server = os.environ.get(SERVER_VARIABLE) or None
        source = f"${SERVER_VARIABLE}"
        if server is None:
            if token is not None or tls is not None or tls_ca is not None:
                raise ConfigError(
                    f"token=, tls= and tls_ca= need server='host:port' (or {SERVER_VARIABLE} in the "
                    "environment)"
                )
            return local_server()
    if not isinstance(server, str):
        raise ConfigError(
            f"server={server!r}: expected 'host:port', a client from pygym.connect, or None for this "
            f"process's own simulator (got {type(server).__name__})"
        )
    host, port = parse_address(server, source)
    token = token if token is not None else os.environ.get(TOKEN_VARIABLE)
    if not token:
        raise ConfigError(f"server {server!r} needs a token: pass token=... or set {TOKEN_VARIABLE}")
    use_tls, ca = tls_settings(tls, tls_ca)
    return _remote_client(Endpoint(host=host, port=port, token=token, tls=use_tls, tls_ca=ca))


def _remote_client(endpoint: Endpoint) -> Client:
    global _remote_pid
    with _lock:
        if _remote_pid != os.getpid():
            _remote.clear()
            _remote_pid = os.getpid()
        client = _remote.get(endpoint)
        if client is None or not client.alive():
            client = Client(endpoint)
            _remote[endpoint] = client
        return client


def connect(
    host: str,
    port: int,
    token: str,
    *,
    tls: bool | None = None,
    tls_ca: str | os.PathLike[str] | None = None,
) -> Client:
    """Connects to a running simulator server (``pygym sim serve`` prints host and port, and the token when
    it made one). ``tls=True`` for a server started with ``--tls-cert``, with ``tls_ca=`` the CA file (PEM)
    that signed its certificate (default: ``$PYGYM_TLS_CA``, else the system's CAs).

    Pass the result as ``server=`` to :func:`pygym.make` or :func:`pygym.make_vec`.
    """
    if not isinstance(token, str) or not token:
        raise ConfigError("pygym.connect needs the server's token: a non-empty string")
    use_tls, ca = tls_settings(tls, tls_ca)
    return Client(Endpoint(host=host, port=int(port), token=token, tls=use_tls, tls_ca=ca))


def launch() -> Client:
    """Starts a new simulator JVM owned by the caller (closed with ``client.close()`` or at exit), for
    example to spread a vector env over several JVMs:
    ``pygym.make_vec(..., servers=[pygym.launch() for _ in range(2)])``."""
    global _launched_pid
    client = Client.start()
    atexit.register(client.close)
    with _lock:
        if _launched_pid != os.getpid():
            _launched.clear()
            _launched_pid = os.getpid()
        _launched.append(client)
    return client


def simulator_cpu_s() -> float:
    """CPU seconds used so far by the simulator JVMs this process started (its own and :func:`launch`'s),
    for a run's cost: the trainer's ``time.process_time()`` plus this. Servers of other processes or
    machines are not counted, nor a JVM since shut down or replaced after a crash."""
    with _lock:
        own = [_local] if _local is not None and _local_pid == os.getpid() else []
        launched = list(_launched) if _launched_pid == os.getpid() else []
    return sum(c.process.cpu_s() for c in own + launched if c.process is not None)


def shutdown() -> None:
    """Stops this process's JVM if it was started. Environments still open on it stop working."""
    global _local
    with _lock:
        if _local is not None and _local_pid == os.getpid():
            _local.close()
        _local = None


atexit.register(shutdown)
