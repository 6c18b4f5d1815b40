"""Reference model architectures, built in code (for benchmarks, tests and users' comparisons)."""

from edgec.zoo.mlperf_tiny import MLPERF_TINY, build_mlperf_tiny, quantized_mlperf_tiny

__all__ = ["MLPERF_TINY", "build_mlperf_tiny", "quantized_mlperf_tiny"]
