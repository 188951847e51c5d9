"""pygym.make_vec: arrays in and out, one bridge call per step, exactly the single env's trajectories."""

from __future__ import annotations

import numpy as np
import pytest

import pygym
from pygym.frames import OP_STEP

pytestmark = pytest.mark.jvm

# Short episodes of every env id: (env id, scenario keywords, steps per episode at most).
SCENARIOS = {
    "offload-neighbour-v0": ({"episode_s": 3, "arrival_rate_hz": 6}, 30),
    "offload-mec-explaboff-v0": ({"setting": "2x3"}, 10),
    "offload-mec-v0": ({"episode_steps": 6}, 6),
}


def actions_for(rng: np.random.Generator, masks: np.ndarray | None, shape: tuple[int, ...]) -> np.ndarray:
    """Random valid actions: uniform among the allowed ones, or uniform in [-1, 1] for Box actions."""
    if masks is None:
        return rng.uniform(-1, 1, shape).astype(np.float32)
    picks = rng.integers(0, masks.sum(axis=-1))
    return (np.cumsum(masks, axis=-1) <= picks[..., None]).sum(axis=-1)


@pytest.mark.parametrize("env_id", list(SCENARIOS))
def test_env_i_follows_the_single_env_seeded_s_plus_i(env_id: str) -> None:
    scenario, _ = SCENARIOS[env_id]
    n, seed, calls = 3, 40, 45
    rng = np.random.default_rng(0)
    with pygym.make_vec(env_id, n, **scenario) as venv:
        obs, infos = venv.reset(seed=seed)
        vec = [(obs.copy(), None, None, None)]
        chosen = []
        for _ in range(calls):
            masks = infos.get("action_mask")
            shape = (n, venv.num_agents, 2)
            actions = actions_for(rng, masks, shape)
            chosen.append(actions)
            obs, rewards, terms, truncs, infos = venv.step(actions)
            vec.append((obs.copy(), rewards.copy(), terms.copy(), truncs.copy()))
    compared = 0
    episodes = 0
    for i in range(n):
        with pygym.make(env_id, **scenario) as env:
            observations, _ = env.reset(seed=seed + i)
            np.testing.assert_array_equal(vec[0][0][i], np.stack(list(observations.values())))
            needs_reset = False
            for call in range(calls):
                v_obs, v_rewards, v_terms, v_truncs = vec[call + 1]
                if needs_reset:
                    # next_step autoreset: the action is ignored, the row is the next episode's first.
                    observations, _ = env.reset()
                    np.testing.assert_array_equal(v_rewards[i], 0)
                    assert not v_terms[i].any() and not v_truncs[i].any()
                    needs_reset = False
                else:
                    action = chosen[call][i]
                    observations, rewards, terms, truncs, _ = env.step(
                        {a: action[k] for k, a in enumerate(env.possible_agents)}
                    )
                    np.testing.assert_array_equal(v_rewards[i], np.float32(list(rewards.values())))
                    np.testing.assert_array_equal(v_terms[i], list(terms.values()))
                    np.testing.assert_array_equal(v_truncs[i], list(truncs.values()))
                    needs_reset = not env.agents
                    episodes += needs_reset
                np.testing.assert_array_equal(v_obs[i], np.stack(list(observations.values())))
                compared += 1
    assert compared == n * calls == 135
    assert episodes >= n  # every env crossed at least one autoreset


def test_episode_records_match_the_single_env() -> None:
    scenario, steps = SCENARIOS["offload-neighbour-v0"]
    with pygym.make_vec("offload-neighbour-v0", 2, task_records=True, **scenario) as venv:
        venv.reset(seed=7)
        for call in range(steps):
            _, _, _, truncs, infos = venv.step(np.zeros((2, 10), dtype=np.int64))
            assert ("episode" in infos) == (call == steps - 1)
        assert truncs.all() and infos["_episode"].tolist() == [True, True]
        record = infos["episode"]
        assert record["length"].tolist() == [steps, steps] and record["return"].shape == (2, 10)
    with pygym.make("offload-neighbour-v0", **scenario) as env:
        env.reset(seed=8)
        while env.agents:
            _, _, _, _, single = env.step(dict.fromkeys(env.agents, 0))
        fields = env.episode_fields
    for key, value in zip(fields, single["node_3"]["episode"], strict=True):
        expected = record[key][1, 3] if key == "return" else record[key][1]
        assert value == pytest.approx(expected, nan_ok=True), key
    assert len(fields) == 2 + len(pygym.envs.REGISTRY["offload-neighbour-v0"].Logic.figures) == len(record)


