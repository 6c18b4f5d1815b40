"""C source for a scheduled, planned model: edgec_model.c / edgec_model.h.

The generated code has no interpreter, no heap and reads no flatbuffer: weights and
kernel parameters are const data, activations live in one static buffer at the
offsets of the memory plan, and `<name>_invoke` calls the kernels in order.
"""

from __future__ import annotations

from importlib import resources

import numpy as np

from edgec.aot.lower import CArray, Kernel, c_struct
from edgec.aot.memory import MemoryPlan
from edgec.aot.schedule import Schedule
from edgec.emit.c_array import c_header, io_macros
from edgec.tflite.model import Subgraph, Tensor, constant_array

HEADER = "edgec_model.h"
SOURCE = "edgec_model.c"
#: Kernel sources by the C function that needs them; headers go with every build.
KERNEL_FILES = {
    "edgec_conv2d_s8": "edgec_conv.c", "edgec_depthwise_conv2d_s8": "edgec_depthwise_conv.c",
    "edgec_fully_connected_s8": "edgec_fully_connected.c", "edgec_avg_pool_s8": "edgec_pooling.c",
    "edgec_max_pool_s8": "edgec_pooling.c", "edgec_add_s8": "edgec_elementwise.c",
    "edgec_mul_s8": "edgec_elementwise.c", "edgec_softmax_s8": "edgec_softmax.c",
    "edgec_logistic_s8": "edgec_logistic.c", "edgec_mean_s8": "edgec_reduce.c",
    "edgec_pad_s8": "edgec_pad.c", "edgec_concatenation": "edgec_concatenation.c",
    "edgec_quantize_f32_s8": "edgec_quantize.c", "edgec_requantize_s8": "edgec_quantize.c",
    "edgec_dequantize_s8_f32": "edgec_quantize.c",
    "edgec_conv2d_s8_dsp": "edgec_conv_dsp.c",
    "edgec_depthwise_conv2d_s8_dsp": "edgec_depthwise_conv_dsp.c",
    "edgec_fully_connected_s8_dsp": "edgec_fully_connected_dsp.c",
    "edgec_conv2d_s8_mve": "edgec_conv_mve.c",
    "edgec_depthwise_conv2d_s8_mve": "edgec_depthwise_conv_mve.c",
    "edgec_fully_connected_s8_mve": "edgec_fully_connected_mve.c",
}
KERNEL_HEADERS = ("edgec_kernels.h", "edgec_fixedpoint.h")
#: The header the DSP and MVE variants (edgec/aot/simd.py) include, shipped when one is used.
DSP_HEADER = "edgec_dsp.h"
_CTYPES = {"int8": "int8_t", "uint8": "uint8_t", "int16": "int16_t", "int32": "int32_t",
           "int64": "int64_t", "float32": "float"}


def is_simd_file(name: str) -> bool:
    """A kernel source of the DSP or MVE variants (edgec/aot/simd.py): compiles for Arm
    cores with that extension only."""
    return name.endswith(("_dsp.c", "_mve.c"))


def kernel_source(name: str) -> bytes:
    return resources.files("edgec.aot").joinpath("kernels", name).read_bytes()


def kernel_files(kernels: list[Kernel]) -> list[str]:
    """The kernel sources a model needs, plus the shared headers."""
    needed = {file for k in kernels for fn, file in KERNEL_FILES.items() if k.call.find(fn + "(") >= 0}
    dsp = [DSP_HEADER] if any(is_simd_file(f) for f in needed) else []
    return sorted(needed) + list(KERNEL_HEADERS) + dsp


def _array(a: CArray, per_line: int = 20) -> str:
    values = [str(int(v)) for v in np.asarray(a.values).reshape(-1)]
    lines = [", ".join(values[i:i + per_line]) for i in range(0, len(values), per_line)]
    body = ",\n  ".join(lines) if lines else "0"
    return f"static const {a.ctype} {a.name}[{max(len(values), 1)}] EDGEC_MODEL_ALIGNED(4) = {{\n  {body}\n}};"


def _constant(t: Tensor) -> CArray:
    dtype = {"int8": np.int8, "int32": np.int32, "int16": np.int16, "uint8": np.uint8,
             "int64": np.int64}.get(t.type)
    if dtype is None:
        raise ValueError(f"constant {t.name} of type {t.type}")
    return CArray(f"constant{t.index}", _CTYPES[t.type], constant_array(t, dtype).reshape(-1))


