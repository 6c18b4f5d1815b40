"""Checking the early-exit options of a build before any slow work starts."""

from __future__ import annotations

from edgec.early_exit.cuts import parse_exits
from edgec.early_exit.thresholds import CONFIDENCES
from edgec.errors import DataError, ModelError, TargetError


def check_early_exit(opts) -> None:
    """Refuse early-exit requests that cannot work (edgec.builder.BuildOptions)."""
    if not opts.early_exit:
        return
    try:
        parse_exits(opts.early_exit)
    except ValueError as exc:
        raise ModelError(f"--exits {exc}", hint="use auto, auto:N or LAYER,LAYER,...")
    if opts.quant != "int8":
        raise TargetError(f"early-exit stages are INT8; --quant {opts.quant} is not supported "
                          "with them", hint="leave --quant at int8")
    if opts.train is None:
        raise DataError("early exits need --train data to train their heads on",
                        hint="give labelled training samples: --train DATA (.npz with x and y, "
                             "or a folder of class subfolders)")
    if opts.validation is None:
        raise DataError("early exits need --validation data to calibrate their thresholds on",
                        hint="give held-out labelled samples: --validation DATA")
    if opts.exit_confidence not in CONFIDENCES:
        raise DataError(f"unknown exit confidence '{opts.exit_confidence}'",
                        hint=f"use one of: {', '.join(CONFIDENCES)}")
    if opts.head_epochs < 1 or opts.joint_epochs < 0:
        raise DataError("--head-epochs must be at least 1 and --joint-epochs at least 0",
                        hint="e.g. --head-epochs 30 --joint-epochs 0")
    if opts.max_accuracy_drop is not None and opts.max_accuracy_drop < 0:
        raise DataError("--max-accuracy-drop must be 0 or more points",
                        hint="e.g. --max-accuracy-drop 1.0")
