"""edgec: compile trained neural networks for edge devices.

Python API (the CLI is a thin shell over it)::

    import edgec
    report = edgec.build("model.keras", target="stm32", calibration="calib.npz",
                         validation="val.npz", out="build/")
    print(report.arena_bytes, report.validation["top1_agreement"])

TensorFlow is imported only when a build needs it, so `import edgec` is cheap.
"""

__version__ = "0.1.0"

__all__ = ["__version__", "analyze", "bench", "build", "BuildOptions", "build_early_exit", "prune",
           "quantize", "qat", "run_early_exit"]


def __getattr__(name):
    if name in ("build", "BuildOptions"):
        from edgec import builder

        return getattr(builder, name)
    if name == "bench":
        from edgec.on_device import bench

        return bench
    if name == "analyze":
        from edgec.analysis import analyze

        return analyze
    if name in ("prune", "quantize", "qat"):
        from edgec import steps

        return getattr(steps, name)
    if name in ("build_early_exit", "run_early_exit"):
        from edgec import early_exit

        return getattr(early_exit, name)
    raise AttributeError(f"module 'edgec' has no attribute {name!r}")
