"""Emulator harnesses: run code for a target's core under QEMU and measure it.

- Cortex-M (qemu-system-arm, bare metal): `build_firmware` / `run_firmware` in
  edgec.device.cortex_m, and `bench_c_model` (edgec.device.bench), which also checks
  the outputs against TensorFlow Lite Micro and returns bench.json's figures.
- Cortex-A (qemu-aarch64, Linux user mode): `run_litert` in edgec.device.cortex_a runs
  a .tflite with LiteRT's C API, with or without XNNPACK.

Instruction counts come from a QEMU plugin (csrc/insn_count.c) and are identical run
to run. The boards and cores are data: boards.toml.
"""
