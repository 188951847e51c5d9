"""Synthetic arrival processes, schedules, distributions and source rules: rates, seeds, independence."""

from __future__ import annotations

import zlib
from pathlib import Path

import numpy as np
import pytest

from workloads import (
    MMPP,
    Diurnal,
    OptionError,
    PiecewiseRate,
    Poisson,
    SourceRule,
    TaskShape,
    heterogeneous_schedules,
    linear_schedule,
    load_workload,
    parse_bytes_rule,
    parse_distribution,
    synthesize,
    uniform_random_schedule,
    write_workload,
    zigzag_schedule,
)
from workloads.rng import stream
from workloads.synth import ArrivalProcess, layered, per_source


def _sigmas(count: int, expected: float) -> float:
    return abs(count - expected) / expected**0.5


def test_poisson_rate_and_exponential_gaps() -> None:
    times = Poisson(5.0).sample(4000.0, stream(1, "t"))
    assert _sigmas(len(times), 20_000) < 4
    gaps = np.diff(times)
    assert gaps.mean() == pytest.approx(0.2, rel=0.03)
    assert gaps.std() / gaps.mean() == pytest.approx(1.0, abs=0.05)  # exponential: coefficient of variation 1
    assert (times >= 0).all() and (times < 4000).all() and (np.diff(times) >= 0).all()


def test_rates_above_one_per_second_are_not_capped() -> None:
    times = Poisson(50.0).sample(100.0, stream(2, "t"))
    per_second = np.bincount(times.astype(int), minlength=100)
    assert _sigmas(len(times), 5000) < 4
    assert per_second.max() > 1  # PeersimGym caps a client at one task per tick; a Poisson process does not


