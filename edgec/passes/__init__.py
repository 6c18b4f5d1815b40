"""Build passes. Each is a plain function ``(artifact, ctx) -> artifact``; the
registry below names them in the order a standard build runs them."""

from edgec.passes.budgets import check_budgets
from edgec.passes.emit import emit_flatbuffer
from edgec.passes.loading import load_data, load_source
from edgec.passes.memory import measure_memory
from edgec.passes.op_check import check_ops
from edgec.passes.prune import prune
from edgec.passes.qat import qat
from edgec.passes.quantize import quantize
from edgec.passes.sparsity import sparsify
from edgec.passes.validation import validate
from edgec.pipeline import Pass

#: The passes of `edgec build`, in order.
STANDARD_BUILD: tuple[Pass, ...] = (
    Pass("load", load_source, "read the trained model"),
    Pass("data", load_data, "load calibration and validation data"),
    Pass("quantize", quantize, "post-training quantization with the TFLite converter"),
    Pass("check-ops", check_ops, "check every op against the target's runtime"),
    Pass("measure", measure_memory, "measure the tensor arena in TFLite Micro"),
    Pass("validate", validate, "compare the float model and the quantized flatbuffer"),
    Pass("budgets", check_budgets, "check flash and RAM against the target's budgets"),
    Pass("emit", emit_flatbuffer, "write the flatbuffer and its C array"),
)

#: Optimisation passes, by the option that asks for each, in the order they run (after the
#: data is loaded; see edgec.passes.plans.build_passes).
OPTIMIZATIONS: tuple[tuple[str, Pass], ...] = (
    ("prune", Pass("prune", prune, "remove filters, rebuild the smaller model, fine-tune")),
    ("sparsity", Pass("sparsity", sparsify, "M:N sparsity with tfmot, fine-tuned")),
    ("qat", Pass("qat", qat, "quantization-aware training with tfmot")),
)


__all__ = ["OPTIMIZATIONS", "STANDARD_BUILD"]
