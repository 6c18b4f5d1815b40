"""Reading edgetpu_compiler's log. The compiler is not installable here (x86-64 apt package
from Coral's repository, in no registry edgec can pin), so this checks the parser on a log in
the compiler's documented format; the builds on this machine take the "not on PATH" path."""

from __future__ import annotations

from edgec.compilers.edgetpu import parse_log

LOG = """Edge TPU Compiler version 16.0.384591198
Started a compilation timeout timer of 180 seconds.

Model compiled successfully in 205 ms.

Input model: model.tflite
Input size: 33.12KiB
Output model: model_edgetpu.tflite
Output size: 64.30KiB
On-chip memory used for caching model parameters: 31.25KiB
On-chip memory remaining for caching model parameters: 7.84MiB
Off-chip memory used for streaming uncached model parameters: 0.00B
Number of Edge TPU subgraphs: 1
Total number of operations: 7
Operation log: model_edgetpu.log

Operator                       Count      Status

CONV_2D                        1          Mapped to Edge TPU
GELU                           1          Operation not supported
CONV_2D                        1          More than one subgraph is not supported
MAX_POOL_2D                    1          More than one subgraph is not supported
Compilation child process completed within timeout period.
Compilation succeeded!
"""


def test_parse_log_reads_the_version_and_the_operator_table():
    version, rows = parse_log(LOG)
    assert version == "16.0.384591198"
    assert rows == [
        {"operator": "CONV_2D", "count": 1, "status": "Mapped to Edge TPU"},
        {"operator": "GELU", "count": 1, "status": "Operation not supported"},
        {"operator": "CONV_2D", "count": 1, "status": "More than one subgraph is not supported"},
        {"operator": "MAX_POOL_2D", "count": 1, "status": "More than one subgraph is not supported"},
    ]


def test_parse_log_of_a_failed_run_has_no_rows():
    assert parse_log("Edge TPU Compiler version 16.0.384591198\nERROR: Model not quantized\n") == \
        ("16.0.384591198", [])
