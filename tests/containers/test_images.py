"""The simulator and trainer images, run by a real container engine (podman or docker).

Run by `make container-test`, which builds the images first. Checked from the host: what each image
holds; the health check; the host's pygym stepping offload-neighbour-v0 on the simulator container
(``server="host:port"``, token from the environment) exactly as on a local JVM, also with a topology and a
workload sent by content; a wrong token refused; a stopped or frozen simulator turned into a named error
within seconds; and, through docker/compose.yaml, a trainer container working against the simulator
service, which it finds through PYGYM_SERVER alone.
"""

from __future__ import annotations

import contextlib
import json
import os
import resource
import threading
import time
from collections.abc import Iterator

import numpy as np
import pytest
from pettingzoo import ParallelEnv

import pygym
import topologies
import workloads
from pygym.errors import ConnectionFailed, PygymError, SimulatorCrashed
from tests.containers.engine import SERVER_PORT, Engine, SimulatorContainer, engine_script

# One decision every 0.1 s: 100 steps per episode.
SCENARIO = {"episode_s": 10}
EPISODE_STEPS = 100
# "Within a few seconds": how long a client may wait for a server that never answers.
FROZEN_WAIT_S = 10


def test_the_simulator_image_holds_a_java_17_runtime_and_the_jar_only(engine: Engine) -> None:
    script = (
        "id -u; java -version 2>&1 | head -n 1; ls /opt/pygym; "
        "for tool in python3 python pip javac jar jlink make gcc; do "
        "command -v $tool >/dev/null && echo has:$tool; done; echo end"
    )
    out = engine("run", "--rm", "--entrypoint", "sh", engine.image("simulator"), "-c", script).stdout.split(
        "\n"
    )
    uid, java_version, *rest = out
    assert int(uid) != 0, "the server must not run as root"
    assert '"17.' in java_version, java_version
    files = rest[: rest.index("end")]
    assert files == ["edgesim.jar"], f"/opt/pygym and build tools found: {files}"


def test_the_trainer_image_holds_cpu_torch_and_pygym_and_no_java(engine: Engine) -> None:
    script = (
        "import json, shutil, os, torch, pygym, agents; "
        "print(json.dumps({'torch': torch.__version__, 'cuda': torch.version.cuda, 'uid': os.getuid(), "
        "'java': shutil.which('java'), 'envs': pygym.env_ids()}))"
    )
    out = engine("run", "--rm", engine.image("trainer"), "python", "-c", script).stdout
    facts = json.loads(out.strip().splitlines()[-1])
    assert facts["torch"] == "2.13.0+cpu" and facts["cuda"] is None, facts
    assert facts["java"] is None, "the trainer runs no JVM: it uses a simulator server"
    assert facts["uid"] != 0
    assert "offload-neighbour-v0" in facts["envs"]


def test_the_health_check_passes_with_the_token_and_fails_with_another(
    engine: Engine, simulator: SimulatorContainer
) -> None:
    assert engine.health_check(simulator.name)
    # The image's own HEALTHCHECK command, run with a wrong token in its environment.
    health = json.loads(engine("inspect", "--format", "{{json .Config.Healthcheck}}", simulator.name).stdout)
    command = health["Test"]
    assert command[0] == "CMD", command
    wrong = engine("exec", "-e", "PYGYM_TOKEN=not-the-token", simulator.name, *command[1:], check=False)
    assert wrong.returncode == 1, wrong
    assert f"the server at 127.0.0.1:{SERVER_PORT} refused the token" in wrong.stderr


def run_episode(env: ParallelEnv, seed: int) -> list[np.ndarray]:
    """Plays one episode with actions drawn from the masks; returns every step's observations and rewards."""
    rng = np.random.default_rng(seed)
    observations, infos = env.reset(seed=seed)
    record = [np.concatenate([observations[a] for a in env.agents])]
    while env.agents:
        actions = {a: int(rng.choice(np.flatnonzero(infos[a]["action_mask"]))) for a in env.agents}
        observations, rewards, _, _, infos = env.step(actions)
        record.append(np.concatenate([observations[a] for a in observations]))
        record.append(np.array([rewards[a] for a in rewards]))
    return record


