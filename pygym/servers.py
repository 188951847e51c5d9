"""Which simulator server an environment uses: the process's own JVM (started on first use and shared by
the environments of this process) or a server the user connected to with :func:`connect`."""

from __future__ import annotations

import atexit
import os
import threading

from pygym.bridge import Client
from pygym.jvm import Endpoint

_lock = threading.Lock()
_local: Client | None = None
_local_pid: int | None = None


def local_server() -> Client:
    """This process's simulator JVM, started on first use. A forked child gets its own."""
    global _local, _local_pid
    with _lock:
        if _local is None or _local.closed or _local_pid != os.getpid():
            _local = Client.start()
            _local_pid = os.getpid()
        return _local


def connect(host: str, port: int, token: str) -> Client:
    """Connects to a running simulator server (``pygym sim serve`` prints host, port and token).

    Pass the result as ``server=`` to :func:`pygym.make`.
    """
    return Client(Endpoint(host=host, port=int(port), token=token))


def shutdown() -> None:
    """Stops this process's JVM if it was started. Environments still open on it stop working."""
    global _local
    with _lock:
        if _local is not None and _local_pid == os.getpid():
            _local.close()
        _local = None


atexit.register(shutdown)
