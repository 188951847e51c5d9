"""Shared fixtures. Tests marked ``jvm`` use the real simulator jar over a real socket.

The simulators the tests start run the built jar plus the test-only components of
``peersim-java/src/test/java/edgesim/testing`` (a control that throws, ``FaultInjector``), registered as a
component plugin: ``PYGYM_JAR`` names that jar for this process and its children. The built jar itself
knows none of them.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parent.parent
TEST_COMPONENTS = REPO / "peersim-java" / "src" / "test" / "java" / "edgesim" / "testing"
PLUGIN_SERVICE = "META-INF/services/edgesim.engine.ComponentPlugin"
PLUGIN_CLASS = "edgesim.testing.TestComponents"
# Episodes short enough for tests: 100 decisions of 0.1 s.
SHORT = {"episode_s": 10}


@pytest.fixture
def short_env() -> Iterator:
    import pygym

    env = pygym.make("offload-neighbour-v0", **SHORT)
    yield env
    env.close()


def python_subprocess_env() -> dict[str, str]:
    """Environment for child Python processes: same interpreter, repo importable."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(REPO), env.get("PYTHONPATH", "")])
    return env


PYTHON = sys.executable


def run_python(
    code: str, *args: str, timeout_s: float = 120, env: dict[str, str] | None = None, cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    """Runs ``code`` in a child Python (this interpreter, the repo importable, ``env`` added to the
    environment) and returns what it printed, as text."""
    return subprocess.run(
        [PYTHON, "-c", code, *args],
        capture_output=True,
        text=True,
        env={**python_subprocess_env(), **(env or {})},
        cwd=cwd,
        timeout=timeout_s,
    )


def pygym_cli(
    *args: str, check: bool = True, timeout_s: float = 300, cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    """Runs ``pygym ARGS`` in a child Python (as :func:`run_python`); with ``check``, a failure is an
    AssertionError that shows the end of its stderr."""
    result = subprocess.run(
        [PYTHON, "-m", "pygym.cli", *args],
        capture_output=True,
        text=True,
        env=python_subprocess_env(),
        cwd=cwd,
        timeout=timeout_s,
    )
    if check and result.returncode != 0:
        raise AssertionError(f"pygym {' '.join(args)} failed ({result.returncode}):\n{result.stderr[-3000:]}")
    return result


def python_lines(code: str, *args: str, timeout_s: float = 120) -> list[str]:
    """The words ``code`` prints in a child Python (see :func:`run_python`), which must succeed."""
    out = run_python(code, *args, timeout_s=timeout_s)
    assert out.returncode == 0, out.stderr
    return out.stdout.split()


def start_python(
    code: str, *args: str, env: dict[str, str] | None = None, **popen: Any
) -> subprocess.Popen[str]:
    """Starts ``code`` in a child Python as :func:`run_python` does, with its stdout a text pipe; ``popen``
    adds other ``subprocess.Popen`` arguments (stdin, stderr)."""
    return subprocess.Popen(
        [PYTHON, "-c", code, *args],
        stdout=subprocess.PIPE,
        text=True,
        env={**python_subprocess_env(), **(env or {})},
        **popen,
    )


def jar_with_test_components(built: Path, folder: Path) -> Path:
    """``built`` plus the test-only components, listed as a component plugin; made again when the built jar
    or a component's source is newer."""
    out = folder / "edgesim-with-test-components.jar"
    sources = sorted(TEST_COMPONENTS.glob("*.java"))
    if out.is_file() and out.stat().st_mtime >= max(path.stat().st_mtime for path in (built, *sources)):
        return out
    home = os.environ.get("JAVA_HOME")
    javac = (home and shutil.which("javac", path=str(Path(home) / "bin"))) or shutil.which("javac")
    if javac is None:
        raise RuntimeError("the tests need javac (a JDK 17) to add their test-only components to the jar")
    folder.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as classes:
        command = [javac, "--release", "17", "-encoding", "UTF-8", "-cp", str(built), "-d", classes]
        compiled = subprocess.run([*command, *map(str, sources)], capture_output=True, text=True)
        if compiled.returncode != 0:
            raise RuntimeError(f"compiling the test-only components failed:\n{compiled.stderr}")
        partial = folder / f"{out.name}.{os.getpid()}.tmp"
        with zipfile.ZipFile(built) as jar, zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED) as test_jar:
            for item in jar.infolist():
                test_jar.writestr(item, jar.read(item.filename))
            for path in sorted(Path(classes).rglob("*.class")):
                test_jar.write(path, path.relative_to(classes).as_posix())
            test_jar.writestr(PLUGIN_SERVICE, PLUGIN_CLASS + "\n")
        partial.replace(out)
    return out


def _use_test_components() -> Path | None:
    """Points ``PYGYM_JAR`` at the jar with the test-only components; returns the built jar (None if it is
    not built: the jvm tests then say so themselves)."""
    from pygym import jvm
    from pygym.errors import JvmStartError

    folder = REPO / "peersim-java" / "build" / "pytest"
    try:
        built = jvm.jar_path()
    except JvmStartError:
        return None
    if built.parent == folder:
        raise RuntimeError(f"PYGYM_JAR names the tests' own jar {built}; point it at a built simulator jar")
    os.environ["PYGYM_JAR"] = str(jar_with_test_components(built, folder))
    return built


BUILT_JAR = _use_test_components()
"""The simulator jar as built (without the test-only components), or None when it is not built."""
