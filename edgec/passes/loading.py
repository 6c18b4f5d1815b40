"""Passes that bring the inputs in: the trained model, and the data to calibrate and validate on."""

from __future__ import annotations

import numpy as np

from edgec.artifact import Artifact
from edgec.calibration import Dataset, load_dataset, synthetic_dataset
from edgec.calibration.loaders import IMAGE_SCALES
from edgec.errors import DataError
from edgec.models import FloatModel, load_model
from edgec.pipeline import BuildContext


def load_source(artifact: Artifact, ctx: BuildContext) -> Artifact:
    """Read the trained model (Keras 2/3 or SavedModel) into a FloatModel."""
    model = load_model(ctx.options.model, unsafe=ctx.options.unsafe_load)
    ctx.reference = model
    ctx.report.model = {
        "path": str(ctx.options.model), "format": model.format, "params": model.params,
        "inputs": [{"name": n, "shape": [1, *s]} for n, s in zip(model.input_names, model.input_shapes)],
        "outputs": [{"shape": [1, *s]} for s in model.output_shapes],
    }
    for note in model.notes:
        ctx.report.warn(note)
    return artifact.evolve("load", float_model=model)


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
    opts, model = ctx.options, artifact.float_model
    scale = opts.image_scale if opts.image_scale != "auto" else implied_image_scale(model)
    if scale not in IMAGE_SCALES:
        raise DataError(f"unknown image scale '{scale}'",
                        hint=f"use auto or one of {', '.join(IMAGE_SCALES)}")
    if opts.calibration is not None:
        ctx.calibration = load_dataset(opts.calibration, model.input_shape, scale, "calibration")
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
        ctx.validation = load_dataset(opts.validation, model.input_shape, scale, "validation")
    if opts.train is not None:
        ctx.train = load_dataset(opts.train, model.input_shape, scale, "training")
    for data in (ctx.calibration, ctx.validation, ctx.train):
        if data is not None:
            _check_labels(data, model)
    if ctx.calibration is not None:
        ctx.report.calibration = {
            **ctx.calibration.describe(), "used": min(len(ctx.calibration), opts.calibration_samples),
            "seed": opts.seed, "image_scale": scale,
        }
    return artifact.evolve("data")


def _check_labels(data: Dataset, model: FloatModel) -> None:
    if data.y is None:
        return
    out = model.output_shapes[0]
    classes = out[-1] if out else 1
    classes = 2 if classes == 1 else classes  # one sigmoid unit: labels 0 / 1
    top = int(np.max(data.y))
    if len(out) != 1 or top >= classes:
        raise DataError(
            f"labels of {data.source} go up to {top}, but the model's first output has shape "
            f"{list(out)} ({classes} classes)",
            hint="labels must be class indices of the model's output (0..classes-1)")
