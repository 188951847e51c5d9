"""The bridge's binary frames (contract version 2), encoded and decoded with numpy.

One bridge call steps a whole group of sessions (a single env is a group of one): an input frame goes in and
a batch frame comes out, both little-endian byte strings that cross py4j as base64 text.

Input frame: a 16-byte header (magic ``PYGA``, version, sessions n, flags; bit 0 asks for task records),
then ``ops`` (int8 per session: 0 step, 1 reset, 2 hold), ``seeds`` (int64 per session, read for resets) and
the actions (per session and agent one int32, or the agent's float32 vector), each section 8-byte aligned.

Batch frame: a 64-byte header (magic ``PYGB``, version, n, agents, obs_dim, actions, action_dim, metrics,
state_dim, record_fields, total records, flags), then sections that each hold every session, so that numpy
views reshape without copies: step (int32), ends (int8: bit 0 terminated, bit 1 truncated), time_s
(float64), observation (float32, n x agents x obs_dim), action_mask (int8, n x agents x actions), metrics
(float64, n x agents x metrics), state (float32, n x state_dim; absent when the state is the observations
concatenated, header flag bit 0, and then a view of them), record_counts (int32) and task_records (float64,
total x fields, session after session; header flag bit 1). The Java side is ``edgesim.bridge.Frames``.
"""

from __future__ import annotations

import base64
import functools
import struct
from dataclasses import dataclass
from typing import Any

import numpy as np

from pygym.errors import ContractMismatch, FrameError

CONTRACT_VERSION = 2
MAGIC = 0x42475950
INPUT_MAGIC = 0x41475950
HEADER = struct.Struct("<12i16x")
INPUT_HEADER = struct.Struct("<4i")
END_TERMINATED = 1
END_TRUNCATED = 2
FLAG_STATE_IS_OBSERVATIONS = 1
FLAG_RECORDS = 2
INPUT_FLAG_RECORDS = 1
OP_STEP = 0
OP_RESET = 1
OP_HOLD = 2


def _align8(n: int) -> int:
    return (n + 7) & ~7


@dataclass
class Batch:
    """One decoded batch frame. Arrays are views into one writable buffer owned by the batch, except the
    end flags (``terminated``, ``truncated``, ``ended``), computed from it."""

    step: np.ndarray
    """int32 (n,): steps taken in each session's episode"""
    terminated: np.ndarray
    """bool (n,)"""
    truncated: np.ndarray
    """bool (n,)"""
    time_s: np.ndarray
    """float64 (n,): simulated time"""
    observation: np.ndarray
    """float32 (n, agents, obs_dim)"""
    action_mask: np.ndarray
    """int8 (n, agents, actions), 1 where the action is valid"""
    metrics: np.ndarray
    """float64 (n, agents, metrics)"""
    state: np.ndarray
    """float32 (n, state_dim)"""
    record_counts: np.ndarray
    """int32 (n,): task records per session (zeros when records were not asked for)"""
    task_records: np.ndarray
    """float64 (total, fields): every session's task records, session after session"""
    ended: np.ndarray
    """bool (n,): terminated or truncated"""

    def records_of(self, i: int) -> np.ndarray:
        """Session ``i``'s task records."""
        start = int(self.record_counts[:i].sum())
        return self.task_records[start : start + int(self.record_counts[i])]

    @classmethod
    def concatenate(cls, parts: list[Batch]) -> Batch:
        """One batch of the sessions of ``parts``, in order (for a group spread over several servers)."""
        return cls(**{name: np.concatenate([getattr(p, name) for p in parts]) for name in _FIELDS})


_FIELDS = tuple(Batch.__dataclass_fields__)


