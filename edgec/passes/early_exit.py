"""The early-exit passes: exit heads attached, trained, calibrated and exported as stages."""

from __future__ import annotations

import math

import numpy as np

from edgec.artifact import Artifact
from edgec.calibration import representative_samples
from edgec.early_exit.cuts import named_cuts, parse_exits
from edgec.early_exit.evidence import Evidence
from edgec.early_exit.exits import choose_exits
from edgec.early_exit.heads import plan_head
from edgec.early_exit.manifest import FORMAT, MANIFEST_NAME, write_manifest
from edgec.early_exit.runtime import StagedModel
from edgec.early_exit.split import Parts, StagedGraph
from edgec.early_exit.thresholds import OFF, Calibration, Costs, calibrate
from edgec.early_exit.training import fine_tune_jointly, train_heads, with_heads
from edgec.errors import AccuracyError, ModelError, TargetError, UnsupportedOpError
from edgec.models import from_tf_keras
from edgec.models.capabilities import require_keras
from edgec.passes.budgets import budget_of
from edgec.passes.loading import check_labels, load_for_model  # ctx.train once issue 3 lands
from edgec.passes.op_check import op_records
from edgec.passes.quantize import convert_int8
from edgec.pipeline import BuildContext
from edgec.tf_runtime import keras as load_keras
from edgec.tflite.costs import op_costs
from edgec.tflite.model import read_model
from edgec.tflm import MicroRunner

DEFAULT_MAX_DROP = 1.0  # points of top-1


def check_exits(artifact: Artifact, ctx: BuildContext) -> Artifact:
    """Right after loading, before the slow passes: the model must be a Keras classifier, and
    the exit layers named with --exits must exist and be clean cut points (ModelError)."""
    if ctx.profile.runtime.kind != "tflm":
        raise TargetError(f"early exits run stage by stage in TensorFlow Lite Micro; "
                          f"{ctx.profile.id} runs {ctx.profile.runtime.name}",
                          hint="build early exits for a microcontroller target (edgec targets list)")
    backbone = _keras_classifier(artifact)
    names = parse_exits(ctx.options.early_exit)
    if isinstance(names, list):
        named_cuts(backbone, names)
    return artifact.evolve("check-exits")


def early_exit(artifact: Artifact, ctx: BuildContext) -> Artifact:
    """Attach exit heads at the chosen cuts, train them on --train with the backbone frozen
    (then jointly, if asked), convert the model with its heads to INT8 once and cut it into
    stages, calibrate one threshold per exit on --validation with the stages running in
    TFLite Micro, and write the stages and OUT/manifest.json.

    Runs after `budgets`: the flash and RAM budgets become those of the staged model (all
    stages; the largest stage's arena plus the tensor carried between stages).
    """
    opts, validation = ctx.options, ctx.validation  # validation: required by check_early_exit
    samples = representative_samples(ctx.calibration, opts.calibration_samples, opts.seed)
    cuts, plans, graph = _with_heads_in_int8(artifact, ctx, samples)
    parts = graph.parts()

    everything = StagedModel(graph.stages(parts, list(range(len(cuts)))), [OFF] * len(cuts),
                             opts.exit_confidence)
    trace = everything.trace(validation.x, "exits on validation")
    original = MicroRunner(artifact.tflite, artifact.graph).run([validation.x], "original model")[0]
    evidence = Evidence.gather(trace, validation.y, original, opts.exit_confidence)
    chosen = _calibrated(evidence, parts, opts)

    enabled = [k for k, t in enumerate(chosen.thresholds) if t != OFF]
    stages = graph.stages(parts, enabled)
    _check_stage_ops(stages, ctx)
    stage_macs = [sum(c.macs for c in op_costs(read_model(s))) for s in stages]
    staged = StagedModel(stages, [chosen.thresholds[k] for k in enabled], opts.exit_confidence,
                         stage_macs)
    result = staged.run(validation.x, label="early-exit runtime")
    evidence.check_runtime(result, chosen.thresholds, enabled)

    names = [f"stage_{k}.tflite" for k in range(len(stages))]
    arenas = [r.arena_bytes() for r in staged.runners]
    carried = [r.outputs[1].nbytes for r in staged.runners[:-1]]
    layers = [cuts[k].layer for k in enabled]
    summary = {
        "exits": layers,
        "candidates": [{"layer": c.layer, "head": p.describe(), "head_macs": int(m),
                        "threshold": None if t == OFF else t,
                        "accuracy": _percent(evidence.correct[:, k])}
                       for k, (c, p, m, t) in enumerate(zip(cuts, plans, parts.head_macs,
                                                            chosen.thresholds))],
        "confidence": opts.exit_confidence,
        "thresholds": staged.thresholds,
        "exit_rates": result.exit_rates(len(stages)),
        "full_macs": sum(c.macs for c in op_costs(artifact.graph)),
        "expected_macs": float(result.macs.mean()),
        "accuracy_original": _percent(evidence.original_right),
        "accuracy_staged": _percent(result.predictions == evidence.labels),
        "max_accuracy_drop": _max_drop(opts),
        "head_epochs": opts.head_epochs,
        "joint_epochs": opts.joint_epochs,
        "validation": {"data": validation.source, "samples": len(validation),
                       "labelled": validation.y is not None},
        "runtime_checked_samples": len(validation),
        "exits_off_matches_original": None if opts.joint_epochs else bool(
            np.array_equal(trace.final, original)),
        "stages": [{"file": name, "threshold": t, "macs": m, "cumulative_macs": int(c),
                    "exit_layer": layer, "bytes": len(data), "arena_bytes": arena,
                    "carried_bytes": carry}
                   for name, t, m, c, layer, data, arena, carry in zip(
                       names, [*staged.thresholds, None], stage_macs, np.cumsum(stage_macs),
                       [*layers, None], stages, arenas, [*carried, 0])],
    }
    summary["expected_macs_share"] = summary["expected_macs"] / summary["full_macs"]
    _warn(ctx, summary)
    for name, data in zip(names, stages):
        (ctx.stage / name).write_bytes(data)
    write_manifest(ctx.stage, {
        "format": FORMAT, "model": str(opts.model), "target": ctx.profile.id,
        "input_shape": list(artifact.float_model.input_shape),
        "image_scale": ctx.report.calibration.get("image_scale", "unit"),
        "runtime": "tflite-micro", **summary})
    ctx.report.outputs += names + [MANIFEST_NAME]
    ctx.report.early_exit = summary
    _budgets(ctx, stages, arenas, carried)
    return artifact.evolve("early-exit")