class Source:
    """`shared`: the prefix of an activation and a scratch buffer defined elsewhere (at
    least as large as this model's) that the code uses instead of its own, so that models
    run one after another (early-exit stages) share them. `header`: the file to include."""

    def __init__(self, graph: Subgraph, schedule: Schedule, plan: MemoryPlan, name: str,
                 shared: str | None = None, header: str = HEADER):
        self.graph, self.schedule, self.plan, self.name = graph, schedule, plan, name
        self.shared, self.header = shared, header
        self.activations = f"{shared or name}_activations"
        self.scratch = f"{shared or name}_scratch"
        self.scratch_bytes = max((k.scratch_bytes for k in schedule.kernels), default=0)
        self.constants: dict[int, CArray] = {}

    def pointer(self, tensor: int) -> str:
        if tensor in self.schedule.buffer_of:
            offset = self.plan.offsets[self.schedule.buffer_of[tensor]]
            return f"{self.activations} + {offset}"
        t = self.graph.tensors[tensor]
        if tensor not in self.constants:
            self.constants[tensor] = _constant(t)
        return f"(const int8_t *){self.constants[tensor].name}"

    def kernel(self, k: Kernel) -> tuple[list[str], str]:
        decls = [_array(a) for a in k.arrays] + list(k.extra_decls)
        decls.append(f"static const {k.params_type} {k.name}_params = {c_struct(k.params)};")
        fill = {"params": f"&{k.name}_params", "out": self.pointer(k.output),
                "residual": "NULL", "shortcut": "NULL", "scratch": self.scratch}
        for slot, tensor in enumerate(k.inputs):
            fill[f"in{slot}"] = self.pointer(tensor)
        if k.residual is not None:
            decls.append(f"static const edgec_add_params {k.name}_add = {c_struct(k.residual['add'])};")
            decls.append(f"static const edgec_residual {k.name}_residual = "
                         f"{{&{k.name}_add, {k.residual['op_is_input1']}}};")
            fill["residual"] = f"&{k.name}_residual"
            fill["shortcut"] = self.pointer(k.residual["shortcut"])
        return decls, k.call.format(**fill)

    def render(self, banner: str) -> str:
        g, sched = self.graph, self.schedule
        body, decls = [], []
        for k in sched.kernels:
            d, call = self.kernel(k)
            shapes = " + ".join(str(list(g.tensors[t].shape)) for t in
                                [*k.inputs, *([k.residual["shortcut"]] if k.residual else [])])
            decls.append(f"/* op {k.index}: {k.label}, {shapes} -> {list(g.tensors[k.output].shape)} */")
            decls += d
            body.append(f'  EDGEC_PROFILE_OP({k.index}, "{k.label}");')
            body.append(f"  {call};")
        copy_in, copy_out = [], []
        at = 0
        for t in g.inputs:
            n = g.tensors[t].nbytes
            copy_in.append(f"  memcpy({self.pointer(t)}, input + {at}, {n});")
            at += n
        at = 0
        for t in g.outputs:
            n = g.tensors[t].nbytes
            copy_out.append(f"  memcpy(output + {at}, {self.pointer(t)}, {n});")
            at += n
        const_decls = [_array(a) for a in self.constants.values()]
        return "\n".join([
            f"/* {banner} */",
            "#include <stddef.h>",
            "#include <string.h>",
            "",
            f'#include "{self.header}"',
            '#include "edgec_kernels.h"',
            "",
            "/* Define EDGEC_PROFILE_OP(index, name) to mark op boundaries (e.g. for per-op",
            " * instruction counts): it runs before each op with the op's index in the",
            " * flatbuffer and its name, and once with (-1, \"end\") after the last. */",
            "#ifndef EDGEC_PROFILE_OP",
            "#define EDGEC_PROFILE_OP(index, name) ((void)0)",
            "#endif",
            "",
            "#if defined(__GNUC__) || defined(__clang__)",
            "#define EDGEC_MODEL_ALIGNED(n) __attribute__((aligned(n)))",
            "#else",
            "#define EDGEC_MODEL_ALIGNED(n)",
            "#endif",
            "",
            *const_decls,
            *decls,
            "",
            *self._buffers(),
            "",
            f"int {self.name}_invoke(const int8_t *input, int8_t *output) {{",
            "  if (input == NULL || output == NULL) {",
            "    return -1;",
            "  }",
            *copy_in,
            *body,
            '  EDGEC_PROFILE_OP(-1, "end");',
            *copy_out,
            "  return 0;",
            "}",
            "",
        ])

    def _buffers(self) -> list[str]:
        if self.shared:
            return [f"/* All activations: {self.plan.activation_bytes} bytes at the start of the "
                    "shared buffer, offsets from edgec's memory plan. */",
                    f"extern int8_t {self.activations}[];",
                    *([f"extern int32_t {self.scratch}[]; /* {self.scratch_bytes} bytes used */"]
                      if self.scratch_bytes else [])]
        return [
            f"/* All activations: {self.plan.activation_bytes} bytes, offsets from edgec's memory plan. */",
            f"static int8_t {self.activations}[{max(self.plan.activation_bytes, 1)}] EDGEC_MODEL_ALIGNED(16);",
            *([f"/* Kernel scratch (widened windows, padding rows): {self.scratch_bytes} bytes. */",
               f"static int32_t {self.scratch}[{self.scratch_bytes // 4}] EDGEC_MODEL_ALIGNED(8);"]
              if self.scratch_bytes else [])]


def header(graph: Subgraph, plan: MemoryPlan, name: str, banner: str) -> str:
    upper = name.upper()
    guard = f"{upper}_AOT_H_"
    ins = [graph.tensors[i] for i in graph.inputs]
    outs = [graph.tensors[i] for i in graph.outputs]
    macros = [f"#define {upper}_ACTIVATION_BYTES {plan.activation_bytes}u",
              f"#define {upper}_NUM_INPUTS {len(ins)}",
              f"#define {upper}_NUM_OUTPUTS {len(outs)}",
              f"#define {upper}_INPUT_BYTES {sum(t.nbytes for t in ins)}u",
              f"#define {upper}_OUTPUT_BYTES {sum(t.nbytes for t in outs)}u"]
    macros += io_macros(upper, ins, outs)
    return c_header(banner, guard, [
        *macros,
        "",
        "/* Runs the model once. `input` holds every input tensor's bytes in graph order,",
        f" * concatenated ({upper}_INPUT_BYTES in all); `output` receives every output's",
        f" * bytes the same way ({upper}_OUTPUT_BYTES). Returns 0 on success, -1 for a NULL",
        " * pointer. Not reentrant: the activations live in one static buffer. */",
        f"int {name}_invoke(const int8_t *input, int8_t *output);",
    ])