def test_mmpp_mean_rate_and_burstiness() -> None:
    process = MMPP(rates_hz=(0.5, 20.0), mean_sojourn_s=(60.0, 10.0))
    assert process.stationary() == pytest.approx([60 / 70, 10 / 70])
    duration = 20_000.0
    times = process.sample(duration, stream(3, "t"))
    expected = process.expected_count(duration)
    assert expected == pytest.approx((0.5 * 60 + 20 * 10) / 70 * duration)
    assert abs(len(times) - expected) / expected < 0.1
    counts = np.bincount((times // 10).astype(int), minlength=int(duration // 10))
    assert counts.var() / counts.mean() > 5  # bursts: far more dispersed than Poisson (ratio 1)


def test_diurnal_peak_and_trough() -> None:
    process = Diurnal(mean_rate_hz=2.0, amplitude=0.8, period_s=1000.0, peak_s=250.0)
    times = process.sample(20_000.0, stream(4, "t"))
    assert _sigmas(len(times), process.expected_count(20_000.0)) < 4
    phase = times % 1000.0
    near_peak = ((phase > 200) & (phase < 300)).sum()
    near_trough = ((phase > 700) & (phase < 800)).sum()
    expected_ratio = float(process.rate_hz(np.array([250.0]))[0] / process.rate_hz(np.array([750.0]))[0])
    assert expected_ratio == pytest.approx(9.0)
    assert near_peak / near_trough == pytest.approx(expected_ratio, rel=0.2)


def test_peersimgym_schedules() -> None:
    linear = linear_schedule(1, 10, 1, 100)
    assert [r for r, _ in linear.segments] == [float(r) for r in range(1, 11)]
    assert linear.pieces(1200)[-1] == (1000.0, 1200.0, 10.0)  # the last rate is held
    assert linear.expected_count(1200) == pytest.approx(100 * sum(range(1, 11)) + 200 * 10)
    zigzag = zigzag_schedule(1, 4, 1, 10)
    assert [rate for _, _, rate in zigzag.pieces(80)] == [1, 2, 3, 4, 3, 2, 1, 2]
    times = linear.sample(1200, stream(5, "t"))
    in_first = (times < 100).sum()
    in_last = ((times >= 1000) & (times < 1100)).sum()
    assert _sigmas(int(in_first), 100) < 4 and _sigmas(int(in_last), 1000) < 4
    uniform = uniform_random_schedule(1000, stream(6, "s"), 2, 8, 100)
    rates = [r for r, _ in uniform.segments]
    assert len(rates) == 10 and all(2 <= r <= 8 for r in rates) and len(set(rates)) == 10


def test_heterogeneous_schedules_differ_per_layer_and_repeat_per_seed() -> None:
    layers = heterogeneous_schedules("uniform-random", 3, 500.0, seed=9, step_s=100)
    assert len({s.segments for s in layers}) == 3
    assert heterogeneous_schedules("uniform-random", 3, 500.0, seed=9, step_s=100) == layers
    zig = heterogeneous_schedules("zigzag", 4, 500.0, seed=9)
    assert len({s.segments[0][0] for s in zig}) > 1
    mapping = layered([f"node_{i}" for i in range(5)], [2, 3], layers[:2])
    assert mapping["node_1"] is layers[0] and mapping["node_4"] is layers[1]
    with pytest.raises(OptionError, match="summing to the 5 sources"):
        layered([f"node_{i}" for i in range(5)], [2, 2], layers[:2])


def test_synthesize_is_seeded_sorted_and_per_source_independent(tmp_path: Path) -> None:
    shape = TaskShape()
    names = [f"node_{i}" for i in range(4)]
    tasks = synthesize(per_source(names, Poisson(3.0)), 300.0, shape, seed=11)
    assert _sigmas(len(tasks), 3600) < 4
    arrivals = [t.arrival_s for t in tasks]
    assert arrivals == sorted(arrivals)
    assert synthesize(per_source(names, Poisson(3.0)), 300.0, shape, seed=11) == tasks
    assert synthesize(per_source(names, Poisson(3.0)), 300.0, shape, seed=12) != tasks
    more = synthesize(per_source([*names, "node_4"], Poisson(3.0)), 300.0, shape, seed=11)
    assert [t for t in more if t.source != "node_4"] == tasks
    assert all(1 <= t.deadline_s - t.arrival_s <= 2 + 1e-6 for t in tasks if t.deadline_s is not None)
    assert {t.task_id.split(":")[0] for t in tasks} == set(names)
    write_workload(tmp_path / "a.csv", tasks)
    write_workload(tmp_path / "b.csv", synthesize(per_source(names, Poisson(3.0)), 300.0, shape, seed=11))
    assert (tmp_path / "a.csv").read_bytes() == (tmp_path / "b.csv").read_bytes()
    assert len(load_workload(tmp_path / "a.csv")) == len(tasks)


def test_per_node_rates() -> None:
    names = ["a", "b", "c"]
    tasks = synthesize(
        per_source(names, [Poisson(1.0), Poisson(4.0), Poisson(0.0)]), 2000.0, TaskShape(), seed=1
    )
    counts = {n: sum(t.source == n for t in tasks) for n in names}
    assert _sigmas(counts["a"], 2000) < 4 and _sigmas(counts["b"], 8000) < 4 and counts["c"] == 0


def test_distributions_parse_draw_and_reject() -> None:
    rng = stream(1, "d")
    lognormal = parse_distribution("lognormal:median=4e7,sigma=0.5")
    assert np.median(lognormal.sample(rng, 20_000)) == pytest.approx(4e7, rel=0.03)
    assert str(lognormal) == "lognormal:median=4e+07,sigma=0.5"
    choice = parse_distribution("choice:values=200;600,weights=4;6")
    draws = choice.sample(rng, 20_000)
    assert set(np.unique(draws)) == {200.0, 600.0}
    assert (draws == 200).mean() == pytest.approx(0.4, abs=0.015)  # PeersimGym's sampling gives 0.2 here
    assert parse_distribution("gamma:shape=2,mean=10").sample(rng, 20_000).mean() == pytest.approx(
        10, rel=0.03
    )
    assert parse_distribution("pareto:shape=3,minimum=2").sample(rng, 1000).min() >= 2
    assert parse_distribution("const:value=7").sample_int(rng, 3).tolist() == [7, 7, 7]
    for spec, words in [
        ("normal:mean=1", "unknown distribution 'normal'"),
        ("uniform:low=5,high=1", "low <= high"),
        ("lognormal:median=1", "needs sigma"),
        ("exponential:mean=x", "mean='x' is not a number"),
        ("exponential:mean=1,mean=2", "given twice"),
        ("exponential:rate=1", "has no parameter 'rate'"),
        ("choice:values=1;2,weights=1", "1 weights for 2 values"),
    ]:
        with pytest.raises(OptionError, match=words):
            parse_distribution(spec, "--cycles")


def test_byte_rules() -> None:
    cycles = np.array([1000, 2_000_000], dtype=np.int64)
    assert parse_bytes_rule("per-cycle:ratio=0.5").draw(cycles, stream(0, "b")).tolist() == [500, 1_000_000]
    assert parse_bytes_rule("const:value=64").draw(cycles, stream(0, "b")).tolist() == [64, 64]
    with pytest.raises(OptionError, match="per-cycle takes one parameter, ratio"):
        parse_bytes_rule("per-cycle:bytes=2")


def test_source_rules() -> None:
    rule = SourceRule.numbered(5)
    hashed = rule.assigner(0)
    assert hashed.assign("j_42") == f"node_{zlib.crc32(b'j_42') % 5}" == rule.assigner(99).assign("j_42")
    robin = SourceRule(("x", "y", "z"), "round-robin").assigner(0)
    assert [robin.assign("j") for _ in range(4)] == ["x", "y", "z", "x"]
    draws = SourceRule.numbered(3, mode="random").assigner(7)
    again = SourceRule.numbered(3, mode="random").assigner(7)
    other = SourceRule.numbered(3, mode="random").assigner(8)
    sequence = [draws.assign("j") for _ in range(300)]
    assert sequence == [again.assign("j") for _ in range(300)]
    assert sequence != [other.assign("j") for _ in range(300)]
    assert all(sequence.count(f"node_{i}") > 70 for i in range(3))
    with pytest.raises(OptionError, match="listed twice"):
        SourceRule(("a", "a"))
    with pytest.raises(OptionError, match="not a node name"):
        SourceRule(("a,b",))
    with pytest.raises(OptionError, match="unknown mode"):
        SourceRule(("a",), "nearest")


def test_bad_process_parameters() -> None:
    with pytest.raises(OptionError, match="rate_hz"):
        Poisson(-1.0)
    with pytest.raises(OptionError, match="one mean sojourn per rate"):
        MMPP((1.0, 2.0), (5.0,))
    with pytest.raises(OptionError, match="summing to 1"):
        MMPP((1.0, 2.0), (5.0, 5.0), ((0.5, 0.4), (1.0, 0.0)))
    with pytest.raises(OptionError, match="amplitude"):
        Diurnal(1.0, amplitude=1.5)
    with pytest.raises(OptionError, match="segment"):
        PiecewiseRate(((1.0, 0.0),))


@pytest.mark.parametrize(
    "process",
    [
        Poisson(2.0),
        MMPP((0.5, 8.0), (20.0, 5.0)),
        Diurnal(2.0, 0.5, 200.0, 50.0),
        linear_schedule(1, 4, 1, 50),
        zigzag_schedule(1, 4, 1, 25),
        uniform_random_schedule(300.0, stream(0, "schedule"), 1, 4, 50),
    ],
    ids=lambda p: p.describe().split("(")[0],
)
def test_every_process_is_reproducible_per_seed(process: ArrivalProcess) -> None:
    first, again, other = (process.sample(300.0, stream(seed, "arrivals")) for seed in (1, 1, 2))
    assert len(first) > 100
    assert np.array_equal(first, again)
    assert not np.array_equal(first, other)
    assert (np.diff(first) >= 0).all() and first.min() >= 0 and first.max() < 300.0
