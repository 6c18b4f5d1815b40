"""Target profiles: the shipped ones carry datasheet figures; malformed files are clear errors."""

from __future__ import annotations

import pytest

from edgec.errors import TargetError
from edgec.targets import list_profiles, load_target

KIB, MIB = 1024, 1024 * 1024


@pytest.mark.parametrize("target, core, mhz, ram, flash", [
    ("stm32", "cortex-m4", 120, 640 * KIB, 2 * MIB),
    ("stm32l4r5", "cortex-m4", 120, 640 * KIB, 2 * MIB),
    ("stm32f446", "cortex-m4", 180, 128 * KIB, 512 * KIB),
    ("stm32f746", "cortex-m7", 216, 320 * KIB, 1 * MIB),
    ("stm32h743", "cortex-m7", 480, 992 * KIB, 2 * MIB),
    ("nrf52840", "cortex-m4", 64, 256 * KIB, 1 * MIB),
    ("rp2040", "cortex-m0plus", 133, 264 * KIB, 2 * MIB),
    ("stm32u575", "cortex-m33", 160, 786 * KIB, 2 * MIB),
    ("esp32s3", "xtensa-lx7", 240, 512 * KIB, 8 * MIB),
])
def test_shipped_profiles_have_their_datasheet_figures(target, core, mhz, ram, flash):
    p = load_target(target)
    assert (p.device.core, p.device.clock_mhz, p.device.ram_bytes, p.device.flash_bytes) == \
        (core, mhz, ram, flash)
    assert p.runtime.name == "tflite-micro"
    assert "CONV_2D" in p.runtime.ops and "GELU" not in p.runtime.ops


def test_stm32_is_an_alias_of_the_mlperf_tiny_board():
    assert load_target("stm32").id == "stm32l4r5"
    assert "_cortex-m-tflm" not in {p.id for p in list_profiles()}


def test_unknown_target_names_the_known_ones():
    with pytest.raises(TargetError, match="unknown target 'stm99'") as info:
        load_target("stm99")
    assert "stm32l4r5" in info.value.hint


def write(tmp_path, text: str, name: str = "board.toml"):
    path = tmp_path / name
    path.write_text(text)
    return path


GOOD = """
inherits = "_cortex-m-tflm"
name = "My board"
[device]
core = "cortex-m4"
clock_mhz = 64
ram = "256 KiB"
flash = "1 MiB"
"""


def test_a_users_profile_inherits_from_a_shipped_base(tmp_path):
    p = load_target(target_file=write(tmp_path, GOOD))
    assert p.id == "board" and p.device.ram_bytes == 256 * KIB
    assert p.constraints == load_target("stm32").constraints  # inherited


def test_a_child_overrides_one_key_of_its_parent(tmp_path):
    p = load_target(target_file=write(tmp_path, 'inherits = "stm32l4r5"\nname = "x"\n'
                                                '[device]\nram = "320K"\n'))
    assert p.device.ram_bytes == 320 * KIB and p.device.flash_bytes == 2 * MIB


@pytest.mark.parametrize("change, message", [
    (lambda t: "colour = 'red'\n" + t, "unknown key 'colour'"),
    (lambda t: t.replace('ram = "256 KiB"', 'ram = -5'), "device.ram must be positive"),
    (lambda t: t.replace('ram = "256 KiB"', 'ram = "lots"'), "is not a size"),
    (lambda t: t.replace('"cortex-m4"', '"cortex-m99"'), "unknown core 'cortex-m99'"),
    (lambda t: t.replace("clock_mhz = 64", 'clock_mhz = "fast"'), "must be a number"),
    (lambda t: t.replace("clock_mhz = 64", "clock_mhz = 0"), "clock_mhz must be positive"),
    (lambda t: t.replace('flash = "1 MiB"', 'flash = "16 KiB"'), "leaves no flash"),
    (lambda t: t.replace('inherits = "_cortex-m-tflm"', 'inherits = "nothing"'), "not a known profile"),
    (lambda t: t.replace('[device]', '[device]\nspeed = 3'), "unknown key 'device.speed'"),
    (lambda t: t + "[quantization]\nschemes = ['int3']\n", "unknown quantization scheme 'int3'"),
    (lambda t: t + "[runtime]\nconstraints = ['be-nice']\n", "unknown op constraint 'be-nice'"),
    (lambda t: t.replace('name = "My board"\n', ''), "missing required key 'name'"),
    (lambda t: t + "[device", "not valid TOML"),
])
def test_malformed_profiles_are_clear_errors(tmp_path, change, message):
    with pytest.raises(TargetError, match=message):
        load_target(target_file=write(tmp_path, change(GOOD)))


def test_inheritance_loops_are_detected(tmp_path):
    write(tmp_path, 'inherits = "b"\nname = "a"\n', "a.toml")
    write(tmp_path, 'inherits = "a"\nname = "b"\n', "b.toml")
    with pytest.raises(TargetError, match="inheritance loops"):
        load_target(target_file=tmp_path / "a.toml")


