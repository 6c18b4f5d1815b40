"""ONNX -> TensorFlow with onnx2tf, into a FloatModel the rest of the build takes as it is.

onnx2tf (pinned 1.28.8) runs in a child process: it calls sys.exit on errors, prints
heavily, overwrites its input file (onnxsim, sng4onnx) and reads its working folder.
It gets a private folder holding a copy of the model and:

- data for its internal checks: the user's calibration inputs, passed with -cind, and a
  file of seeded sample images placed where onnx2tf would otherwise *download* them from
  the internet (it does so for any 4-D input with 3 channels, even for a float
  conversion and even with -cind, and crashes without a network). Its proxy is pointed
  at a closed local port, so a download it still attempted would fail at once instead
  of leaving the machine;
- PATH starting with this environment's bin/, where the `onnxsim` command it runs lives
  (also when edgec runs as .venv/bin/edgec without an activated venv).

Its SavedModel is then loaded by the same SavedModel loader as any other; inputs of rank
3-5 come out channels-last (NCHW -> NHWC), recorded as the model's InputLayout.
"""

from __future__ import annotations

import dataclasses
import logging
import os
import re
import shutil
import subprocess
import sys
import sysconfig
import tempfile
from functools import lru_cache
from pathlib import Path

import numpy as np

from edgec.errors import ConversionError
from edgec.models.float_model import FloatModel
from edgec.models.layout import InputLayout
from edgec.onnx.source import OnnxSource

log = logging.getLogger("edgec")

#: The file onnx2tf 1.28 downloads into its working folder when it is missing.
_SAMPLE_IMAGES = "calibration_image_sample_data_20x128x128x3_float32.npy"
_CLOSED_PORT = "http://127.0.0.1:9"
_ANSI = re.compile(r"\x1b\[[0-9;]*m")


@lru_cache(maxsize=1)
def onnx2tf_version() -> str:
    from importlib.metadata import version

    return version("onnx2tf")


def layout_of(source: OnnxSource) -> InputLayout | None:
    """onnx2tf moves the channel axis of rank 3-5 inputs last (NCW/NCHW/NCDHW); others stay."""
    rank = len(source.input_shape)
    return InputLayout.channels_first(source.input_shape[1:]) if 3 <= rank <= 5 else None


def convert_onnx(source: OnnxSource, samples: np.ndarray) -> FloatModel:
    """Convert with onnx2tf and load the result. `samples` (calibration inputs, in the
    flatbuffer's layout, as onnx2tf wants them) feed its internal checks (-cind)."""
    import onnx

    from edgec.models.loader import load_model

    layout = layout_of(source)
    with tempfile.TemporaryDirectory(prefix="edgec-onnx2tf-") as tmp:
        work = Path(tmp)
        onnx.save(source.proto, str(work / "model.onnx"))
        np.save(work / "check_inputs.npy", samples.astype(np.float32))
        rng = np.random.default_rng(0)
        np.save(work / _SAMPLE_IMAGES, rng.uniform(0, 1, (20, 128, 128, 3)).astype(np.float32))
        _run_onnx2tf(work, source)
        model = load_model(work / "saved_model")
    expected = layout.flatbuffer_shape if layout else source.input_shape[1:]
    if tuple(model.input_shape) != tuple(expected):
        raise ConversionError(
            f"onnx2tf made an input of shape {list(model.input_shape)} from "
            f"{list(source.input_shape[1:])}; edgec expected {list(expected)}",
            hint="rerun with --debug for onnx2tf's log")
    return dataclasses.replace(model, format="onnx", path=str(source.path), params=source.params,
                               layout=layout)


def onnx2tf_env() -> dict[str, str]:
    """The environment onnx2tf runs in: this environment's bin/ first on PATH (for onnxsim),
    quiet TensorFlow, and every HTTP(S) proxy set to a closed local port."""
    env = dict(os.environ)
    env["PATH"] = os.pathsep.join([sysconfig.get_path("scripts"), env.get("PATH", "")])
    env.update(TF_CPP_MIN_LOG_LEVEL="3", TF_ENABLE_ONEDNN_OPTS="0",
               HTTP_PROXY=_CLOSED_PORT, HTTPS_PROXY=_CLOSED_PORT,
               http_proxy=_CLOSED_PORT, https_proxy=_CLOSED_PORT)
    for key in ("NO_PROXY", "no_proxy"):
        env.pop(key, None)
    return env


def _run_onnx2tf(work: Path, source: OnnxSource) -> None:
    command = [sys.executable, "-m", "onnx2tf", "-i", "model.onnx", "-o", "saved_model",
               "-cind", source.input_name, "check_inputs.npy", "-n"]
    env = onnx2tf_env()
    if shutil.which("onnxsim", path=env["PATH"]) is None:  # onnx2tf would only warn and go on
        raise ConversionError("the onnxsim command that onnx2tf runs is not installed",
                              hint="reinstall edgec's environment (make setup)")
    log.debug("running %s in %s", " ".join(command), work)
    process = subprocess.Popen(command, cwd=work, env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    try:
        output, _ = process.communicate()
    except BaseException:  # Ctrl-C / SIGTERM: do not leave the converter running
        process.kill()
        process.wait()
        raise
    text = _ANSI.sub("", output.decode("utf-8", errors="replace"))
    log.debug("onnx2tf log:\n%s", text)
    if process.returncode != 0 or not (work / "saved_model" / "saved_model.pb").exists():
        raise ConversionError(
            f"onnx2tf {onnx2tf_version()} could not convert {source.path.name}: {_reason(text)}",
            hint="an ONNX op onnx2tf cannot map to TensorFlow; simplify the model or export it "
                 "with another opset; rerun with --debug for onnx2tf's full log")


def _reason(text: str) -> str:
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    for marker in ("ERROR:", "Error:", "Exception:", "Error"):
        found = [ln for ln in lines if marker in ln and not ln.startswith("File ")]
        if found:
            return found[-1][:300]
    return lines[-1][:300] if lines else "no message"