def test_the_host_steps_the_simulator_container_exactly_as_a_local_simulator(
    simulator: SimulatorContainer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PYGYM_TOKEN", simulator.token)
    with pygym.make("offload-neighbour-v0", server=f"127.0.0.1:{simulator.port}", **SCENARIO) as env:
        remote = run_episode(env, seed=11)
    monkeypatch.delenv("PYGYM_TOKEN")
    with pygym.make("offload-neighbour-v0", **SCENARIO) as env:
        local = run_episode(env, seed=11)
    assert len(remote) == len(local) == 1 + 2 * EPISODE_STEPS
    for step, (a, b) in enumerate(zip(remote, local, strict=True)):
        np.testing.assert_array_equal(a, b, err_msg=f"record {step} differs")


def test_topology_and_workload_sent_by_content(
    simulator: SimulatorContainer, monkeypatch: pytest.MonkeyPatch, tmp_path: os.PathLike[str]
) -> None:
    """The container shares no filesystem with the host: the files travel over the bridge."""
    topology = f"{tmp_path}/topo.json"
    topo = topologies.random_geometric(12, seed=3).with_routes("hops")
    topologies.save(topo, topology)
    workload = f"{tmp_path}/w.csv"
    names = topo.compute_names
    workloads.write_workload(
        workload,
        [
            workloads.Task(0.05 * i, names[i % 4], f"t{i}", 3 * 10**8, 200_000, 10**4, 0.05 * i + 5, ())
            for i in range(40)
        ],
    )
    scenario = {"topology": topology, "workload": workload, "episode_s": 3, "serve_undecided": False}
    monkeypatch.setenv("PYGYM_TOKEN", simulator.token)
    with pygym.make("offload-neighbour-v0", server=f"127.0.0.1:{simulator.port}", **scenario) as env:
        assert (
            "topology content:" in env.spec_json["config"] and "workload content:" in env.spec_json["config"]
        )
        remote = run_episode(env, seed=4)
    monkeypatch.delenv("PYGYM_TOKEN")
    with pygym.make("offload-neighbour-v0", **scenario) as env:
        local = run_episode(env, seed=4)
    assert len(remote) == len(local) > 40
    for step, (a, b) in enumerate(zip(remote, local, strict=True)):
        np.testing.assert_array_equal(a, b, err_msg=f"record {step} differs")


def test_a_wrong_token_is_refused(simulator: SimulatorContainer) -> None:
    with pytest.raises(
        ConnectionFailed, match=f"the simulator at 127.0.0.1:{simulator.port} refused the auth token"
    ):
        pygym.connect("127.0.0.1", simulator.port, "not-the-token-" + simulator.token[:8])


@pytest.mark.timeout(60)
def test_stopping_the_simulator_container_raises_simulator_crashed(
    engine: Engine, own_simulator: SimulatorContainer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PYGYM_TOKEN", own_simulator.token)
    address = f"127.0.0.1:{own_simulator.port}"
    env = pygym.make("offload-neighbour-v0", server=address, **SCENARIO)
    try:
        env.reset(seed=1)
        for _ in range(5):
            env.step(dict.fromkeys(env.agents, 0))
        engine("stop", "-t", "10", own_simulator.name)
        started = time.monotonic()
        with pytest.raises(SimulatorCrashed, match=f"lost the simulator at 127.0.0.1:{own_simulator.port}"):
            env.step(dict.fromkeys(env.agents, 0))
        print(f"SimulatorCrashed {time.monotonic() - started:.3f} s after the container stopped")
    finally:
        # Closing after the crash is checked on its own below.
        with contextlib.suppress(SimulatorCrashed):
            env.close()
    # Nothing listens there any more: a new environment is refused at once, with the address in the error.
    with pytest.raises(ConnectionFailed, match=f"127.0.0.1:{own_simulator.port}"):
        pygym.make("offload-neighbour-v0", server=address, **SCENARIO)


@pytest.mark.timeout(60)
def test_closing_an_env_whose_simulator_container_stopped_does_not_raise(
    engine: Engine, own_simulator: SimulatorContainer
) -> None:
    client = pygym.connect("127.0.0.1", own_simulator.port, own_simulator.token)
    env = pygym.make("offload-neighbour-v0", server=client, **SCENARIO)
    env.reset(seed=1)
    engine("stop", "-t", "10", own_simulator.name)
    with pytest.raises(SimulatorCrashed):
        env.step(dict.fromkeys(env.agents, 0))
    try:
        env.close()
        env.close()
    finally:
        client.close()


def test_a_frozen_simulator_gives_a_named_error_within_seconds(
    engine: Engine, own_simulator: SimulatorContainer
) -> None:
    """A paused container accepts TCP connections (the kernel does) but never answers: the state of a
    server whose host is overloaded or half-dead. The client must give up with a named error."""
    engine("pause", own_simulator.name)
    outcome: list[BaseException | str] = []

    def connect() -> None:
        try:
            pygym.connect("127.0.0.1", own_simulator.port, own_simulator.token).close()
            outcome.append("connected")
        except BaseException as e:  # reported below, whatever it is
            outcome.append(e)

    thread = threading.Thread(target=connect, daemon=True)
    thread.start()
    thread.join(timeout=FROZEN_WAIT_S)
    hung = thread.is_alive()
    engine("unpause", own_simulator.name)  # lets a hung client finish
    thread.join(timeout=20)
    assert not hung, f"the client was still waiting for the frozen simulator after {FROZEN_WAIT_S} s"
    assert len(outcome) == 1 and isinstance(outcome[0], PygymError), outcome
    assert f"127.0.0.1:{own_simulator.port}" in str(outcome[0])


@pytest.mark.skipif(
    resource.getrlimit(resource.RLIMIT_NOFILE)[1] >= 1048576,
    reason="this machine allows 1048576 open files, so the engine's default limits cannot fail here",
)
def test_an_engine_that_cannot_start_containers_is_named_with_what_to_do(
    engine: Engine, tmp_path: os.PathLike[str]
) -> None:
    """The real failure of this kind of machine: limits above the hard limit make runc refuse."""
    if engine.command != "podman":
        pytest.skip("reproduced through podman's containers.conf")
    conf = f"{tmp_path}/containers.conf"
    with open(conf, "w") as f:
        f.write('[containers]\ndefault_ulimits = ["nofile=1048576:1048576"]\n')
    image = engine.image("trainer")
    before = engine("ps", "-aq", "--filter", f"ancestor={image}").stdout.split()
    result = engine_script("check-run", image, env={**os.environ, "CONTAINERS_CONF": conf})
    assert result.returncode == 4, result
    assert result.stderr.startswith("error: podman cannot start containers"), result.stderr
    assert "rlimit" in result.stderr and "default_ulimits" in result.stderr, result.stderr
    assert engine("ps", "-aq", "--filter", f"ancestor={image}").stdout.split() == before, "container left"


# --- docker/compose.yaml: the simulator service and a trainer container ------------------------------


@pytest.fixture(scope="module")
def compose_env(engine: Engine) -> Iterator[dict[str, str]]:
    """The compose project of this run with its simulator service up and healthy."""
    env = {
        "PYGYM_TOKEN": os.urandom(16).hex(),
        "PYGYM_IMAGE_TAG": engine.image_tag,
        "PYGYM_SIMULATOR_PUBLISH": "127.0.0.1:",  # any free host port
    }
    try:
        engine.compose("up", "-d", "simulator", env=env)
        (container,) = engine(
            "ps", "-q", "--filter", f"label=com.docker.compose.project={engine.run_id}",
            "--filter", "label=com.docker.compose.service=simulator",
        ).stdout.split()  # fmt: skip
        engine.wait_healthy(container)
        yield env
    finally:
        engine.compose("down", "-t", "0", env=env, check=False)


TRAINER_SCRIPT = """
import json, os, pygym
with pygym.make("offload-neighbour-v0", server="simulator:25333", episode_s=10) as env:
    env.reset(seed=3)
    steps = 0
    while env.agents:
        env.step(dict.fromkeys(env.agents, 1))
        steps += 1
print(json.dumps({"steps": steps, "agents": len(env.possible_agents)}))
"""


def test_a_trainer_container_steps_the_simulator_service(engine: Engine, compose_env: dict[str, str]) -> None:
    result = engine.compose("run", "--rm", "-T", "trainer", "python", "-c", TRAINER_SCRIPT, env=compose_env)
    facts = json.loads(result.stdout.strip().splitlines()[-1])
    assert facts == {"steps": EPISODE_STEPS, "agents": 10}, facts


def test_the_compose_trainer_job_completes_against_the_simulator_service(
    engine: Engine, compose_env: dict[str, str]
) -> None:
    """The trainer service's own command, a short PPO run that finds the simulator through PYGYM_SERVER
    alone: it finishes and prints its run directory."""
    result = engine.compose("run", "--rm", "-T", "trainer", env=compose_env, check=False)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-3000:]
    assert "/tmp/runs/offload-neighbour-v0__ppo__1__" in result.stdout, output[-3000:]
