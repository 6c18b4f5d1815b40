"""Print the builtin ops LiteRT's interpreter has kernels for (the `ops` of
edgec/targets/runtimes/litert.toml), by asking the pinned ai-edge-litert itself.

For every BuiltinOperator of the schema it builds a one-op flatbuffer and creates an
interpreter with the builtin op resolver: an op without a kernel fails with "Didn't
find op for builtin opcode"; any other outcome means a kernel exists (the one-op
model is not meant to run).

    .venv/bin/python scripts/list_litert_ops.py
"""

from __future__ import annotations

import flatbuffers
from ai_edge_litert import schema_py_generated as schema
from ai_edge_litert.interpreter import Interpreter, OpResolverType

_NOT_OPS = {"CUSTOM", "DELEGATE", "PLACEHOLDER_FOR_GREATER_OP_CODES"}


def one_op_model(code: int, version: int) -> bytes:
    model = schema.ModelT()
    model.version = 3
    opcode = schema.OperatorCodeT()
    opcode.builtinCode, opcode.deprecatedBuiltinCode, opcode.version = code, min(code, 127), version
    model.operatorCodes = [opcode]
    tensors = []
    for name in (b"in", b"out"):
        t = schema.TensorT()
        t.shape, t.type, t.buffer, t.name = [1], schema.TensorType.FLOAT32, 0, name
        tensors.append(t)
    op = schema.OperatorT()
    op.opcodeIndex, op.inputs, op.outputs = 0, [0], [1]
    graph = schema.SubGraphT()
    graph.tensors, graph.operators, graph.inputs, graph.outputs = tensors, [op], [0], [1]
    model.subgraphs, model.buffers = [graph], [schema.BufferT()]
    builder = flatbuffers.Builder(1024)
    builder.Finish(model.Pack(builder), file_identifier=b"TFL3")
    return bytes(builder.Output())


def has_kernel(code: int) -> bool:
    for version in (1, 2, 3):
        try:
            Interpreter(model_content=one_op_model(code, version),
                        experimental_op_resolver_type=OpResolverType.BUILTIN_WITHOUT_DEFAULT_DELEGATES)
            return True
        except (RuntimeError, ValueError) as exc:
            if "find op" not in str(exc):
                return True
    return False


def main() -> None:
    ops = sorted(name for name, code in vars(schema.BuiltinOperator).items()
                 if not name.startswith("_") and name not in _NOT_OPS and has_kernel(code))
    print(f"{len(ops)} ops")
    for start in range(0, len(ops), 6):
        print("  " + " ".join(f'"{op}",' for op in ops[start:start + 6]))


if __name__ == "__main__":
    main()
