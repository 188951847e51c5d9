"""The bridge's binary frames, decoded with numpy.

A step frame is one little-endian byte string: a 56-byte header, then the sections observation (float32,
agents x obs_dim), action_mask (uint8, agents x actions), metrics (float64, agents x metrics), state
(float32) and task_records (float64, records x fields), at the offsets the simulator publishes in
``describe``. An action frame is one little-endian int32 per agent for discrete actions, or each agent's
float32 vector, agent-major, for continuous ones. Contract version 1.
"""

from __future__ import annotations

import base64
import struct
from dataclasses import dataclass
from typing import Any

import numpy as np

from pygym.errors import ContractMismatch, FrameError

CONTRACT_VERSION = 1
MAGIC = 0x46475950
HEADER = struct.Struct("<IiiidiiiiiiiI")
FLAG_TERMINATED = 1
FLAG_TRUNCATED = 2


@dataclass
class Frame:
    """One decoded step. Arrays are views into one writable buffer owned by the frame."""

    step: int
    time_s: float
    terminated: bool
    truncated: bool
    observation: np.ndarray
    action_mask: np.ndarray
    metrics: np.ndarray
    state: np.ndarray
    task_records: np.ndarray


@dataclass(frozen=True)
class Layout:
    """Where each section sits in a frame, as published by the simulator's ``describe``."""

    agents: int
    obs_dim: int
    actions: int
    """number of discrete actions (0 when actions are continuous)"""
    action_dim: int
    """values per agent in an action frame: 1 for discrete, the vector length for continuous"""
    metrics: int
    state_dim: int
    record_fields: int
    observation_offset: int
    action_mask_offset: int
    metrics_offset: int
    state_offset: int
    task_records_offset: int

    @classmethod
    def from_describe(cls, spec: dict[str, Any]) -> Layout:
        if spec.get("contract_version") != CONTRACT_VERSION:
            raise ContractMismatch(
                f"simulator speaks bridge contract {spec.get('contract_version')}, this pygym speaks "
                f"{CONTRACT_VERSION}; rebuild the jar (`make build`) or install the matching pygym"
            )
        frame = spec["frame"]
        if frame["magic"] != MAGIC or frame["header_bytes"] != HEADER.size:
            raise ContractMismatch(f"unexpected frame header in describe: {frame}")
        return cls(
            agents=len(spec["agents"]),
            obs_dim=len(spec["observation"]),
            actions=len(spec["actions"]),
            action_dim=len(spec["continuous_actions"]) or 1,
            metrics=len(spec["metrics"]),
            state_dim=len(spec["state"]),
            record_fields=len(spec["task_record"]),
            observation_offset=frame["observation_offset"],
            action_mask_offset=frame["action_mask_offset"],
            metrics_offset=frame["metrics_offset"],
            state_offset=frame["state_offset"],
            task_records_offset=frame["task_records_offset"],
        )

    def decode_text(self, text: str) -> Frame:
        """Decodes a frame sent as base64 text (how frames cross py4j)."""
        return self.decode(bytearray(base64.b64decode(text)))

    def decode(self, buf: bytes | bytearray) -> Frame:
        """Decodes a frame; raises FrameError if it does not match this layout."""
        if len(buf) < HEADER.size:
            raise FrameError(f"frame of {len(buf)} bytes is shorter than its {HEADER.size}-byte header")
        (
            magic,
            version,
            step,
            flags,
            time_s,
            agents,
            obs_dim,
            actions,
            metrics,
            state_dim,
            fields,
            records,
            _,
        ) = HEADER.unpack_from(buf, 0)
        if magic != MAGIC:
            raise FrameError(f"bad frame magic {magic:#x}, expected {MAGIC:#x}")
        if version != CONTRACT_VERSION:
            raise ContractMismatch(f"frame has contract version {version}, expected {CONTRACT_VERSION}")
        got = (agents, obs_dim, actions, metrics, state_dim, fields)
        want = (self.agents, self.obs_dim, self.actions, self.metrics, self.state_dim, self.record_fields)
        if got != want:
            raise FrameError(f"frame dimensions {got} differ from the described layout {want}")
        expected = self.task_records_offset + 8 * records * fields
        if len(buf) != expected:
            raise FrameError(f"frame has {len(buf)} bytes, expected {expected} for {records} task records")
        return Frame(
            step=step,
            time_s=time_s,
            terminated=bool(flags & FLAG_TERMINATED),
            truncated=bool(flags & FLAG_TRUNCATED),
            observation=np.frombuffer(buf, "<f4", agents * obs_dim, self.observation_offset).reshape(
                agents, obs_dim
            ),
            action_mask=np.frombuffer(buf, np.int8, agents * actions, self.action_mask_offset).reshape(
                agents, actions
            ),
            metrics=np.frombuffer(buf, "<f8", agents * metrics, self.metrics_offset).reshape(agents, metrics),
            state=np.frombuffer(buf, "<f4", state_dim, self.state_offset),
            task_records=np.frombuffer(buf, "<f8", records * fields, self.task_records_offset).reshape(
                records, fields
            ),
        )

    @property
    def continuous(self) -> bool:
        return self.actions == 0

    def encode_actions(self, actions: np.ndarray) -> bytes:
        """One little-endian int32 per agent, or each agent's float32 vector for continuous actions."""
        return np.ascontiguousarray(actions, dtype="<f4" if self.continuous else "<i4").tobytes()
