"""The golden frame written by the Java encoder decodes to the values the Java side put in it."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from pygym.errors import FrameError
from pygym.frames import Layout

GOLDEN = Path(__file__).parent / "golden"


def load() -> tuple[Layout, bytes]:
    spec = json.loads((GOLDEN / "frame_v1.describe.json").read_text())
    return Layout.from_describe(spec), (GOLDEN / "frame_v1.bin").read_bytes()


def test_golden_frame_decodes_to_known_values() -> None:
    layout, buf = load()
    frame = layout.decode(bytearray(buf))
    assert (frame.step, frame.time_s, frame.terminated, frame.truncated) == (17, 4.5, False, True)
    np.testing.assert_array_equal(
        frame.observation, np.array([[3, 1.5e9, 0.125], [0, 2.0e9, 1e-3]], dtype=np.float32)
    )
    np.testing.assert_array_equal(frame.action_mask, [[1, 1, 0], [1, 0, 1]])
    np.testing.assert_array_equal(frame.metrics, [[2, 0.75], [0, 1 / 3]])
    np.testing.assert_array_equal(frame.state, np.array([3, 0, 7, 10], dtype=np.float32))
    np.testing.assert_array_equal(frame.task_records, [[0, 2, 0.4375], [2, 2, 1e-6]])
    checked = sum(a.size for a in (frame.observation, frame.action_mask, frame.metrics, frame.state))
    assert checked + frame.task_records.size == 6 + 6 + 4 + 4 + 6


def test_decoded_arrays_are_writable_copies_of_nothing_shared() -> None:
    layout, buf = load()
    frame = layout.decode(bytearray(buf))
    frame.observation[0, 0] = 99  # user code may normalise in place
    assert layout.decode(bytearray(buf)).observation[0, 0] == 3


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda b: b[:40], "shorter than its 56-byte header"),
        (lambda b: b"XXXX" + b[4:], "bad frame magic"),
        (lambda b: b + b"\0" * 8, "expected 184 for 2 task records"),
        (lambda b: b[:24] + (7).to_bytes(4, "little") + b[28:], "differ from the described layout"),
    ],
)
def test_malformed_frames_are_named_errors(mutate, message) -> None:
    layout, buf = load()
    with pytest.raises(FrameError, match=message):
        layout.decode(bytearray(mutate(buf)))


def test_action_frame_is_one_little_endian_int32_per_agent() -> None:
    layout, _ = load()
    assert layout.encode_actions(np.array([2, 258])) == b"\x02\0\0\0\x02\x01\0\0"
