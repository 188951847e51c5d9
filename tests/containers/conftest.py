"""Container tests. test_images.py builds on images and starts containers: slow, so it runs only when
asked for by path (`make container-test` runs `pytest tests/containers`), never in the plain `pytest` of
`make test`. test_engine_script.py needs no engine and runs everywhere."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.containers.engine import Engine, SimulatorContainer

HERE = Path(__file__).resolve().parent
SLOW_MODULE = HERE / "test_images.py"


def pytest_ignore_collect(collection_path: Path, config: pytest.Config) -> bool | None:
    if collection_path != SLOW_MODULE:
        return None
    base = config.invocation_params.dir
    asked = {
        (base / arg.split("::")[0]).resolve()
        for arg in config.invocation_params.args
        if not arg.startswith("-")
    }
    return not (asked & {HERE, SLOW_MODULE})


@pytest.fixture(scope="session")
def engine() -> Engine:
    return Engine.from_environment()


@pytest.fixture(scope="module")
def simulator(engine: Engine) -> Iterator[SimulatorContainer]:
    """One simulator container shared by the tests of a module that do not stop it."""
    container = SimulatorContainer(engine)
    try:
        yield container.start()
    finally:
        container.remove()


@pytest.fixture
def own_simulator(engine: Engine) -> Iterator[SimulatorContainer]:
    """A simulator container for one test, which may stop, pause or kill it."""
    container = SimulatorContainer(engine)
    try:
        yield container.start()
    finally:
        container.remove()