@dataclass(frozen=True)
class Layout:
    """One session's dimensions, as published by the simulator's ``describe``; encodes and decodes frames."""

    agents: int
    obs_dim: int
    actions: int
    """number of discrete actions (0 when actions are continuous)"""
    action_dim: int
    """values per agent in the actions: 1 for discrete, the vector length for continuous"""
    metrics: int
    state_dim: int
    record_fields: int
    state_is_observations: bool
    """the state is every agent's observation concatenated, so frames do not carry it"""

    @classmethod
    def from_describe(cls, spec: dict[str, Any]) -> Layout:
        if spec.get("contract_version") != CONTRACT_VERSION:
            raise ContractMismatch(
                f"simulator speaks bridge contract {spec.get('contract_version')}, this pygym speaks "
                f"{CONTRACT_VERSION}; rebuild the jar (`make build`) or install the matching pygym"
            )
        frame = spec["frame"]
        if (frame["magic"], frame["input_magic"], frame["header_bytes"]) != (MAGIC, INPUT_MAGIC, HEADER.size):
            raise ContractMismatch(f"unexpected frame header in describe: {frame}")
        return cls(
            agents=len(spec["agents"]),
            obs_dim=len(spec["observation"]),
            actions=len(spec["actions"]),
            action_dim=len(spec["continuous_actions"]) or 1,
            metrics=len(spec["metrics"]),
            state_dim=len(spec["state"]),
            record_fields=len(spec["task_record"]),
            state_is_observations=bool(spec["state_is_observations"]),
        )

    @property
    def continuous(self) -> bool:
        return self.actions == 0

    @property
    def sent_state_dim(self) -> int:
        return 0 if self.state_is_observations else self.state_dim

    @functools.lru_cache(maxsize=64)  # noqa: B019 - a frozen dataclass, a handful of batch sizes
    def _offsets(self, n: int) -> tuple[int, ...]:
        step = HEADER.size
        ends = _align8(step + 4 * n)
        time = _align8(ends + n)
        observation = _align8(time + 8 * n)
        mask = _align8(observation + 4 * n * self.agents * self.obs_dim)
        metrics = _align8(mask + n * self.agents * self.actions)
        state = _align8(metrics + 8 * n * self.agents * self.metrics)
        counts = _align8(state + 4 * n * self.sent_state_dim)
        records = _align8(counts + 4 * n)
        return step, ends, time, observation, mask, metrics, state, counts, records

    def input_bytes(self, n: int) -> int:
        return _align8(INPUT_HEADER.size + n) + 8 * n + 4 * n * self.agents * self.action_dim

    def frame_bytes(self, n: int, records: int) -> int:
        """Length of a batch frame of ``n`` sessions and ``records`` task records."""
        return self._offsets(n)[-1] + 8 * records * self.record_fields

    def encode_input(self, ops: np.ndarray, seeds: np.ndarray, actions: np.ndarray, records: bool) -> bytes:
        """An input frame: per session an operation (OP_*) and a seed, and every session's actions (int32
        (n, agents) or float32 (n, agents, action_dim); only read for sessions that step)."""
        buf = bytearray(self.input_bytes(len(ops)))
        self.encode_input_into(buf, ops, seeds, actions, records)
        return bytes(buf)

    def encode_input_into(
        self, buf: Any, ops: np.ndarray, seeds: np.ndarray, actions: np.ndarray, records: bool
    ) -> int:
        """Writes the input frame at the start of the writable buffer ``buf``; returns its length."""
        n = len(ops)
        INPUT_HEADER.pack_into(buf, 0, INPUT_MAGIC, CONTRACT_VERSION, n, INPUT_FLAG_RECORDS if records else 0)
        seeds_at = _align8(INPUT_HEADER.size + n)
        actions_at = seeds_at + 8 * n
        np.frombuffer(buf, np.int8, n, INPUT_HEADER.size)[:] = ops
        np.frombuffer(buf, "<i8", n, seeds_at)[:] = seeds
        values = n * self.agents * self.action_dim
        np.frombuffer(buf, "<f4" if self.continuous else "<i4", values, actions_at)[:] = actions.reshape(-1)
        return self.input_bytes(n)

    def decode_text(self, text: str) -> Batch:
        """Decodes a batch frame sent as base64 text (how frames cross py4j)."""
        return self.decode(bytearray(base64.b64decode(text)))

    def decode(self, buf: bytearray) -> Batch:
        """Decodes a batch frame; raises FrameError if it does not match this layout."""
        if len(buf) < HEADER.size:
            raise FrameError(f"frame of {len(buf)} bytes is shorter than its {HEADER.size}-byte header")
        magic, version, n, *dims, records, flags = HEADER.unpack_from(buf, 0)
        if magic != MAGIC:
            raise FrameError(f"bad frame magic {magic:#x}, expected {MAGIC:#x}")
        if version != CONTRACT_VERSION:
            raise ContractMismatch(f"frame has contract version {version}, expected {CONTRACT_VERSION}")
        want = [
            self.agents,
            self.obs_dim,
            self.actions,
            self.action_dim,
            self.metrics,
            self.sent_state_dim,
            self.record_fields,
        ]
        if dims != want:
            raise FrameError(f"frame dimensions {dims} differ from the described layout {want}")
        if bool(flags & FLAG_STATE_IS_OBSERVATIONS) != self.state_is_observations:
            raise FrameError("frame and describe disagree on whether the state is the observations")
        step, ends, time, observation, mask, metrics, state, counts, records_at = self._offsets(n)
        expected = records_at + 8 * records * self.record_fields
        if len(buf) != expected:
            raise FrameError(
                f"frame has {len(buf)} bytes, expected {expected} for {n} sessions and {records} task records"
            )
        a = self.agents
        end_flags = np.frombuffer(buf, np.int8, n, ends)
        terminated = (end_flags & END_TERMINATED) != 0
        truncated = (end_flags & END_TRUNCATED) != 0
        obs = np.frombuffer(buf, "<f4", n * a * self.obs_dim, observation).reshape(n, a, self.obs_dim)
        batch = Batch(
            step=np.frombuffer(buf, "<i4", n, step),
            terminated=terminated,
            truncated=truncated,
            time_s=np.frombuffer(buf, "<f8", n, time),
            observation=obs,
            action_mask=np.frombuffer(buf, np.int8, n * a * self.actions, mask).reshape(n, a, self.actions),
            metrics=np.frombuffer(buf, "<f8", n * a * self.metrics, metrics).reshape(n, a, self.metrics),
            state=obs.reshape(n, a * self.obs_dim)
            if self.state_is_observations
            else np.frombuffer(buf, "<f4", n * self.state_dim, state).reshape(n, self.state_dim),
            ended=terminated | truncated,
            record_counts=np.frombuffer(buf, "<i4", n, counts),
            task_records=np.frombuffer(buf, "<f8", records * self.record_fields, records_at).reshape(
                records, self.record_fields
            ),
        )
        if int(batch.record_counts.sum()) != records:
            raise FrameError(f"record counts sum to {int(batch.record_counts.sum())}, header says {records}")
        return batch
