"""Running a policy for whole episodes and summarising what the simulator measured."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from agents.heuristics import Policy


@dataclass(frozen=True)
class Summary:
    """Figures over all evaluated episodes. Latencies are of tasks originating at agents and completed."""

    policy: str
    env_id: str
    episodes: int
    steps: int
    seed: int
    arrived: int
    completed: int
    completion_ratio: float
    latency_mean_s: float
    latency_p95_s: float
    dropped_queue_full: int
    dropped_deadline: int
    dropped_dependency: int
    """dropped because a task it depends on was dropped (replayed workloads only)"""
    unfinished: int
    energy_j: float
    reward: float
    """mean episode return per agent"""

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class MecSummary:
    """Figures over all evaluated episodes of an offload-mec-* environment, from each episode's
    ``env.episode_summary``. For offload-mec-explaboff-v0 ``avg_cost`` and ``success_rate`` are the means
    over episodes of what the ExplabOff release logs per episode (its figure's AvgCost and SuccRate)."""

    policy: str
    env_id: str
    episodes: int
    steps: int
    seed: int
    avg_cost: float
    """mean over episodes of the episode's cost (explaboff: the release's AvgCost; offload-mec: per task)"""
    success_rate: float
    """mean over episodes (explaboff: the release's SuccRate; offload-mec: fraction of tasks in time)"""
    reward: float
    """mean episode return per agent"""
    early_end_rate: float
    """fraction of episodes that ended before their step limit (a missed deadline, explaboff only)"""
    missed_deadlines: int
    """tasks that missed their deadline, over all episodes"""
    tasks: int
    latency_mean_s: float
    """mean latency of the tasks"""
    energy_j: float | None
    """mean energy the devices spent per episode (None where the model has no energy)"""

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def evaluate(env: Any, policy: Policy, episodes: int, seed: int) -> Summary | MecSummary:
    """Runs ``episodes`` episodes with seeds ``seed, seed + 1, ...`` and summarises them."""
    if episodes < 1:
        raise ValueError(f"episodes must be >= 1, got {episodes}")
    if hasattr(env, "episode_summary"):
        return _evaluate_mec(env, policy, episodes, seed)
    col = {name: i for i, name in enumerate(env.metric_fields)}
    origin = env.task_record_fields.index("origin_node")
    latency = env.task_record_fields.index("latency_s")
    agent_nodes = np.array(env.spec_json["agent_nodes"])
    totals = np.zeros(len(env.metric_fields))
    latencies: list[np.ndarray] = []
    returns = 0.0
    steps = 0
    for episode in range(episodes):
        episode_seed = seed + episode
        observations, infos = env.reset(seed=episode_seed)
        policy.reset(env, episode_seed)
        while True:
            frame = env.last_frame
            totals += frame.metrics.sum(axis=0)
            records = frame.task_records
            if len(records):
                latencies.append(records[np.isin(records[:, origin], agent_nodes), latency])
            if not env.agents:
                break
            observations, rewards, _, _, infos = env.step(policy.act(observations, infos))
            returns += sum(rewards.values())
            steps += 1
    all_latencies = np.concatenate(latencies) if latencies else np.zeros(0)
    arrived = int(totals[col["arrived"]])
    completed = int(totals[col["completed"]])
    dropped_full = int(totals[col["dropped_queue_full"]])
    dropped_deadline = int(totals[col["dropped_deadline"]])
    dropped_dependency = int(totals[col["dropped_dependency"]])
    return Summary(
        policy=policy.name,
        env_id=env.env_id,
        episodes=episodes,
        steps=steps,
        seed=seed,
        arrived=arrived,
        completed=completed,
        completion_ratio=completed / arrived if arrived else float("nan"),
        latency_mean_s=float(all_latencies.mean()) if len(all_latencies) else float("nan"),
        latency_p95_s=float(np.percentile(all_latencies, 95)) if len(all_latencies) else float("nan"),
        dropped_queue_full=dropped_full,
        dropped_deadline=dropped_deadline,
        dropped_dependency=dropped_dependency,
        unfinished=arrived - completed - dropped_full - dropped_deadline - dropped_dependency,
        energy_j=float(totals[col["energy_j"]]),
        reward=returns / episodes / len(env.possible_agents),
    )


def _evaluate_mec(env: Any, policy: Policy, episodes: int, seed: int) -> MecSummary:
    summaries: list[dict[str, Any]] = []
    steps = 0
    for episode in range(episodes):
        episode_seed = seed + episode
        observations, infos = env.reset(seed=episode_seed)
        policy.reset(env, episode_seed)
        while env.agents:
            observations, _, _, _, infos = env.step(policy.act(observations, infos))
            steps += 1
        summaries.append(env.episode_summary)
    tasks = sum(int(s["tasks"]) for s in summaries)
    energy = [s["energy_j"] for s in summaries if "energy_j" in s]
    return MecSummary(
        policy=policy.name,
        env_id=env.env_id,
        episodes=episodes,
        steps=steps,
        seed=seed,
        avg_cost=float(np.mean([s["avg_cost"] for s in summaries])),
        success_rate=float(np.mean([s["success_rate"] for s in summaries])),
        reward=float(np.mean([s["return"] for s in summaries])),
        early_end_rate=float(np.mean([bool(s["ended_early"]) for s in summaries])),
        missed_deadlines=sum(int(s["missed_deadlines"]) for s in summaries),
        tasks=tasks,
        latency_mean_s=sum(s["latency_mean_s"] * s["tasks"] for s in summaries) / tasks
        if tasks
        else float("nan"),
        energy_j=float(np.mean(energy)) if energy else None,
    )
