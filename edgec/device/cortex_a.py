"""The Cortex-A harness: a .tflite run by LiteRT's C API under qemu-aarch64 (user mode).

The runtime is libLiteRt.so from the aarch64 ai-edge-litert wheel (pinned below, with
its hash: the instruction counts depend on the exact binary). The wheel ships no
headers; csrc/cortex_a/litert_bench.c declares the C API it uses. That program is
cross-compiled with Debian's aarch64-linux-gnu-gcc and run with the core's -cpu.

/proc/cpuinfo: XNNPACK's cpuinfo library reads it (and crashed on the host's x86 one).
QEMU's -L prefix redirects every absolute path the guest opens to the same path under
the prefix when that file exists there, so edgec builds a small prefix per core: lib/
(a link to Debian's aarch64 libraries), proc/cpuinfo written for the core
(boards.toml: MIDR fields and QEMU's HWCAP names), and sys/devices/system/cpu/ saying
one CPU. No namespaces or root are needed.

Instruction counts per inference come from the same plugin as on Cortex-M: the run of
the model sits between two markers; everything LiteRT executes in between is counted.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import sys
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

import numpy as np

from edgec.device.boards import CortexACore, cortex_a_core
from edgec.device.elf import Elf
from edgec.device.markers import Inference, inferences, read_markers, write_marks_file
from edgec.device.plugin import plugin_option, read_counts
from edgec.device.samples import pack, sample_bytes, unpack
from edgec.device.toolchain import cache_dir, run, tail, tool
from edgec.errors import InternalError, TargetError
from edgec.tflite import read_model

LITERT_VERSION = "2.3.0"
WHEEL = f"ai_edge_litert-{LITERT_VERSION}-cp311-cp311-manylinux_2_27_aarch64.whl"
WHEEL_SHA256 = "853fc608f96da87bd5f3458465dfb9abbf18d5ae6b94eceacead407146f175ae"
LIBRARY = "libLiteRt.so"
SOURCE = Path(__file__).with_name("csrc") / "cortex_a" / "litert_bench.c"
AARCH64_LIBS = Path("/usr/aarch64-linux-gnu/lib")  # libc6-dev-arm64-cross and friends
KERNELS = ("xnnpack", "builtin", "reference")


def litert_wheel() -> Path:
    """The pinned aarch64 ai-edge-litert wheel in edgec's cache, downloaded with pip if missing."""
    folder = cache_dir() / "wheels"
    wheel = folder / WHEEL
    if not wheel.exists():
        folder.mkdir(parents=True, exist_ok=True)
        done = run([sys.executable, "-m", "pip", "download", "--quiet", "--no-deps",
                    "--only-binary=:all:", "--platform", "manylinux_2_27_aarch64",
                    "--python-version", "3.11", "--implementation", "cp", "--abi", "cp311",
                    "-d", str(folder), f"ai-edge-litert=={LITERT_VERSION}"],
                   timeout=600, what="pip download of the aarch64 ai-edge-litert wheel")
        if done.returncode != 0 or not wheel.exists():
            raise TargetError(f"could not download ai-edge-litert {LITERT_VERSION} for aarch64: "
                              f"{tail(done.stderr, 3)}",
                              hint="the Cortex-A harness needs PyPI once; scripts/setup.sh fetches it")
    digest = hashlib.sha256(wheel.read_bytes()).hexdigest()
    if digest != WHEEL_SHA256:
        raise TargetError(f"{wheel} is not the pinned ai-edge-litert {LITERT_VERSION} wheel "
                          f"(sha256 {digest})", hint="delete it; edgec downloads it again")
    return wheel


def _runtime_dir() -> Path:
    """The folder holding libLiteRt.so for aarch64 and the bench program built against it."""
    folder = cache_dir() / "litert-aarch64" / LITERT_VERSION
    library = folder / LIBRARY
    if not library.exists():
        folder.mkdir(parents=True, exist_ok=True)
        with zipfile.ZipFile(litert_wheel()) as wheel:
            data = wheel.read(f"ai_edge_litert/{LIBRARY}")
        _write_atomically(library, data)
    return folder


