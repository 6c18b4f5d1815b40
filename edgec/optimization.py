"""The quantization and optimisation options of a build, checked before any work is done.

--quant must name a scheme edgec can make (whether the target runs it is checked against
the profile, by edgec.builder.check_options). --prune RATIO, --sparsity M:N and --qat
fine-tune a Keras model, so they need --train DATA and a Keras input; --max-accuracy-drop
and --auto measure, so they need --validation DATA; QAT trains 8-bit activations, so it
prepares int8 or int4 models only. Values a command line cannot get wrong (the CLI checks
them) raise ValueError here, for callers of the Python API.
"""

from __future__ import annotations

from edgec.errors import DataError, ModelError, TargetError
from edgec.pruning.ranking import NORMS, SCOPES
from edgec.pruning.sparsity import parse_m_by_n
from edgec.quantization.qat import QAT_WEIGHT_BITS


def check_values(opts) -> None:
    """Ranges and combinations; ValueError (the CLI turns the same checks into usage errors)."""
    if opts.prune is not None and not 0 < opts.prune < 1:
        raise ValueError(f"prune ratio must be between 0 and 1 (exclusive), not {opts.prune}")
    if opts.prune_norm not in NORMS:
        raise ValueError(f"prune norm must be one of {', '.join(NORMS)}, not {opts.prune_norm!r}")
    if opts.prune_scope not in SCOPES:
        raise ValueError(f"prune scope must be one of {', '.join(SCOPES)}, not {opts.prune_scope!r}")
    if opts.sparsity is not None:
        parse_m_by_n(opts.sparsity)
        if opts.qat:
            raise ValueError("sparsity and QAT do not combine (QAT's fine-tuning refills the "
                             "zeros); choose one")
    if opts.max_accuracy_drop is not None and opts.max_accuracy_drop < 0:
        raise ValueError(f"max accuracy drop must not be negative, not {opts.max_accuracy_drop}")
    if opts.epochs < 1 or opts.batch_size < 1:
        raise ValueError("epochs and batch size must be at least 1")
    if opts.learning_rate is not None and opts.learning_rate <= 0:
        raise ValueError(f"learning rate must be positive, not {opts.learning_rate}")
    if opts.auto and (opts.prune is not None or opts.qat or opts.sparsity is not None):
        raise ValueError("--auto chooses pruning and QAT itself; drop --prune/--qat/--sparsity")


def check_optimization(opts, kind: str = "keras") -> None:
    """Everything about these options that can be known before loading anything; `kind` is
    the input's (edgec.passes.plans.input_kind)."""
    from edgec.passes.quantize import CONVERTERS

    check_values(opts)
    if opts.quant is not None and opts.quant not in CONVERTERS:
        raise TargetError(f"quantization scheme '{opts.quant}' is not available in this edgec",
                          hint=f"available: {', '.join(CONVERTERS)}")
    fine_tunes = [flag for flag, on in (("--prune", opts.prune is not None), ("--qat", opts.qat),
                                        ("--sparsity", opts.sparsity is not None)) if on]
    needs_keras = fine_tunes + (["--auto"] if opts.auto and kind == "tflite" else [])
    if kind != "keras" and needs_keras:
        what = "an already converted .tflite" if kind == "tflite" else f"an {kind.upper()} model"
        raise ModelError(f"{needs_keras[0]} needs a Keras model, but the input is {what}",
                         hint="give the trained Keras model (.keras/.h5), or build without it")
    if fine_tunes and opts.train is None:
        raise DataError(f"{fine_tunes[0]} fine-tunes the model and needs training data",
                        hint="pass --train DATA (.npz with x and y, or a folder of class "
                             "subfolders of images)")
    for flag, on in (("--max-accuracy-drop", opts.max_accuracy_drop is not None),
                     ("--auto", opts.auto)):
        if on and opts.validation is None:
            raise DataError(f"{flag} measures accuracy and needs held-out validation data",
                            hint="pass --validation DATA (samples not used for training)")
    if opts.qat and opts.quant is not None and opts.quant not in QAT_WEIGHT_BITS:
        raise TargetError(f"QAT prepares {' or '.join(QAT_WEIGHT_BITS)} models, not {opts.quant}",
                          hint=f"use --quant {' or --quant '.join(QAT_WEIGHT_BITS)} with --qat, "
                               f"or drop --qat for {opts.quant}")
