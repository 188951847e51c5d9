"""Test-only components (a control that throws) are registered by the tests, never by the simulator itself."""

from __future__ import annotations

import pytest

import pygym
from pygym.bridge import Client
from tests.conftest import BUILT_JAR, SHORT

pytestmark = pytest.mark.jvm

FAULT = {"control.fault": "FaultInjector", "control.fault.from_s": 0.5, "control.fault.step_s": 1}


def test_the_built_jar_knows_no_test_component(monkeypatch) -> None:
    assert BUILT_JAR is not None
    monkeypatch.setenv("PYGYM_JAR", str(BUILT_JAR))
    client = Client.start()
    try:
        for env_id in pygym.env_ids():
            with pytest.raises(
                pygym.ConfigError, match=r"^control\.fault = FaultInjector: unknown control type"
            ):
                pygym.make(env_id, server=client, **FAULT)
    finally:
        client.close()


def test_the_tests_simulator_has_them() -> None:
    with pygym.make("offload-neighbour-v0", **SHORT, **FAULT) as env:
        env.reset(seed=1)
        with pytest.raises(pygym.SimulatorError, match=r"injected fault at t=0\.5 s"):
            for _ in range(10):
                env.step(dict.fromkeys(env.agents, 0))