def bench_program() -> Path:
    """litert_bench.c cross-compiled (cached by source hash), next to libLiteRt.so."""
    folder = _runtime_dir()
    markers_header = SOURCE.parent.parent / "edgec_markers.h"
    digest = hashlib.sha256(SOURCE.read_bytes() + markers_header.read_bytes()).hexdigest()[:16]
    program = folder / f"litert_bench-{digest}"
    if program.exists():
        return program
    fd, tmp = tempfile.mkstemp(dir=folder)
    os.close(fd)
    try:
        done = run([tool("aarch64-linux-gnu-gcc"), "-O2", "-Wall", "-no-pie",
                    f"-I{markers_header.parent}", "-o", tmp, str(SOURCE), f"-L{folder}", "-lLiteRt",
                    "-Wl,-rpath,$ORIGIN"], timeout=300, what="aarch64-linux-gnu-gcc")
        if done.returncode != 0:
            raise InternalError(f"the Cortex-A bench program did not build:\n{tail(done.stderr)}")
        os.chmod(tmp, 0o755)
        os.replace(tmp, program)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return program


def guest_root(core: CortexACore) -> Path:
    """The -L prefix for a core: Debian's aarch64 libraries and a /proc/cpuinfo of that core."""
    if not AARCH64_LIBS.is_dir():
        raise TargetError(f"{AARCH64_LIBS} is missing: the aarch64 C library is not installed",
                          hint="install Debian's libc6-dev-arm64-cross (scripts/setup.sh does)")
    cpuinfo = core.cpuinfo()
    digest = hashlib.sha256(cpuinfo.encode()).hexdigest()[:12]
    root = cache_dir() / "qemu-aarch64-roots" / f"{core.name}-{digest}"
    if root.exists():
        return root
    root.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(dir=root.parent))
    (tmp / "lib").symlink_to(AARCH64_LIBS)
    (tmp / "proc").mkdir()
    (tmp / "proc" / "cpuinfo").write_text(cpuinfo)
    cpus = tmp / "sys" / "devices" / "system" / "cpu"
    cpus.mkdir(parents=True)
    for name in ("possible", "present", "online"):
        (cpus / name).write_text("0\n")
    try:
        tmp.rename(root)
    except OSError:  # another process made it first
        shutil.rmtree(tmp, ignore_errors=True)
    return root


@dataclass(frozen=True)
class LiteRtRun:
    outputs: list[np.ndarray]  # one per model output, (samples, *shape)
    inferences: tuple[Inference, ...]
    fully_accelerated: bool  # every op taken by the chosen kernels (XNNPACK) in LiteRT's words
    total_instructions: int
    core: str
    kernels: str

    @property
    def instructions(self) -> list[int]:
        return [i.instructions for i in self.inferences]

    @property
    def steady_instructions(self) -> int:
        """Instructions per inference once warmed up: the most any inference after the
        first took (the first also pays for one-time set-up inside LiteRT)."""
        counts = self.instructions
        return max(counts[1:]) if len(counts) > 1 else counts[0]


def bench_cortex_a(model: bytes | str | Path, core: str, inputs: Sequence[np.ndarray], *,
                   timeout: float = 600.0) -> dict:
    """The model on `core` with XNNPACK and with TFLite's builtin kernels, each checked
    against the host: the figures a Cortex-A target reports."""
    spec = cortex_a_core(core)
    result: dict = {"core": core, "qemu_cpu": spec.qemu_cpu, "runtime": f"LiteRT {LITERT_VERSION}",
                    "samples": len(inputs[0]) if len(inputs) else 0}
    for kernels in ("xnnpack", "builtin"):
        device = run_litert(model, core, inputs, kernels=kernels, timeout=timeout)
        host = run_on_host(model, inputs, xnnpack=kernels == "xnnpack")
        result[kernels] = {
            "instructions_per_inference": device.steady_instructions,
            "first_inference_instructions": device.instructions[0],
            "fully_accelerated": device.fully_accelerated,
            "matches_host": all(np.array_equal(d, h) for d, h in zip(device.outputs, host)),
            "max_abs_difference_to_host": max(
                float(np.abs(d.astype(np.float64) - h).max()) for d, h in zip(device.outputs, host)),
        }
    return result


