"""Passes that bring the inputs in: the trained model, and the data to calibrate and validate on."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np

from edgec.artifact import Artifact
from edgec.calibration import Dataset, load_dataset, synthetic_dataset
from edgec.calibration.loaders import IMAGE_SCALES
from edgec.errors import DataError
from edgec.models import FloatModel, load_model
from edgec.pipeline import BuildContext


def load_source(artifact: Artifact, ctx: BuildContext) -> Artifact:
    """Read the trained model (Keras 2/3 or SavedModel) into a FloatModel."""
    model = load_model(ctx.options.model, unsafe=ctx.options.unsafe_load,
                       input_shape=ctx.options.input_shape)
    ctx.reference = model
    record_model(ctx, model)
    return artifact.evolve("load", float_model=model)


def record_model(ctx: BuildContext, model: FloatModel) -> None:
    """report.model for a float source model, and its notes as warnings."""
    layout = model.layout
    inputs = []
    for name, shape in zip(model.input_names, model.input_shapes):
        entry = {"name": name, "shape": [1, *(layout.source_shape if layout else shape)]}
        if layout is not None:
            entry |= {"layout": layout.source, "flatbuffer_shape": [1, *shape],
                      "flatbuffer_layout": layout.flatbuffer}
        inputs.append(entry)
    ctx.report.model = {
        "path": str(ctx.options.model), "format": model.format, "params": model.params,
        "inputs": inputs, "outputs": [{"shape": [1, *s]} for s in model.output_shapes],
    }
    if layout is not None:
        ctx.report.model["layout"] = layout.describe()
    for note in model.notes:
        ctx.report.warn(note)


def implied_image_scale(model: FloatModel) -> str:
    """'raw' (0..255) when the model rescales its own input, else 'unit' (0..1)."""
    keras_model = model.keras
    if keras_model is not None:
        for layer in keras_model.layers[:3]:
            if type(layer).__name__ == "Rescaling":
                return "raw"
    return "unit"


def load_data(artifact: Artifact, ctx: BuildContext) -> Artifact:
    """Load calibration data (or make synthetic data when asked), validation data, and the
    training data fine-tuning passes need (--train)."""
    opts = ctx.options
    model = artifact.float_model or ctx.reference  # an ONNX model is converted after `data`
    scale = opts.image_scale if opts.image_scale != "auto" else implied_image_scale(model)
    if scale not in IMAGE_SCALES:
        raise DataError(f"unknown image scale '{scale}'",
                        hint=f"use auto or one of {', '.join(IMAGE_SCALES)}")
    if opts.calibration is not None:
        ctx.calibration = load_for_model(opts.calibration, model, scale, "calibration")
    elif opts.synthetic_calibration:
        low, high = IMAGE_SCALES[scale]
        ctx.calibration = synthetic_dataset(model.input_shape, opts.calibration_samples, opts.seed,
                                            low, high)
        ctx.report.accuracy_known = False
        ctx.report.warn("calibrated on synthetic data: the quantized model's accuracy is unknown "
                        "and may be poor; give --calibration DATA from the real input distribution")
    elif opts.quant is not None:
        raise DataError("INT8 quantization needs calibration data",
                        hint="pass --calibration DATA (.npz/.npy or a folder of images), or "
                             "--synthetic-calibration to accept unknown accuracy")
    if opts.validation is not None:
        ctx.validation = load_for_model(opts.validation, model, scale, "validation")
    if opts.train is not None:
        ctx.train = load_for_model(opts.train, model, scale, "training")
    for data in (ctx.calibration, ctx.validation, ctx.train):
        if data is not None:
            check_labels(data, model.output_shapes[0])
    if ctx.calibration is not None:
        ctx.report.calibration = {
            **ctx.calibration.describe(), "used": min(len(ctx.calibration), opts.calibration_samples),
            "seed": opts.seed, "image_scale": scale,
        }
        if model.layout is not None:
            ctx.report.calibration["layout"] = model.layout.source  # as given; transposed by edgec
    return artifact.evolve("data")


def load_for_model(path: Path, model: FloatModel, scale: str, role: str) -> Dataset:
    """Data in the layout of the model the user gave, returned in the layout the flatbuffer
    takes (see FloatModel.layout). Image folders are read as images are stored (channels
    last), which is already the flatbuffer's layout."""
    layout = model.layout
    if layout is None or Path(path).is_dir():
        return load_dataset(path, model.input_shape, scale, role)
    data = load_dataset(path, layout.source_shape, scale, role)
    return dataclasses.replace(data, x=layout.to_flatbuffer(data.x))


def check_labels(data: Dataset, out: tuple[int, ...]) -> None:
    """Labels must be class indices of the model's first output (shape `out`, no batch)."""
    if data.y is None:
        return
    classes = out[-1] if out else 1
    classes = 2 if classes == 1 else classes  # one sigmoid unit: labels 0 / 1
    top = int(np.max(data.y))
    if len(out) != 1 or top >= classes:
        raise DataError(
            f"labels of {data.source} go up to {top}, but the model's first output has shape "
            f"{list(out)} ({classes} classes)",
            hint="labels must be class indices of the model's output (0..classes-1)")
