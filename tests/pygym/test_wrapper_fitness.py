"""The PettingZoo env as any wrapper needs it: picklable, seedable at construction, one info schema from reset
on, and action masks in the observation when asked."""

from __future__ import annotations

import copy
import multiprocessing
import pickle

import numpy as np
import pytest
from pettingzoo.test import parallel_api_test

import pygym

pytestmark = pytest.mark.jvm
SHORT = {"episode_s": 2}


def first_observation(env) -> np.ndarray:
    observations, _ = env.reset()
    return np.stack([observations[a] for a in env.possible_agents])


def _reset_in_worker(pickled: bytes, queue) -> None:
    try:
        env = pickle.loads(pickled)
        queue.put(first_observation(env).tobytes())
        env.close()
    except BaseException as e:  # the parent reports it
        queue.put(repr(e))


@pytest.mark.parametrize("method", ["fork", "spawn"])
def test_an_env_pickles_into_workers_as_a_fresh_session(method: str) -> None:
    with pygym.make("offload-neighbour-v0", seed=11, arrival_rate_hz=7, **SHORT) as env:
        expected = first_observation(env)
        context = multiprocessing.get_context(method)
        queue = context.Queue()
        # As worker pools do (SB3 pickles its env functions with cloudpickle, even when it forks).
        worker = context.Process(target=_reset_in_worker, args=(pickle.dumps(env), queue))
        worker.start()
        got = queue.get(timeout=120)
        worker.join(60)
        assert worker.exitcode == 0 and got == expected.tobytes()


def test_copies_start_without_episode_state_and_keep_the_arguments() -> None:
    with pygym.make("offload-mec-v0", seed=3, reward="agent", n_devices=4) as env:
        env.reset()
        env.step({a: np.zeros(2, np.float32) for a in env.agents})
        for clone in (copy.copy(env), copy.deepcopy(env), pickle.loads(pickle.dumps(env))):
            assert clone._live_group() is not env._live_group() and clone.agents == []
            assert clone.possible_agents == env.possible_agents == [f"md_{m}" for m in range(4)]
            assert clone.reward_name == "agent"
            np.testing.assert_array_equal(
                first_observation(clone), first_observation(pygym.make("offload-mec-v0", seed=3, n_devices=4))
            )
            clone.close()


def test_a_remote_server_pickles_as_its_address() -> None:
    owner = pygym.launch()
    try:
        remote = pygym.connect(owner.endpoint.host, owner.endpoint.port, owner.endpoint.token)
        env = pygym.make("offload-neighbour-v0", server=remote, **SHORT)
        sessions = owner.session_count()
        clone = pickle.loads(pickle.dumps(env))
        assert owner.session_count() == sessions + 1  # the copy's session lives on the same server
        clone.close()
        env.close()
        remote.close()
    finally:
        owner.close()


def test_seed_at_construction_fixes_unseeded_resets() -> None:
    a = pygym.make("offload-neighbour-v0", seed=21, **SHORT)
    b = pygym.make("offload-neighbour-v0", **SHORT)
    first = [first_observation(a) for _ in range(3)]
    b.reset(seed=21)
    again = [np.stack(list(b.reset()[0].values())) for _ in range(2)]
    np.testing.assert_array_equal(
        first[0], np.stack(list(pygym.make("offload-neighbour-v0", **SHORT).reset(seed=21)[0].values()))
    )
    np.testing.assert_array_equal(first[1], again[0])
    np.testing.assert_array_equal(first[2], again[1])
    assert not np.array_equal(first[0], first[1])
    a.close()
    b.close()


@pytest.mark.parametrize("env_id", pygym.env_ids())
def test_infos_have_the_same_keys_and_shapes_from_reset_to_the_end(env_id: str) -> None:
    with pygym.make(env_id, seed=2) as env:
        _, infos = env.reset()

        def schema(infos) -> dict:
            return {
                agent: {
                    k: (type(v).__name__, np.shape(v), sorted(v) if isinstance(v, dict) else None)
                    for k, v in i.items()
                }
                for agent, i in infos.items()
            }

        expected = schema(infos)
        steps = 0
        rng = np.random.default_rng(0)
        while env.agents:
            actions = {}
            for a in env.agents:
                space = env.action_space(a)
                actions[a] = (
                    rng.uniform(-1, 1, space.shape).astype(np.float32)
                    if space.shape
                    else int(rng.choice(np.flatnonzero(infos[a]["action_mask"])))
                )
            _, _, _, _, infos = env.step(actions)
            assert schema(infos) == expected
            assert all(v is not None and not isinstance(v, dict) for i in infos.values() for v in i.values())
            steps += 1
        assert steps >= 1
        length = env.episode_fields.index("length")
        assert all(i["episode"][length] == steps for i in infos.values())


def test_dict_observations_carry_the_action_mask() -> None:
    env = pygym.make("offload-neighbour-v0", observation_mode="dict", **SHORT)
    space = env.observation_space("node_0")
    assert set(space.spaces) == {"observation", "action_mask"} and space is env.observation_space("node_0")
    observations, infos = env.reset(seed=1)
    for agent, obs in observations.items():
        np.testing.assert_array_equal(obs["action_mask"], infos[agent]["action_mask"])
        assert space.contains(obs)
    parallel_api_test(env, num_cycles=50)  # PettingZoo's test samples from the mask in the observation
    env.close()


def test_bad_modes_are_named_errors() -> None:
    with pytest.raises(pygym.ConfigError, match="observation_mode 'flat' is not one of array, dict"):
        pygym.make("offload-neighbour-v0", observation_mode="flat")
    with pytest.raises(pygym.ConfigError, match="has continuous actions and no mask"):
        pygym.make("offload-mec-v0", observation_mode="dict")
    with pytest.raises(pygym.ConfigError, match="seed 'x': expected a whole number"):
        pygym.make("offload-neighbour-v0", seed="x")


@pytest.mark.parametrize("env_id", pygym.env_ids())
def test_torchrls_generic_pettingzoo_wrapper_accepts_every_env(env_id: str) -> None:
    """TorchRL builds its specs from the first reset: it needs the same info keys and shapes throughout."""
    pytest.importorskip("torchrl")
    from torchrl.envs.libs.pettingzoo import PettingZooWrapper
    from torchrl.envs.utils import check_env_specs

    env = pygym.make(env_id, seed=4, **({"episode_s": 2} if env_id == "offload-neighbour-v0" else {}))
    wrapped = PettingZooWrapper(env, return_state=True)
    check_env_specs(wrapped)
    rollout = wrapped.rollout(max_steps=5)
    assert rollout.batch_size[0] >= 1
    wrapped.close()
