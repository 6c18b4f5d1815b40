"""The build report: a stable contract for CI (documented in the README, "report.json").

Passes fill it in as the build goes; `to_dict()` is what report.json holds. Keys
are only ever added, never renamed or removed.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field

from edgec import __version__


@dataclass
class PassRecord:
    name: str
    seconds: float
    params: int | None = None  # parameters of the float model after the pass
    model_bytes: int | None = None  # flatbuffer bytes after the pass
    arena_bytes: int | None = None  # TFLite Micro arena after the pass, when measured
    accuracy: float | None = None  # validation top-1 (%) after the pass, when measured

    def to_dict(self) -> dict:
        return {k: v for k, v in asdict(self).items() if v is not None or k in ("name", "seconds")}


@dataclass
class Budget:
    name: str  # "flash" or "ram"
    limit: int
    actual: int
    ok: bool
    parts: dict[str, int] = field(default_factory=dict)  # what `actual` is made of

    @property
    def over_by(self) -> int:
        return max(0, self.actual - self.limit)

    def to_dict(self) -> dict:
        return {"name": self.name, "limit": self.limit, "actual": self.actual, "ok": self.ok,
                "parts": self.parts}


@dataclass
class OpRecord:
    index: int
    op: str
    supported: bool
    reason: str | None = None
    inputs: list[str] = field(default_factory=list)  # tensor types, for the op table
    output_shape: list[int] = field(default_factory=list)
    placement: str | None = None  # where it runs: npu, tpu, gpu or cpu (None: nowhere)
    delegate: str | None = None  # the accelerator that runs it (None: the CPU runtime's kernels)

    def to_dict(self) -> dict:
        d = {"index": self.index, "op": self.op, "supported": self.supported,
             "inputs": self.inputs, "output_shape": self.output_shape}
        if self.placement is not None:
            d["placement"] = self.placement
        if self.delegate is not None:
            d["delegate"] = self.delegate
        if self.reason is not None:
            d["reason"] = self.reason
        return d


@dataclass
class Report:
    target: str
    target_name: str = ""
    model: dict = field(default_factory=dict)  # source path/format and input/output shapes
    quantization: str | None = None
    calibration: dict = field(default_factory=dict)
    model_bytes: int | None = None
    arena_bytes: int | None = None
    flash_bytes: int | None = None
    ram_bytes: int | None = None
    budgets: list[Budget] = field(default_factory=list)
    ops: list[OpRecord] = field(default_factory=list)
    layers: list[dict] = field(default_factory=list)  # per-op costs (edgec.tflite.costs)
    memory_timeline: list[dict] = field(default_factory=list)  # live activation bytes per step
    passes: list[PassRecord] = field(default_factory=list)
    validation: dict = field(default_factory=dict)
    conversion: dict = field(default_factory=dict)  # converter check (ONNX): tool, max_abs_error
    early_exit: dict | None = None  # staged early-exit model (edgec.passes.early_exit)
    accuracy_known: bool = True
    warnings: list[str] = field(default_factory=list)
    outputs: list[str] = field(default_factory=list)
    aot: dict | None = None  # --runtime aot: activation_bytes, lower_bound_bytes, weight_bytes, ...
    optimization: dict = field(default_factory=dict)  # what prune / sparsity / qat did
    accuracy_guard: dict | None = None  # --max-accuracy-drop: limit, baseline, every check
    plans: list[dict] = field(default_factory=list)  # --auto: every plan tried
    edgec_version: str = __version__
    placement: dict = field(default_factory=dict)  # targets with an accelerator: counts, partitions
    vela: dict = field(default_factory=dict)  # Ethos-U targets: Vela's memory and cycle figures
    edgetpu: dict = field(default_factory=dict)  # Edge TPU: compiler-style table, compiler run

    def warn(self, message: str) -> None:
        if message not in self.warnings:
            self.warnings.append(message)

    def budget(self, name: str) -> Budget | None:
        return next((b for b in self.budgets if b.name == name), None)

    def to_dict(self) -> dict:
        return {
            "edgec_version": self.edgec_version,
            "target": self.target,
            "target_name": self.target_name,
            "model": self.model,
            "quantization": self.quantization,
            "calibration": self.calibration,
            "model_bytes": self.model_bytes,
            "arena_bytes": self.arena_bytes,
            "flash_bytes": self.flash_bytes,
            "ram_bytes": self.ram_bytes,
            "budgets": [b.to_dict() for b in self.budgets],
            "ops": [op.to_dict() for op in self.ops],
            "layers": self.layers,
            "memory_timeline": self.memory_timeline,
            "passes": [p.to_dict() for p in self.passes],
            "validation": self.validation,
            "conversion": self.conversion,
            "early_exit": self.early_exit,
            "accuracy_known": self.accuracy_known,
            "warnings": self.warnings,
            "outputs": self.outputs,
            "aot": self.aot,
            "optimization": self.optimization,
            "accuracy_guard": self.accuracy_guard,
            "plans": self.plans,
            **{k: v for k, v in (("placement", self.placement), ("vela", self.vela),
                                 ("edgetpu", self.edgetpu)) if v},
        }

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2, sort_keys=False) + "\n"