def _with_heads_in_int8(artifact: Artifact, ctx: BuildContext, samples: np.ndarray):
    """Exits chosen, heads sized and trained, and the model with its heads (outputs: every
    exit's logits, then the model's output) converted to INT8 on the build's samples."""
    opts, profile, keras = ctx.options, ctx.profile, load_keras()
    backbone = _keras_classifier(artifact)
    train = load_for_model(opts.train, artifact.float_model,
                           ctx.report.calibration.get("image_scale", "unit"), "training")
    check_labels(train, artifact.float_model.output_shapes[0])
    cuts = choose_exits(backbone, opts.early_exit, samples)
    full_macs = sum(c.macs for c in op_costs(artifact.graph))
    flash = opts.flash_budget or profile.budget_flash_bytes
    flash_left = max(0, flash - len(artifact.tflite) - profile.runtime_code_bytes)
    classes = int(backbone.outputs[0].shape[-1])
    plans = [plan_head(c.shape, classes, full_macs, flash_left) for c in cuts]
    heads = train_heads(keras, backbone, cuts, plans, train, opts.head_epochs, opts.seed)
    if opts.joint_epochs:
        backbone = fine_tune_jointly(keras, backbone, heads, train, opts.joint_epochs, opts.seed)
    multi = from_tf_keras(with_heads(keras, backbone, heads), "keras2", opts.model)
    return cuts, plans, StagedGraph(convert_int8(multi, samples))


def _calibrated(evidence: Evidence, parts: Parts, opts) -> Calibration:
    """Thresholds with the fewest expected MACs within the allowed drop (AccuracyError when
    even every exit off is not within it, which only joint fine-tuning can cause)."""
    costs = Costs(backbone=tuple(int(m) for m in np.cumsum(parts.segment_macs)),
                  heads=parts.head_macs)
    drop = _max_drop(opts)
    right = int(evidence.original_right.sum())
    count = len(evidence.labels)
    required = right - math.floor(drop / 100.0 * count + 1e-9)
    chosen = calibrate(evidence.conf, evidence.correct, costs, required)
    if chosen.correct < required:
        raise AccuracyError(
            f"the staged model loses {100.0 * (right - chosen.correct) / count:.2f} points of "
            f"top-1 even with every exit off, more than --max-accuracy-drop {drop:g}",
            hint="joint fine-tuning moved the backbone too far: fewer --joint-epochs, or none")
    return chosen


def _max_drop(opts) -> float:
    return DEFAULT_MAX_DROP if opts.max_accuracy_drop is None else opts.max_accuracy_drop


def _percent(flags: np.ndarray) -> float:
    return 100.0 * float(np.mean(flags))


def _keras_classifier(artifact: Artifact):
    keras_model = require_keras(artifact, "training early-exit heads")
    outputs = artifact.float_model.output_shapes
    if len(outputs) != 1 or len(outputs[0]) != 1 or outputs[0][0] < 2:
        raise ModelError(f"early exits need a classifier with one output of class scores; this "
                         f"model's outputs have shapes {[list(s) for s in outputs]}",
                         hint="exits predict a class: use a model ending in Dense(classes)")
    return keras_model


def _check_stage_ops(stages: list[bytes], ctx: BuildContext) -> None:
    for k, stage in enumerate(stages):
        bad = [r for r in op_records(read_model(stage), ctx.profile) if not r.supported]
        if bad:
            raise UnsupportedOpError(
                f"stage {k}: op {bad[0].op} is not supported on {ctx.profile.id}: {bad[0].reason}",
                hint=f"see `edgec targets show {ctx.profile.id}`; name other exit layers")


def _warn(ctx: BuildContext, summary: dict) -> None:
    if summary["exits_off_matches_original"] is False:
        ctx.report.warn("the stages with every exit off do not reproduce the single INT8 model "
                        "exactly; please report this with the model")
    if not summary["validation"]["labelled"]:
        ctx.report.warn("validation data has no labels: exits were calibrated to agree with the "
                        "original INT8 model's predictions (accuracy_original is 100 by definition)")


def _budgets(ctx: BuildContext, stages: list[bytes], arenas: list[int], carried: list[int]) -> None:
    """Flash: every stage and the runtime's code. RAM: the largest stage's arena (one arena,
    reused stage after stage), the largest tensor carried between stages (it must outlive
    the arena of the stage that made it) and the runtime's overhead."""
    profile, opts, report = ctx.profile, ctx.options, ctx.report
    flash = budget_of("flash", opts.flash_budget or profile.budget_flash_bytes,
                      {"stages": sum(len(s) for s in stages),
                       "runtime_code": profile.runtime_code_bytes})
    ram = budget_of("ram", opts.ram_budget or profile.budget_ram_bytes,
                    {"arena": max(arenas), "carried_tensor": max(carried, default=0),
                     "runtime_overhead": profile.runtime_ram_bytes})
    report.flash_bytes, report.ram_bytes = flash.actual, ram.actual
    report.budgets = [flash, ram]
