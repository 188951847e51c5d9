"""The golden frames written by the Java encoders: the batch frame decodes to the values the Java side put in
it, and the Python encoder produces the golden input frame byte for byte."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from pygym.errors import FrameError
from pygym.frames import OP_RESET, OP_STEP, Layout

GOLDEN = Path(__file__).parent / "golden"


def load() -> tuple[Layout, bytes]:
    spec = json.loads((GOLDEN / "describe_v2.json").read_text())
    return Layout.from_describe(spec), (GOLDEN / "batch_v2.bin").read_bytes()


def test_golden_batch_decodes_to_known_values() -> None:
    layout, buf = load()
    batch = layout.decode(bytearray(buf))
    np.testing.assert_array_equal(batch.step, [17, 3])
    np.testing.assert_array_equal(batch.time_s, [4.5, 1.0])
    np.testing.assert_array_equal(batch.terminated, [False, True])
    np.testing.assert_array_equal(batch.truncated, [True, False])
    np.testing.assert_array_equal(
        batch.observation,
        np.array([[[3, 1.5e9, 0.125], [0, 2.0e9, 1e-3]], [[10, 5e8, -0.0], [1, 1, 1]]], dtype=np.float32),
    )
    np.testing.assert_array_equal(batch.action_mask, [[[1, 1, 0], [1, 0, 1]], [[1, 0, 0], [1, 1, 1]]])
    np.testing.assert_array_equal(batch.metrics, [[[2, 0.75], [0, 1 / 3]], [[-1, 1e300], [5, 1e-300]]])
    np.testing.assert_array_equal(batch.state, np.array([[3, 0, 7, 10], [1, 2, 3, 4]], dtype=np.float32))
    np.testing.assert_array_equal(batch.record_counts, [2, 1])
    np.testing.assert_array_equal(batch.records_of(0), [[0, 2, 0.4375], [2, 2, 1e-6]])
    np.testing.assert_array_equal(batch.records_of(1), [[2, 0, 99.5]])
    arrays = (batch.observation, batch.action_mask, batch.metrics, batch.state, batch.task_records)
    assert sum(a.size for a in arrays) == 12 + 12 + 8 + 8 + 9


def test_the_python_encoder_writes_the_golden_input_frame() -> None:
    layout, _ = load()
    frame = layout.encode_input(
        np.array([OP_STEP, OP_RESET], dtype=np.int8),
        np.array([0, 2**40 + 7]),
        np.array([[2, 0], [1, 1]]),
        records=True,
    )
    golden = (GOLDEN / "input_v2.bin").read_bytes()
    assert len(golden) == 56 and frame == golden


def test_decoded_arrays_are_writable_and_share_nothing() -> None:
    layout, buf = load()
    batch = layout.decode(bytearray(buf))
    batch.observation[0, 0, 0] = 99  # user code may normalise in place
    assert layout.decode(bytearray(buf)).observation[0, 0, 0] == 3


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda b: b[:40], "shorter than its 64-byte header"),
        (lambda b: b"XXXX" + b[4:], "bad frame magic"),
        (lambda b: b + b"\0" * 8, "expected 336 for 2 sessions and 3 task records"),
        (lambda b: b[:16] + (7).to_bytes(4, "little") + b[20:], "differ from the described layout"),
        (lambda b: b[:44] + (3).to_bytes(4, "little") + b[48:], "disagree on whether the state"),
        (lambda b: b[:260] + (2).to_bytes(4, "little") + b[264:], "record counts sum to 4, header says 3"),
    ],
)
def test_malformed_frames_are_named_errors(mutate, message) -> None:
    layout, buf = load()
    with pytest.raises(FrameError, match=message):
        layout.decode(bytearray(mutate(buf)))
