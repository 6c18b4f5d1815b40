"""Build passes. Each is a plain function ``(artifact, ctx) -> artifact``; the
registry below names them in the order a build runs them. What measures and
validates a build depends on the target's runtime (its `kind`, a key of
RUNTIME_PASSES): TFLite Micro's arena for microcontrollers, Vela for Ethos-U,
LiteRT's interpreter for phones, Linux boards and the Edge TPU."""

from edgec.errors import TargetError
from edgec.passes.aot import generate_aot, generate_early_exit_aot
from edgec.passes.budgets import check_budgets
from edgec.passes.early_exit import check_exits, early_exit
from edgec.passes.emit import emit_flatbuffer
from edgec.passes.loading import load_data, load_source
from edgec.passes.memory import measure_litert, measure_memory
from edgec.passes.op_check import check_ops
from edgec.passes.placement import place_ops
from edgec.passes.prune import prune
from edgec.passes.qat import qat
from edgec.passes.quantize import quantize
from edgec.passes.sparsity import sparsify
from edgec.passes.validation import validate, validate_litert
from edgec.pipeline import Pass
from edgec.targets.profile import Profile

#: The passes every build starts with.
FRONT: tuple[Pass, ...] = (
    Pass("load", load_source, "read the trained model"),
    Pass("data", load_data, "load calibration and validation data"),
    Pass("quantize", quantize, "post-training quantization with the TFLite converter"),
    Pass("check-ops", check_ops, "check every op against the target's runtime"),
)

#: The passes that place, measure and validate, by the runtime's kind (runtimes/*.toml `kind`).
RUNTIME_PASSES: dict[str, tuple[Pass, ...]] = {
    "tflm": (
        Pass("measure", measure_memory, "measure the tensor arena in TFLite Micro"),
        Pass("validate", validate, "compare the float model and the quantized flatbuffer"),
    ),
    "ethos-u": (
        Pass("compile", place_ops, "compile with Vela: NPU and CPU ops, SRAM, flash, cycles"),
        Pass("validate", validate, "compare the float model and the INT8 flatbuffer in TFLite Micro"),
    ),
    "litert": (
        Pass("place", place_ops, "place each op on the accelerator or the CPU"),
        Pass("measure", measure_litert, "measure the tensor arena in LiteRT"),
        Pass("validate", validate_litert, "compare the float model and the flatbuffer in LiteRT"),
    ),
}

#: The passes every build ends with.
BACK: tuple[Pass, ...] = (
    Pass("budgets", check_budgets, "check flash and RAM against the target's budgets"),
    Pass("emit", emit_flatbuffer, "write the flatbuffer and the files the runtime needs"),
)

#: The passes of `edgec build` for a TFLite Micro target (microcontrollers), in order.
STANDARD_BUILD: tuple[Pass, ...] = FRONT + RUNTIME_PASSES["tflm"] + BACK


#: Passes of `--runtime aot`, run right after check-ops (so an op without an in-house
#: kernel fails the build before the slow passes).
AOT_PASSES: tuple[Pass, ...] = (
    Pass("aot", generate_aot, "generate C with in-house kernels and a static memory plan; "
                              "compile it for the core: flash, static RAM, stack bound"),
)


def passes_for(profile: Profile, runtime: str = "tflm") -> tuple[Pass, ...]:
    """The passes of `edgec build` for a target, in order; `runtime="aot"` adds the C code
    generation right after check-ops (microcontroller targets only)."""
    middle = RUNTIME_PASSES.get(profile.runtime.kind)
    if middle is None:
        raise TargetError(f"runtime '{profile.runtime.name}' has kind '{profile.runtime.kind}', "
                          "which edgec cannot build for",
                          hint=f"known kinds: {', '.join(RUNTIME_PASSES)}")
    front = FRONT
    if runtime == "aot":
        if profile.runtime.kind != "tflm":
            raise TargetError(f"--runtime aot generates C for microcontrollers; {profile.id} runs "
                              f"{profile.runtime.name}",
                              hint="drop --runtime aot for this target, or pick a microcontroller")
        front = FRONT + AOT_PASSES
    return front + middle + BACK


#: Optimisation passes, by the option that asks for each, in the order they run (after the
#: data is loaded; see edgec.passes.plans.build_passes).
OPTIMIZATIONS: tuple[tuple[str, Pass], ...] = (
    ("prune", Pass("prune", prune, "remove filters, rebuild the smaller model, fine-tune")),
    ("sparsity", Pass("sparsity", sparsify, "M:N sparsity with tfmot, fine-tuned")),
    ("qat", Pass("qat", qat, "quantization-aware training with tfmot")),
)


#: With --early-exit: (pass, the pass it goes after).
EARLY_EXIT: tuple[tuple[Pass, str], ...] = (
    (Pass("check-exits", check_exits, "check the exit layers before the slow passes"), "load"),
    (Pass("early-exit", early_exit,
          "attach, train and calibrate exit heads; write the staged INT8 flatbuffers"), "budgets"),
)


#: With --early-exit and --runtime aot: C for the stages, after the early-exit pass.
EARLY_EXIT_AOT = Pass("early-exit-aot", generate_early_exit_aot,
                      "generate C for the stages and a driver that stops at the first "
                      "confident exit; compile it for the core")


def with_early_exit(passes, options) -> tuple[Pass, ...]:
    """`passes` with the early-exit passes when --early-exit is given (and the stages' C
    with --runtime aot)."""
    passes = list(passes)
    if getattr(options, "early_exit", None):
        for p, after in EARLY_EXIT:
            passes.insert([q.name for q in passes].index(after) + 1, p)
        if getattr(options, "runtime", "tflm") == "aot":
            passes.insert([q.name for q in passes].index("early-exit") + 1, EARLY_EXIT_AOT)
    return tuple(passes)


__all__ = ["AOT_PASSES", "EARLY_EXIT", "EARLY_EXIT_AOT", "OPTIMIZATIONS", "STANDARD_BUILD",
           "RUNTIME_PASSES", "passes_for", "with_early_exit"]
