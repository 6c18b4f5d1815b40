"""Build passes. Each is a plain function ``(artifact, ctx) -> artifact``; the
registry below names them in the order a standard build runs them."""

from edgec.passes.budgets import check_budgets
from edgec.passes.early_exit import check_exits, early_exit
from edgec.passes.emit import emit_flatbuffer
from edgec.passes.loading import load_data, load_source
from edgec.passes.memory import measure_memory
from edgec.passes.op_check import check_ops
from edgec.passes.quantize import quantize
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

#: With --early-exit: (pass, the standard pass it goes after).
EARLY_EXIT: tuple[tuple[Pass, str], ...] = (
    (Pass("check-exits", check_exits, "check the exit layers before the slow passes"), "load"),
    (Pass("early-exit", early_exit,
          "attach, train and calibrate exit heads; write the staged INT8 flatbuffers"), "budgets"),
)


def build_passes(options) -> list[Pass]:
    """The passes of a build with these options: the standard build, with the early-exit
    passes when --early-exit is given."""
    passes = list(STANDARD_BUILD)
    if getattr(options, "early_exit", None):
        for p, after in EARLY_EXIT:
            passes.insert([q.name for q in passes].index(after) + 1, p)
    return passes


__all__ = ["EARLY_EXIT", "STANDARD_BUILD", "build_passes"]
