"""Compile generated C with the host's gcc into a shared library and call it via ctypes."""

from __future__ import annotations

import ctypes
import subprocess
from pathlib import Path

import numpy as np

CFLAGS = ["-std=c99", "-O1", "-Wall", "-Wextra", "-Werror", "-fPIC", "-shared"]


def compile_library(sources: list[Path], out: Path, include: Path, defines: tuple[str, ...] = ()) -> Path:
    cmd = ["gcc", *CFLAGS, *(f"-D{d}" for d in defines), f"-I{include}",
           *map(str, sources), "-o", str(out), "-lm"]
    result = subprocess.run(cmd, capture_output=True, text=True)
    if result.returncode != 0:
        raise AssertionError(f"gcc failed:\n{' '.join(cmd)}\n{result.stderr[-4000:]}")
    return out


def write_files(files: dict[str, bytes], folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, data in files.items():
        (folder / name).write_bytes(data)
    return folder


class NativeModel:
    """One generated model (a folder with edgec_model.c and its kernels) as a library."""

    def __init__(self, folder: Path, name: str = "edgec_model"):
        sources = sorted(folder.glob("*.c"))
        self.lib = ctypes.CDLL(str(compile_library(sources, folder / "model.so", folder)))
        self.fn = getattr(self.lib, f"{name}_invoke")
        self.fn.argtypes = [ctypes.c_char_p, ctypes.c_char_p]
        self.fn.restype = ctypes.c_int

    def run(self, inputs: list[np.ndarray], output_bytes: int) -> bytes:
        data = b"".join(np.ascontiguousarray(x).tobytes() for x in inputs)
        out = ctypes.create_string_buffer(output_bytes)
        assert self.fn(data, out) == 0
        return out.raw


def all_kernel_files(folder: Path) -> list[Path]:
    """Every portable kernel source and header of the package, copied into `folder` (the
    DSP and MVE variants compile for Arm cores only: tests/device runs them)."""
    from edgec.aot import codegen

    folder.mkdir(parents=True, exist_ok=True)
    names = sorted({f for f in codegen.KERNEL_FILES.values() if not codegen.is_simd_file(f)})
    names += list(codegen.KERNEL_HEADERS)
    for name in names:
        (folder / name).write_bytes(codegen.kernel_source(name))
    return [folder / n for n in names if n.endswith(".c")]


_KERNEL_OBJECTS: dict[str, list[Path]] = {}


def kernel_objects(folder: Path) -> tuple[Path, list[Path]]:
    """The kernels compiled once per test session (position-independent objects)."""
    key = "kernels"
    if key not in _KERNEL_OBJECTS:
        sources = all_kernel_files(folder)
        objects = []
        for source in sources:
            obj = source.with_suffix(".o")
            cmd = ["gcc", *[f for f in CFLAGS if f != "-shared"], "-c", f"-I{folder}", str(source),
                   "-o", str(obj)]
            result = subprocess.run(cmd, capture_output=True, text=True)
            if result.returncode != 0:
                raise AssertionError(f"gcc failed:\n{' '.join(cmd)}\n{result.stderr[-4000:]}")
            objects.append(obj)
        _KERNEL_OBJECTS[key] = [folder, *objects]
    folder, *objects = _KERNEL_OBJECTS[key]
    return folder, objects


class Batch:
    """Many generated models compiled into one library (one gcc run): model i is
    generated with C name m<i> into its own folder, the kernels once."""

    def __init__(self, models: list, folder: Path):
        from edgec.aot import generate

        include, kernels = kernel_objects(folder / "kernels")
        sources = []
        self.results = []
        for i, model in enumerate(models):
            result = generate(model, name=f"m{i}")
            self.results.append(result)
            sub = folder / f"m{i}"
            sub.mkdir(parents=True, exist_ok=True)
            for name in ("edgec_model.c", "edgec_model.h"):
                (sub / name).write_bytes(result.files[name])
            sources.append(sub / "edgec_model.c")
        self.lib = ctypes.CDLL(str(compile_library(sources + kernels, folder / "batch.so", include)))

    def run(self, i: int, inputs: list[np.ndarray], output_bytes: int) -> bytes:
        fn = getattr(self.lib, f"m{i}_invoke")
        fn.argtypes = [ctypes.c_char_p, ctypes.c_char_p]
        fn.restype = ctypes.c_int
        data = b"".join(np.ascontiguousarray(x).tobytes() for x in inputs)
        out = ctypes.create_string_buffer(max(output_bytes, 1))
        assert fn(data, out) == 0
        return out.raw[:output_bytes]