def run_litert(model: bytes | str | Path, core: str, inputs: Sequence[np.ndarray], *,
               xnnpack: bool = True, kernels: str | None = None, timeout: float = 600.0,
               work_dir: str | Path | None = None) -> LiteRtRun:
    """Run a .tflite under qemu-aarch64 as `core` (cortex-a53, cortex-a72, cortex-a76).

    inputs: one array per model input, samples first, in the tensor's type. kernels:
    "xnnpack" (default when xnnpack=True), "builtin" (TFLite's own kernels; the
    default when xnnpack=False) or "reference". Returns the outputs and per-inference
    instruction counts; identical inputs give identical counts.
    """
    kernels = kernels or ("xnnpack" if xnnpack else "builtin")
    if kernels not in KERNELS:
        raise TargetError(f"unknown kernel mode '{kernels}'", hint=f"one of {', '.join(KERNELS)}")
    spec = cortex_a_core(core)
    tflite = model if isinstance(model, bytes) else Path(model).read_bytes()
    graph = read_model(tflite).main
    input_tensors = [graph.tensors[i] for i in graph.inputs]
    output_tensors = [graph.tensors[i] for i in graph.outputs]
    rows = pack(list(inputs), input_tensors)

    program = bench_program()
    with tempfile.TemporaryDirectory(prefix="edgec-a-", dir=work_dir) as tmp:
        work = Path(tmp)
        (work / "model.tflite").write_bytes(tflite)
        rows.tofile(work / "input.bin")
        markers = read_markers(Elf(program))
        marks = write_marks_file(markers, work / "marks.txt")
        cmd = [tool("qemu-aarch64"), "-L", str(guest_root(spec)), "-cpu", spec.qemu_cpu,
               *plugin_option(work / "counts.txt", marks), str(program), "model.tflite",
               kernels, "input.bin", "output.bin", "stats.txt"]
        done = run(cmd, cwd=work, timeout=timeout, what=f"LiteRT under qemu-aarch64 ({core})")
        if done.returncode != 0:
            raise InternalError(f"LiteRT failed under qemu-aarch64 ({core}, {kernels}): "
                                f"{tail(done.stderr, 4) or f'exit status {done.returncode}'}",
                                hint="check that the model runs on the host with the same runtime")
        stats = dict(line.split(" ", 1) for line in (work / "stats.txt").read_text().splitlines())
        out_bytes = sample_bytes(output_tensors)
        if int(stats["output_bytes"]) != out_bytes or int(stats["samples"]) != len(rows):
            raise InternalError(f"LiteRT's view of the model's I/O differs from edgec's: {stats}")
        out_rows = np.fromfile(work / "output.bin", dtype=np.uint8).reshape(len(rows), out_bytes)
        counts = read_counts(work / "counts.txt")
    counted = inferences(counts, markers)
    if len(counted) != len(rows):
        raise InternalError(f"counted {len(counted)} inferences for {len(rows)} samples")
    return LiteRtRun(outputs=unpack(out_rows, output_tensors), inferences=tuple(counted),
                     fully_accelerated=stats["fully_accelerated"] == "1",
                     total_instructions=counts.total, core=core, kernels=kernels)


def run_on_host(model: bytes | str | Path, inputs: Sequence[np.ndarray], *,
                xnnpack: bool = True) -> list[np.ndarray]:
    """The same model and samples through the same LiteRT version (x86 wheel) on this machine."""
    from edgec.litert import LiteRTRunner

    tflite = model if isinstance(model, bytes) else Path(model).read_bytes()
    return LiteRTRunner(tflite, xnnpack=xnnpack).run_raw(list(inputs))


def _write_atomically(path: Path, data: bytes) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent)
    with os.fdopen(fd, "wb") as f:
        f.write(data)
    os.replace(tmp, path)
