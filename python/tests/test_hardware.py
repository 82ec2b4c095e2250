"""cadenza.Hardware: presets, files the CLI reads, keyword construction and replace()."""

from __future__ import annotations

from pathlib import Path

import pytest

import cadenza
from cadenza import _core
from conftest import MODELS


def test_default_preset_is_the_cli_default() -> None:
    hw = cadenza.Hardware.preset()
    assert (hw.num_pes, hw.l1_bytes, hw.l2_bytes) == (256, 1024, 1 << 20)
    assert (hw.noc_bandwidth, hw.offchip_bandwidth) == (64, 32)
    assert hw.source == "built-in default (models/hw/default.textproto)"
    assert hw.text == (MODELS / "hw" / "default.textproto").read_text()


def test_presets_by_name() -> None:
    names = cadenza.Hardware.presets()
    assert {"default", "edge_like", "eyeriss_like", "accel256"} <= set(names)
    for name in names:
        hw = cadenza.Hardware.preset(name)
        assert hw.num_pes >= 1
    assert cadenza.Hardware.preset("eyeriss_like") == cadenza.Hardware.from_file(
        MODELS / "hw" / "eyeriss_like.textproto")
    with pytest.raises(cadenza.InputError, match="no hardware preset 'tpu'.*eyeriss_like"):
        cadenza.Hardware.preset("tpu")


@pytest.mark.parametrize("name", ["default.textproto", "edge_like.textproto",
                                  "eyeriss_like.textproto", "accel256.m"])
def test_every_file_reads_back_through_the_text_format(name: str) -> None:
    path = MODELS / "hw" / name
    hw = cadenza.Hardware.from_file(path)
    assert hw.source == str(path) and hw.text == path.read_text()
    # The C++ reader's fields, and the same after a round trip through to_text().
    assert hw._fields() == _core.read_hardware_file(str(path))
    assert _core.parse_hardware_config(hw.to_text(), name) == hw._fields()


def test_maestro_hardware_file() -> None:
    hw = cadenza.Hardware.from_file(MODELS / "hw" / "accel256.m")
    assert hw.num_pes == 256


def test_keywords_and_replace() -> None:
    hw = cadenza.Hardware(num_pes=64, l1_bytes=512, l2_bytes=65536, noc_bandwidth=16,
                          noc_levels=((8, None), (None, 2)), bytes_per_element=(1, 1, 2))
    assert hw.simd_lanes == 1 and hw.offchip_bandwidth is None and hw.mac_pj == 0.23
    assert hw.source == "Hardware(...) in Python"
    assert _core.parse_hardware_config(hw.text, "x") == hw._fields()
    bigger = hw.replace(l2_bytes=2 << 20)
    assert bigger.l2_bytes == 2 << 20 and hw.l2_bytes == 65536
    assert bigger == cadenza.Hardware(**{**hw._fields(), "l2_bytes": 2 << 20})
    assert bigger.source == "Hardware(...) in Python with l2_bytes=2097152"
    preset = cadenza.Hardware.preset("eyeriss_like").replace(num_pes=32)
    assert "eyeriss_like" in preset.source and "num_pes: 32" in preset.text
    with pytest.raises(TypeError, match="unknown field"):
        hw.replace(l3_bytes=1)


def test_bad_values_raise_input_error() -> None:
    with pytest.raises(cadenza.InputError, match="num_pes"):
        cadenza.Hardware(num_pes=0)
    with pytest.raises(cadenza.InputError, match="l1_bytes"):
        cadenza.Hardware(num_pes=4, l1_bytes=-5)
    with pytest.raises(cadenza.InputError):
        cadenza.Hardware(num_pes=4.5)  # type: ignore[arg-type]


def test_bad_files(tmp_path: Path) -> None:
    bad = tmp_path / "bad.textproto"
    bad.write_text("num_pes: 16\nl1_byte: 4\n")
    with pytest.raises(cadenza.InputError, match=r"bad\.textproto:2:.*did you mean 'l1_bytes'"):
        cadenza.Hardware.from_file(bad)
    with pytest.raises(cadenza.InputError, match="nothere.m"):
        cadenza.Hardware.from_file(tmp_path / "nothere.m")
