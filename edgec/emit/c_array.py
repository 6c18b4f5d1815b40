"""The flatbuffer as a C array: model_data.c / model_data.h, ready for a firmware build.

The array is aligned to 16 bytes (TFLite Micro reads the flatbuffer in place and needs
its buffers aligned) and declared const so the linker puts it in flash. The header also
carries what firmware code needs to set the model up: the arena size measured by edgec
and the quantization of the input and output tensors.
"""

from __future__ import annotations

import re

from edgec.tflite.model import Tensor

ALIGNMENT = 16
_IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def valid_c_name(name: str) -> bool:
    return bool(_IDENT.match(name))


def _bytes_block(data: bytes, per_line: int = 12) -> str:
    lines = []
    for start in range(0, len(data), per_line):
        chunk = data[start:start + per_line]
        lines.append("  " + ", ".join(f"0x{b:02x}" for b in chunk) + ",")
    return "\n".join(lines)


def _float_literal(value: float) -> str:
    return f"{float(value)!r}f"  # repr round-trips; a float32 value reads back exactly


def _tensor_macros(prefix: str, t: Tensor) -> list[str]:
    out = [f"#define {prefix}_BYTES {t.nbytes}u",
           f"#define {prefix}_DIMS {len(t.shape)}",
           f"#define {prefix}_SHAPE {{{', '.join(str(d) for d in t.shape)}}}"]
    if t.quantization is not None:
        out.append(f"#define {prefix}_SCALE {_float_literal(t.quantization.scale[0])}")
        out.append(f"#define {prefix}_ZERO_POINT ({int(t.quantization.zero_point[0])})")
    return out


def c_header(banner: str, guard: str, body: list[str]) -> str:
    """A C header: the banner, an include guard, <stdint.h>, and `body` inside extern "C"
    for C++ (every header edgec writes has this frame)."""
    return "\n".join([f"/* {banner} */", f"#ifndef {guard}", f"#define {guard}", "",
                      "#include <stdint.h>", "", "#ifdef __cplusplus", 'extern "C" {', "#endif",
                      "", *body, "", "#ifdef __cplusplus", "}", "#endif", "",
                      f"#endif /* {guard} */", ""])


def io_macros(upper: str, inputs: list[Tensor], outputs: list[Tensor]) -> list[str]:
    """A comment and the macros of each input and output (<UPPER>_INPUT0_BYTES, ...): the
    flatbuffer's header and the AOT header describe their tensors the same way."""
    lines = []
    for kind, tensors in (("input", inputs), ("output", outputs)):
        for i, t in enumerate(tensors):
            lines.append(f"/* {kind} {i}: {t.type} {list(t.shape)} ('{t.name}') */")
            lines += _tensor_macros(f"{upper}_{kind.upper()}{i}", t)
    return lines


def render(tflite: bytes, name: str, header_name: str, banner: str, arena_bytes: int | None,
           inputs: list[Tensor], outputs: list[Tensor]) -> tuple[str, str]:
    """(model_data.c, model_data.h) for a flatbuffer; `name` prefixes every symbol."""
    upper = name.upper()
    guard = f"{upper}_DATA_H_"
    macros = [f"#define {upper}_DATA_ALIGNMENT {ALIGNMENT}"]
    if arena_bytes is not None:
        macros.append("/* Tensor arena measured in TFLite Micro (x86-64 build; 32-bit targets "
                      "need slightly less). */")
        macros.append(f"#define {upper}_ARENA_BYTES {arena_bytes}u")
    macros += io_macros(upper, inputs, outputs)
    header = c_header(banner, guard, [
        *macros, "",
        f"/* The .tflite flatbuffer: pass it to tflite::GetModel({name}_data). */",
        f"extern const uint8_t {name}_data[];",
        f"extern const uint32_t {name}_data_len;"])
    source = f"""/* {banner} */
#include "{header_name}"

#if defined(__GNUC__) || defined(__clang__) || defined(__ARMCC_VERSION)
#define {upper}_ALIGNED __attribute__((aligned({ALIGNMENT})))
#elif defined(_MSC_VER)
#define {upper}_ALIGNED __declspec(align({ALIGNMENT}))
#else
#define {upper}_ALIGNED /* align to {ALIGNMENT} bytes with your compiler's attribute */
#endif

#if defined(__ICCARM__)
#pragma data_alignment = {ALIGNMENT}
#endif
const uint8_t {name}_data[{len(tflite)}] {upper}_ALIGNED = {{
{_bytes_block(tflite)}
}};

const uint32_t {name}_data_len = {len(tflite)}u;
"""
    return source, header