def test_same_step_autoreset_returns_the_first_observation_and_keeps_the_final_one() -> None:
    kwargs = {"setting": "2x3"}
    actions = np.zeros((2, 3, 2), dtype=np.float32)
    with (
        pygym.make_vec("offload-mec-explaboff-v0", 2, **kwargs) as nxt,
        pygym.make_vec("offload-mec-explaboff-v0", 2, autoreset_mode="same_step", **kwargs) as same,
    ):
        assert same.metadata["autoreset_mode"] == "same_step"
        nxt.reset(seed=3)
        same.reset(seed=3)
        ended = 0
        for _ in range(12):
            n_obs, n_rewards, n_terms, n_truncs, _ = nxt.step(actions)
            s_obs, s_rewards, s_terms, s_truncs, s_infos = same.step(actions)
            np.testing.assert_array_equal(n_rewards, s_rewards)
            np.testing.assert_array_equal(n_terms | n_truncs, s_terms | s_truncs)
            done = (n_terms | n_truncs)[:, 0]
            if done.any():
                ended += int(done.sum())
                np.testing.assert_array_equal(s_infos["_final_obs"], done)
                np.testing.assert_array_equal(s_infos["final_obs"][done], n_obs[done])
                assert s_infos["final_info"]["_episode"].tolist() == done.tolist()
                # next_step mode resets on the following call: its first observation is same_step's now.
                r_obs, r_rewards, *_ = nxt.step(actions)
                np.testing.assert_array_equal(r_obs[done], s_obs[done])
                assert (r_rewards[done] == 0).all()
                break
            np.testing.assert_array_equal(n_obs, s_obs)
    assert ended == 2  # the all-zero action misses a deadline in both envs at the same step


def test_results_do_not_depend_on_threads_or_servers() -> None:
    scenario, _ = SCENARIOS["offload-neighbour-v0"]
    second = pygym.launch()
    try:
        runs = []
        for kwargs in ({"threads": 1}, {"threads": 3}, {"servers": [None, second]}):
            rng = np.random.default_rng(1)
            with pygym.make_vec("offload-neighbour-v0", 5, task_records=True, **scenario, **kwargs) as venv:
                assert len(venv._live().groups) == (2 if "servers" in kwargs else 1)
                obs, infos = venv.reset(seed=2)
                trace = [obs.tobytes()]
                for _ in range(40):
                    obs, rewards, _, _, infos = venv.step(actions_for(rng, infos["action_mask"], ()))
                    trace.append(obs.tobytes() + rewards.tobytes() + infos["task_records"].tobytes())
            runs.append(trace)
        assert len(runs[0]) == 41 and runs[0] == runs[1] == runs[2]
    finally:
        second.close()


def test_state_is_per_env_and_a_view_of_the_observations_for_mec() -> None:
    with pygym.make_vec("offload-mec-explaboff-v0", 4, setting="2x5") as venv:
        obs, _ = venv.reset(seed=1)
        state = venv.state()
        assert state.shape == (4, venv.state_space.shape[0]) == (4, 5 * 20)
        np.testing.assert_array_equal(state, obs.reshape(4, -1))
        assert venv.single_observation_space.shape == (20,) and venv.single_action_space.shape == (2,)
    with pygym.make_vec("offload-neighbour-v0", 2, episode_s=1) as venv:
        venv.reset(seed=1)
        assert venv.state().shape == (2, 80) and venv.state_space.contains(venv.state()[0])


