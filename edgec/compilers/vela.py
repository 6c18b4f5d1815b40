"""Running Vela (ethos-u-vela, pinned in constraints.txt) on an INT8 flatbuffer for an Arm
Ethos-U NPU, and reading its results: the compiled flatbuffer, SRAM / DRAM / flash used,
cycle and time estimates, and which ops it left on the CPU.

Vela runs in a child process (``python -m ethosu.vela``): it can crash on input it does not
expect (a SIGFPE on INT4 models, an exception on some int8 ARG_MAX graphs), and a crash must
become a clear error, not take edgec down. INT4 models are refused before it is called.
"""

from __future__ import annotations

import csv
import io
import re
import signal
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from importlib.metadata import version
from pathlib import Path

from edgec.errors import ConversionError, UnsupportedOpError
from edgec.tflite.model import Model

TIMEOUT_SECONDS = 600
CONFIG_FILE = "Arm/vela.ini"  # shipped with ethos-u-vela
_UNSUPPORTED = re.compile(r"Warning \(supported operators\) operator: (\S+), ofm: '(.*)'")
_OP_COUNT = re.compile(r"^(CPU|NPU) operators = (\d+)", re.MULTILINE)


@dataclass
class VelaResult:
    compiled: bytes  # the flatbuffer the firmware runs (NPU parts as one ETHOS_U op each)
    summary_csv: str
    log: str
    sram_bytes: int
    dram_bytes: int
    flash_bytes: int  # on-chip + off-chip flash Vela placed weights and command streams in
    cycles_npu: int
    cycles_total: int
    inference_seconds: float
    macs: int
    npu_ops: int  # Vela's own operator counts (after it decomposed ops such as SOFTMAX)
    cpu_ops: int
    unsupported: dict[str, str] = field(default_factory=dict)  # ofm tensor name -> op Vela refused

    def to_dict(self) -> dict:
        return {
            "version": version("ethos-u-vela"), "sram_bytes": self.sram_bytes,
            "dram_bytes": self.dram_bytes, "flash_bytes": self.flash_bytes,
            "cycles_npu": self.cycles_npu, "cycles_total": self.cycles_total,
            "inference_ms": round(self.inference_seconds * 1e3, 6),
            "inferences_per_second": round(1.0 / self.inference_seconds, 2)
            if self.inference_seconds else None,
            "macs": self.macs, "vela_npu_ops": self.npu_ops, "vela_cpu_ops": self.cpu_ops,
        }


def _kib(row: dict, key: str) -> int:
    return round(float(row.get(key) or 0.0) * 1024)


def refuse_int4(model: Model) -> None:
    int4 = [t.name for t in model.main.tensors if t.type == "int4"]
    if int4:
        raise UnsupportedOpError(
            f"Vela cannot compile INT4 models (tensor '{int4[0]}' is int4; ethos-u-vela crashes "
            "on them)", hint="build with --quant int8 (or int16x8) for Ethos-U targets")


def compile_model(tflite: bytes, model: Model, config: str, system_config: str,
                  memory_mode: str) -> VelaResult:
    """Compile for `config` (e.g. ethos-u55-128) with a system config and memory mode of
    Vela's Arm/vela.ini. Raises ConversionError when Vela fails or crashes."""
    refuse_int4(model)
    with tempfile.TemporaryDirectory(prefix="edgec-vela-") as tmp:
        src = Path(tmp) / "model.tflite"
        src.write_bytes(tflite)
        command = [sys.executable, "-m", "ethosu.vela", str(src), "--accelerator-config", config,
                   "--config", CONFIG_FILE, "--system-config", system_config,
                   "--memory-mode", memory_mode, "--output-dir", tmp, "--show-cpu-operations"]
        try:
            done = subprocess.run(command, capture_output=True, text=True, timeout=TIMEOUT_SECONDS)
        except subprocess.TimeoutExpired:
            raise ConversionError(f"Vela did not finish in {TIMEOUT_SECONDS} s",
                                  hint="run vela by hand on model.tflite to see where it stalls")
        log = done.stdout + done.stderr
        compiled = Path(tmp) / "model_vela.tflite"
        summaries = list(Path(tmp).glob("model_summary_*.csv"))
        if done.returncode != 0 or not compiled.exists() or not summaries:
            raise ConversionError(f"Vela failed on the model: {_failure(done.returncode, log)}",
                                  hint="run `vela model.tflite` by hand for its full output; an op "
                                       "Vela mishandles can be replaced in the model")
        summary_csv = summaries[0].read_text()
        data = compiled.read_bytes()
    row = next(csv.DictReader(io.StringIO(summary_csv)))
    counts = dict(_OP_COUNT.findall(log))
    return VelaResult(
        compiled=data, summary_csv=summary_csv, log=log,
        sram_bytes=_kib(row, "sram_memory_used"), dram_bytes=_kib(row, "dram_memory_used"),
        flash_bytes=_kib(row, "on_chip_flash_memory_used") + _kib(row, "off_chip_flash_memory_used"),
        cycles_npu=int(float(row["cycles_npu"])), cycles_total=int(float(row["cycles_total"])),
        inference_seconds=float(row["inference_time"]), macs=int(float(row["nn_macs"])),
        npu_ops=int(counts.get("NPU", 0)), cpu_ops=int(counts.get("CPU", 0)),
        unsupported={name: op for op, name in _UNSUPPORTED.findall(log)},
    )


def _failure(code: int, log: str) -> str:
    if code < 0:
        try:
            name = signal.Signals(-code).name
        except ValueError:
            name = f"signal {-code}"
        return f"it crashed ({name})"
    lines = [ln.strip() for ln in log.splitlines() if ln.strip()]
    return lines[-1][:300] if lines else f"exit code {code}"
