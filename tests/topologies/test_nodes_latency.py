"""Ether's node table and latency distributions, checked against the reference notes' numbers."""

from __future__ import annotations

import numpy as np
import pytest

from topologies.errors import InvalidValueError
from topologies.latency import BUSINESS_ISP, DISTRIBUTIONS, LAN, MOBILE_ISP, WLAN, LogNormal, distribution
from topologies.nodes import NODE_TYPES, ROLES, node_type, parse_roles, parse_size

# (cores, arch, memory bytes, type label, model label) from the notes' table of Ether 0.3.3 node types.
ETHER_NODES = {
    "server": (88, "x86", 188_000_000_000, "server", "server"),
    "vm": (4, "x86", 8_363_810_816, "vm", "vm"),
    "rpi3": (4, "arm32", 1_023_012_864, "sbc", "rpi3b+"),
    "rpi4": (4, "arm32v7", 1_000_000_000, "sbc", "rpi4"),
    "rockpi": (6, "aarch64", 4_000_000_000, "sbc", "rockpi4"),
    "coral": (4, "aarch64", 1_000_000_000, "sbc", "coral"),
    "nuc": (4, "x86", 17_179_869_184, "sffc", "nuci5"),
    "tx2": (4, "aarch64", 8_240_386_048, "embai", "nvidia_jetson_tx2"),
    "nano": (4, "aarch64", 4_000_000_000, "embai", "nvidia_jetson_nano"),
    "nx": (6, "aarch64", 8_000_000_000, "embai", "nvidia_jetson_nx"),
}


def test_node_table_matches_ether() -> None:
    assert set(NODE_TYPES) == set(ETHER_NODES)
    for key, (cores, arch, memory, ether_type, model) in ETHER_NODES.items():
        spec = NODE_TYPES[key]
        assert (spec.cores, spec.arch, spec.memory_bytes) == (cores, arch, memory), key
        assert spec.labels["ether.edgerun.io/type"] == ether_type
        assert spec.labels["ether.edgerun.io/model"] == model
        assert spec.frequency_hz >= 1e9 and spec.frequency_source, f"{key} needs a documented frequency"
        assert spec.role in ROLES
    assert NODE_TYPES["vm"].name_prefix == "cloudvm"
    assert NODE_TYPES["tx2"].labels["ether.edgerun.io/capabilities/gpu"] == "pascal"
    assert NODE_TYPES["coral"].labels["ether.edgerun.io/capabilities/tpu"] == "edgetpu"
    assert len(ETHER_NODES) == 10


def test_parse_size_si_and_iec() -> None:
    cases = {"188G": 188 * 10**9, "16Gi": 16 * 2**30, "999036Ki": 999036 * 1024, "1G": 10**9, "512": 512}
    for text, expected in cases.items():
        assert parse_size(text) == expected, text
    for bad in ("", "1.5G", "G", "12X", "-1G"):
        with pytest.raises(InvalidValueError, match="size"):
            parse_size(bad)
    assert len(cases) == 5


def test_unknown_type_and_role_errors_name_the_value() -> None:
    with pytest.raises(InvalidValueError, match=r"unknown node type 'rpi9'; known: server, vm"):
        node_type("rpi9")
    with pytest.raises(InvalidValueError, match="role 'fog' is not one of device, edge, cloud"):
        parse_roles("device,fog")
    with pytest.raises(InvalidValueError, match="twice"):
        parse_roles("edge,edge")
    assert parse_roles("device, cloud") == ("device", "cloud")
    assert parse_roles("") == ()


# name: (mean, median, mode, p95) in ms, from the notes (computed there with scipy).
ETHER_LATENCY_MS = {
    "lan": (0.515, 0.510, 0.500, 0.591),
    "wlan": (5.18, 4.45, 3.37, 10.47),
    "business_isp": (7.72, 7.16, 6.52, 11.01),
    "mobile_isp": (25.24, 24.22, 22.51, 34.16),
}


def test_latency_statistics_match_ether() -> None:
    assert set(DISTRIBUTIONS) == set(ETHER_LATENCY_MS)
    for name, (mean, median, mode, _) in ETHER_LATENCY_MS.items():
        d = DISTRIBUTIONS[name]
        assert d.mean_s * 1000 == pytest.approx(mean, abs=0.006), name
        assert d.median_s * 1000 == pytest.approx(median, abs=0.006), name
        assert d.mode_s * 1000 == pytest.approx(mode, abs=0.006), name


def test_samples_follow_the_distribution() -> None:
    rng = np.random.default_rng(7)
    draws = 20_000
    for name, (_, median, _, p95) in ETHER_LATENCY_MS.items():
        samples = np.array([DISTRIBUTIONS[name].sample_s(rng) for _ in range(draws)]) * 1000
        assert np.median(samples) == pytest.approx(median, rel=0.02), name
        assert np.percentile(samples, 95) == pytest.approx(p95, rel=0.03), name
        assert samples.min() >= DISTRIBUTIONS[name].loc_s * 1000
    assert draws * len(ETHER_LATENCY_MS) == 80_000


def test_latency_modes_and_rounding() -> None:
    rng = np.random.default_rng(1)
    assert LAN.value_s("mode", rng) == round(LAN.mode_s, 9)
    assert MOBILE_ISP.value_s("mean", rng) == round(MOBILE_ISP.mean_s, 9)
    sample = BUSINESS_ISP.value_s("sample", np.random.default_rng(3))
    assert sample == BUSINESS_ISP.value_s("sample", np.random.default_rng(3))
    assert sample == round(sample, 9) and sample > BUSINESS_ISP.loc_s
    with pytest.raises(InvalidValueError, match="latency mode 'median'"):
        WLAN.value_s("median", rng)  # type: ignore[arg-type]


def test_distribution_lookup_and_parameter_checks() -> None:
    assert distribution("wlan") is WLAN
    with pytest.raises(InvalidValueError, match="unknown latency distribution 'fiber'"):
        distribution("fiber")
    with pytest.raises(InvalidValueError, match=r"s must be a number in \(0, 10\], got 0.0"):
        LogNormal("bad", 0.0, 0.001, 0.001)
    with pytest.raises(InvalidValueError, match=r"loc_s must be a number in \[0, 3600\], got -0.001"):
        LogNormal("bad", 0.5, -0.001, 0.001)