def test_bad_actions_name_the_env_and_agent_and_nothing_steps() -> None:
    with pygym.make_vec("offload-neighbour-v0", 3, episode_s=1) as venv:
        venv.reset(seed=1)
        good = np.zeros((3, 10), dtype=np.int64)
        before = venv._live().batch.step.copy()
        bad = good.copy()
        bad[2, 4] = 9
        with pytest.raises(pygym.ActionError, match=r"env 2, agent node_4: action 9 is outside \[0, 5\)"):
            venv.step(bad)
        with pytest.raises(pygym.ActionError, match=r"shape \(3, 9\); expected \(3, 10\)"):
            venv.step(good[:, :9])
        with pytest.raises(pygym.ActionError, match="dtype float64; expected integers"):
            venv.step(good.astype(float))
        with pytest.raises(pygym.ActionError, match=r"actions have shape \(\); expected \(3, 10\)"):
            venv.step(None)
        np.testing.assert_array_equal(venv._live().batch.step, before)  # nothing was applied
        venv.step(good)
        assert venv._live().batch.step.tolist() == [1, 1, 1]
    with pygym.make_vec("offload-mec-v0", 2) as venv:
        venv.reset(seed=1)
        box = np.zeros((2, 3, 2), dtype=np.float32)
        box[1, 0, 1] = np.nan
        with pytest.raises(pygym.ActionError, match=r"env 1, agent md_0: action \[0.0, nan\] is not finite"):
            venv.step(box)
        with pytest.raises(pygym.ActionError, match="dtype complex128; expected real numbers"):
            venv.step(np.zeros((2, 3, 2)) + 1j)


def test_bad_arguments_are_named_errors() -> None:
    for bad in (0, -1, True, "3", 2.5):
        with pytest.raises(pygym.ConfigError, match="num_envs must be a whole number >= 1"):
            pygym.make_vec("offload-neighbour-v0", bad)  # type: ignore[arg-type]
    with pytest.raises(pygym.ConfigError, match="autoreset_mode 'sometimes' is not one of next_step"):
        pygym.make_vec("offload-neighbour-v0", 2, autoreset_mode="sometimes")
    with pytest.raises(pygym.ConfigError, match=r"nodes = \[20, 30\]: expected a number"):
        pygym.make_vec("offload-neighbour-v0", 2, nodes=[20, 30])
    with pytest.raises(pygym.ConfigError, match="unknown env id 'nope-v0'"):
        pygym.make_vec("nope-v0", 2)
    with pytest.raises(pygym.ConfigError, match="threads must be a whole number >= 0"):
        pygym.make_vec("offload-neighbour-v0", 2, threads=-2)
    with pytest.raises(pygym.ConfigError, match="3 servers for 2 envs"):
        pygym.make_vec("offload-neighbour-v0", 2, servers=[None, None, None])
    with pytest.raises(pygym.ConfigError, match="seed -1 is outside"):
        pygym.make_vec("offload-neighbour-v0", 1).reset(seed=-1)
    with pytest.raises(pygym.ConfigError, match="seed 'abc': expected a whole number"):
        pygym.make_vec("offload-neighbour-v0", 1).reset(seed="abc")  # type: ignore[arg-type]


def test_lifecycle_errors_and_close() -> None:
    venv = pygym.make_vec("offload-neighbour-v0", 2, episode_s=1)
    with pytest.raises(pygym.SessionError, match="step\\(\\) before reset"):
        venv.step(np.zeros((2, 10), dtype=np.int64))
    venv.reset(seed=1)
    sessions = pygym.servers.local_server().session_count()
    venv.close()
    venv.close()  # idempotent
    assert pygym.servers.local_server().session_count() == sessions - 2
    with pytest.raises(pygym.SessionError, match="closed"):
        venv.step(np.zeros((2, 10), dtype=np.int64))


def test_a_simulator_that_dies_mid_run_is_reported() -> None:
    client = pygym.launch()
    try:
        venv = pygym.make_vec("offload-neighbour-v0", 4, server=client, episode_s=1)
        venv.reset(seed=1)
        client.process.process.kill()  # type: ignore[union-attr]
        with pytest.raises(
            pygym.SimulatorCrashed, match=r"(?s)step: lost the simulator.*exited with code -9"
        ):
            venv.step(np.zeros((4, 10), dtype=np.int64))
        venv.close()
    finally:
        client.close()
    assert client.process is not None and client.process.process.poll() is not None


def test_ops_other_than_step_ignore_actions() -> None:
    """A row being reset may hold any action: the simulator ignores it."""
    with pygym.make_vec("offload-neighbour-v0", 2, episode_s=0.2) as venv:
        venv.reset(seed=1)
        for _ in range(2):
            venv.step(np.zeros((2, 10), dtype=np.int64))
        garbage = np.full((2, 10), 99)
        _, rewards, _, _, _ = venv.step(garbage)  # both envs ended on the last step: they reset now
        assert (rewards == 0).all() and (venv._live().batch.step == 0).all()
        assert OP_STEP == 0