def test_missing_or_folder_profile_paths(tmp_path):
    with pytest.raises(TargetError, match="does not exist"):
        load_target(target_file=tmp_path / "none.toml")
    with pytest.raises(TargetError, match="is a folder"):
        load_target(target_file=tmp_path)


def test_an_abstract_base_is_not_a_target(tmp_path):
    from edgec.targets.profile import PROFILES_DIR

    with pytest.raises(TargetError, match="abstract"):
        load_target(target_file=PROFILES_DIR / "_cortex-m-tflm.toml")


@pytest.mark.parametrize("target, runtime, accelerator, unit", [
    ("android-nnapi", "litert", "nnapi", "npu"),
    ("android-gpu", "litert", "gpu", "gpu"),
    ("android-cpu", "litert", "xnnpack", "cpu"),
    ("cortex-a53", "litert", "xnnpack", "cpu"),
    ("cortex-a72", "litert", "xnnpack", "cpu"),
    ("cortex-a76", "litert", "xnnpack", "cpu"),
    ("edgetpu", "litert", "edgetpu", "tpu"),
    ("ethos-u55-128", "tflite-micro-ethos-u", "ethos-u", "npu"),
    ("ethos-u65-256", "tflite-micro-ethos-u", "ethos-u", "npu"),
])
def test_accelerated_profiles(target, runtime, accelerator, unit):
    p = load_target(target)
    assert (p.runtime.name, p.accelerator.name, p.accelerator.unit) == (runtime, accelerator, unit)


def test_phone_budgets_are_not_the_phone():
    p = load_target("android-nnapi")
    assert p.device.ram_bytes == 6 * 1024 * MIB and p.budget_ram_bytes == 128 * MIB
    assert p.budget_flash_bytes == 32 * MIB and p.accelerator.api_level == 30
    assert load_target("stm32").budget_ram_bytes == load_target("stm32").device.ram_bytes


def test_the_ethos_u_runtime_inherits_tflite_micros_ops():
    assert load_target("ethos-u55-128").runtime.ops == load_target("stm32").runtime.ops
    assert load_target("ethos-u55-128").accelerator.settings["config"] == "ethos-u55-128"


def test_esp32_says_it_has_no_emulator():
    from typer.testing import CliRunner

    from edgec.cli.main import app

    result = CliRunner().invoke(app, ["targets", "show", "esp32s3"])
    assert result.exit_code == 0
    assert "emulator:      none (no emulator: Debian's QEMU has no Xtensa LX7" in result.output
    a53 = CliRunner().invoke(app, ["targets", "show", "cortex-a53"]).output
    assert "emulator:      qemu-aarch64 -cpu cortex-a53 with a matching /proc/cpuinfo" in a53


@pytest.mark.parametrize("target", ["cortex-a53", "cortex-a72", "cortex-a76"])
def test_cortex_a_profiles_name_a_core_the_harness_emulates(target):
    """The seam to the Cortex-A harness: its bench takes the profile's device.core."""
    from edgec.device.boards import cortex_a_core

    assert cortex_a_core(load_target(target).device.core).qemu_cpu == target


ANDROID = 'inherits = "android-nnapi"\nname = "My phone"\n'


@pytest.mark.parametrize("text, message", [
    (ANDROID + "[accelerator]\napi_level = 99\n", "api_level must be an Android API level"),
    (ANDROID + "[accelerator]\napi_level = '30'\n", "'accelerator.api_level' must be an integer"),
    (ANDROID + "[accelerator]\nname = 'tpu9'\n", "unknown accelerator 'tpu9'"),
    (ANDROID + "[accelerator]\nname = 'litert'\n", "'litert' is a runtime, not an accelerator"),
    (ANDROID + "[accelerator]\nspeed = 2\n", "unknown key 'accelerator.speed'"),
    (ANDROID + "[accelerator]\nmax_partitions = -1\n", "max_partitions must be 0"),
    (ANDROID + "[budgets]\nram = 0\n", "budgets.ram must be positive"),
    (ANDROID + "[budgets]\nvram = '1M'\n", "unknown key 'budgets.vram'"),
    (ANDROID + "[budgets]\nflash = '2M'\n", "runtime.code_bytes leaves no flash for the model"),
    (ANDROID + "[emulator]\navailable = 'no'\n", "'emulator.available' must be a bool"),
    (GOOD + "[emulator]\nnote = 'x'\n", "missing required key 'emulator.available'"),
    ('inherits = "_ethos-u"\nname = "x"\n[device]\nclock_mhz = 100\n',
     "accelerator 'ethos-u' needs accelerator.config"),
])
def test_malformed_accelerator_settings_are_clear_errors(tmp_path, text, message):
    with pytest.raises(TargetError, match=message):
        load_target(target_file=write(tmp_path, text))


def test_a_setting_the_accelerator_does_not_take_is_an_error(tmp_path):
    path = write(tmp_path, 'inherits = "edgetpu"\nname = "x"\n[accelerator]\napi_level = 30\n')
    with pytest.raises(TargetError, match="accelerator 'edgetpu' takes no accelerator.api_level"):
        load_target(target_file=path)
