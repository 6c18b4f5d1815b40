"""Flash and RAM of generated C, measured by compiling it for the target's core.

The model and its kernels are compiled with Debian's arm-none-eabi-gcc and the core's
flags (cores.toml `cflags`, -O2 as the emulator harness builds them), then linked with
the C library routines they call (newlib-nano's memcpy, memset), `<name>_invoke` as the
only root and unused sections dropped. From the linked ELF:

- flash = .text (model code, kernels, library routines) + .rodata (weights, biases,
  requantization tables, kernel parameters) + the initial values of .data;
- static RAM = .data + .bss (the activation buffer and the kernel scratch buffer);
- stack: a bound from GCC's own per-function stack usage (-fcallgraph-info=su): the
  deepest call chain from `<name>_invoke`, plus LIBRARY_STACK bytes for the C library
  routines at its leaves, whose frames GCC does not see. No recursion and no
  variable-sized frames in edgec's C, so the bound is static.

Cores arm-none-eabi-gcc does not build for (cores.toml without `cflags`), or a machine
without it: `estimate()` states what it assumes instead.
"""

from __future__ import annotations

import re
import shutil
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path

from edgec.device.elf import Elf
from edgec.device.toolchain import run, tail, tool
from edgec.errors import InternalError

#: Stack allowed for the C library routines at the leaves of the call graph (newlib-nano's
#: memcpy and memset for Armv6-M/v7-M/v8-M push at most four registers: 16 bytes).
LIBRARY_STACK = 64
OPTIMIZATION = "-O2"
_NODE = re.compile(r'node: \{ title: "([^"]+)" label: "[^"]*?\\n[^"]*?\\n(\d+) bytes \(([^)]*)\)')
_EDGE = re.compile(r'edge: \{ sourcename: "([^"]+)" targetname: "([^"]+)"')


@dataclass(frozen=True)
class Footprint:
    code_bytes: int  # .text
    constant_bytes: int  # .rodata
    data_bytes: int  # .data (its initial values are in flash, the variables in RAM)
    bss_bytes: int  # .bss: activations, kernel scratch
    stack_bytes: int  # the bound (measured) or the stated figure (estimated)
    method: str  # how the figures were obtained

    @property
    def flash_bytes(self) -> int:
        return self.code_bytes + self.constant_bytes + self.data_bytes

    @property
    def static_ram_bytes(self) -> int:
        return self.data_bytes + self.bss_bytes

    @property
    def ram_bytes(self) -> int:
        return self.static_ram_bytes + self.stack_bytes

    def to_dict(self) -> dict:
        return {**asdict(self), "flash_bytes": self.flash_bytes,
                "static_ram_bytes": self.static_ram_bytes, "ram_bytes": self.ram_bytes}


def measure(files: dict[str, bytes], cflags: tuple[str, ...], name: str = "edgec_model",
            timeout: float = 600.0) -> Footprint:
    """Compile and link the generated files (OUT's name -> contents) for a core."""
    gcc = tool("arm-none-eabi-gcc")
    with tempfile.TemporaryDirectory(prefix="edgec-size-") as tmp:
        folder = Path(tmp)
        for file, data in files.items():
            (folder / file).write_bytes(data)
        sources = sorted(f for f in files if f.endswith(".c"))
        objects = []
        for source in sources:
            obj = folder / (Path(source).stem + ".o")
            done = run([gcc, *cflags, OPTIMIZATION, "-std=c99", "-ffunction-sections",
                        "-fdata-sections", "-fcallgraph-info=su", f"-I{folder}", "-c",
                        folder / source, "-o", obj], cwd=folder, timeout=timeout,
                       what="arm-none-eabi-gcc")
            if done.returncode != 0:
                raise InternalError(f"the generated C did not compile for {' '.join(cflags)}:\n"
                                    f"{tail(done.stderr)}",
                                    hint="rerun with --debug and report it with the model")
            objects.append(obj)
        elf = folder / "model.elf"
        done = run([gcc, *cflags, *objects, "-nostartfiles", "-Wl,--gc-sections",
                    f"-Wl,-e,{name}_invoke", "--specs=nano.specs", "--specs=nosys.specs",
                    "-o", elf], cwd=folder, timeout=timeout, what="arm-none-eabi-gcc (link)")
        if done.returncode != 0:
            raise InternalError(f"the generated C did not link:\n{tail(done.stderr)}",
                                hint="rerun with --debug and report it with the model")
        sizes = {s.name: s.size for s in Elf(elf).sections if s.allocated}
        stack = stack_bound([p.read_text() for p in sorted(folder.glob("*.ci"))],
                            f"{name}_invoke")
    return Footprint(code_bytes=sizes.get(".text", 0), constant_bytes=sizes.get(".rodata", 0),
                     data_bytes=sizes.get(".data", 0), bss_bytes=sizes.get(".bss", 0),
                     stack_bytes=stack,
                     method=f"arm-none-eabi-gcc {' '.join(cflags)} {OPTIMIZATION}, linked; stack: "
                            f"deepest call chain (-fcallgraph-info=su) + {LIBRARY_STACK} B for "
                            "C library leaves")


def stack_bound(graphs: list[str], root: str) -> int:
    """The deepest stack from `root` over GCC's call graphs (.ci files, VCG text): each
    function's frame plus the deepest of its callees; functions GCC did not compile (C
    library routines) count LIBRARY_STACK."""
    frames: dict[str, int] = {}
    calls: dict[str, set[str]] = {}
    for text in graphs:
        for title, size, qualifier in _NODE.findall(text):
            if qualifier != "static":
                raise InternalError(f"{title} has a {qualifier} stack frame",
                                    hint="edgec's C should have fixed frames; report it")
            frames[title] = max(frames.get(title, 0), int(size))
        for source, target in _EDGE.findall(text):
            calls.setdefault(source, set()).add(target)
    if root not in frames:
        raise InternalError(f"no stack usage was reported for {root}")
    depth: dict[str, int] = {}

    def deepest(function: str, path: tuple[str, ...]) -> int:
        if function in path:
            raise InternalError(f"recursion through {function}: no static stack bound")
        if function not in depth:
            below = [deepest(f, path + (function,)) for f in calls.get(function, ())]
            own = frames.get(function, LIBRARY_STACK)
            depth[function] = own + max(below, default=0)
        return depth[function]

    return deepest(root, ())


def estimate(constant_bytes: int, activation_bytes: int, scratch_bytes: int, code_bytes: int,
             stack_bytes: int, why: str) -> Footprint:
    """Figures without a compiler: the constants and buffers as generated, the code and the
    stack as the stated allowances (the profile's runtime code and RAM overhead)."""
    return Footprint(code_bytes=code_bytes, constant_bytes=constant_bytes, data_bytes=0,
                     bss_bytes=activation_bytes + scratch_bytes, stack_bytes=stack_bytes,
                     method=f"estimate ({why}): code and stack are the profile's runtime "
                            "code_bytes and ram_overhead_bytes")


def compiler_available() -> bool:
    return shutil.which("arm-none-eabi-gcc") is not None
