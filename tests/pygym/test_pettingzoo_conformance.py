"""PettingZoo's own conformance tests (parallel, AEC, seeding) on every registered env id, so that a new
environment cannot ship without passing them; variants for settings that change the spaces or the model."""

from __future__ import annotations

import warnings
from typing import Any

import pytest
from pettingzoo.test import api_test, parallel_api_test, parallel_seed_test

import pygym
from tests.conftest import SHORT

pytestmark = pytest.mark.jvm

# Keywords per env id (each entry a variant); an env id not listed runs with its defaults.
VARIANTS: dict[str, list[dict[str, Any]]] = {
    "offload-neighbour-v0": [SHORT],
    "offload-mec-v0": [{"server_discipline": "fifo"}, {"server_discipline": "ps", "n_devices": 5}],
    "offload-mec-explaboff-v0": [{"setting": "2x3"}, {"setting": "3x7"}],
}
CASES = [
    pytest.param(env_id, scenario, id=f"{env_id}-{i}")
    for env_id in pygym.env_ids()
    for i, scenario in enumerate(VARIANTS.get(env_id, [{}]))
]


@pytest.mark.parametrize(("env_id", "scenario"), CASES)
def test_pettingzoo_api_tests(env_id: str, scenario: dict[str, Any]) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # PettingZoo warns about unbounded observation fields
        with pygym.make(env_id, **scenario) as env:
            parallel_api_test(env, num_cycles=200)
        aec = pygym.aec(env_id, **scenario)
        try:
            api_test(aec, num_cycles=200)
        finally:
            aec.close()
        # PettingZoo's seed test stops after one step (its `any(dict)` check); whole episodes are compared by
        # test_trajectory_hashes and the determinism tests.
        parallel_seed_test(lambda: pygym.make(env_id, **scenario), num_cycles=50)


def test_every_variant_is_of_a_registered_env_id() -> None:
    assert set(VARIANTS) <= set(pygym.env_ids())
    assert len(CASES) >= len(pygym.env_ids())
