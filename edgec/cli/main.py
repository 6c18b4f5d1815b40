"""The `edgec` command: a thin Typer shell over the Python API.

This is the one place where errors become `error: ...` / `hint: ...` lines on stderr
and exit codes (see edgec.errors and README "Exit codes"). A traceback is printed
only with --debug (accepted anywhere on the command line) or EDGEC_DEBUG=1.
"""

from __future__ import annotations

import logging
import os
import signal
import sys
import traceback

import typer
import typer.core

from edgec import __version__
from edgec.cli import (analyze_cmd, bench_cmd, build_cmd, compare_cmd, early_exit_cmd,
                       optimize_cmd, targets_cmd)
from edgec.errors import EXIT_INTERRUPTED, EdgecError, InternalError

log = logging.getLogger("edgec")


def _print_error(error: EdgecError) -> None:
    typer.echo(f"error: {error.message}", err=True)
    if error.hint:
        typer.echo(f"hint: {error.hint}", err=True)


class EdgecGroup(typer.core.TyperGroup):
    """Runs a command and turns edgec's errors into messages and exit codes."""

    def invoke(self, ctx):
        debug = bool(ctx.params.get("debug")) or os.environ.get("EDGEC_DEBUG") == "1"
        try:
            return super().invoke(ctx)
        except EdgecError as error:
            if debug:
                traceback.print_exc()
            _print_error(error)
            raise typer.Exit(error.exit_code)
        except KeyboardInterrupt:
            typer.echo("error: interrupted; outputs left as they were", err=True)
            raise typer.Exit(EXIT_INTERRUPTED)
        except (typer.Exit, typer.Abort):
            raise
        except Exception as exc:  # a bug: say so plainly, with the way to a traceback
            if debug:
                traceback.print_exc()
            if type(exc).__module__.startswith("typer"):
                raise
            error = InternalError(f"internal error: {type(exc).__name__}: {exc}",
                                  hint="rerun with --debug for the traceback and report it")
            _print_error(error)
            raise typer.Exit(error.exit_code)


EXIT_CODES = ("Exit codes: 0 ok, 2 usage, 3 model, 4 data, 5 target, 6 unsupported op, "
              "7 conversion, 8 over budget, 9 accuracy drop, 10 output, 70 internal error, "
              "130 interrupted.")

app = typer.Typer(
    cls=EdgecGroup,
    name="edgec",
    epilog=EXIT_CODES,
    help="Compile trained neural networks for edge devices: INT8 flatbuffers and C source "
         "that fit the target's flash and RAM.\n\n"
         "Example: edgec build model.keras --target stm32 --calibration calib.npz -o build/",
    no_args_is_help=True,
    add_completion=True,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)
#: Commands in the order a user meets them: (name, function, help, epilog, one-line summary).
COMMANDS = (
    ("build", build_cmd.build, build_cmd.HELP, build_cmd.EPILOG,
     "Build a model for a target: quantize, check ops and budgets, measure, validate, emit."),
    ("analyze", analyze_cmd.analyze, analyze_cmd.HELP, analyze_cmd.EPILOG,
     "Per-layer MACs, parameters and bytes, and the target's verdict."),
    ("compare", compare_cmd.compare, compare_cmd.HELP, None,
     "Two builds side by side: size, arena, flash, RAM, accuracy, instructions."),
    ("prune", optimize_cmd.prune, optimize_cmd.PRUNE_HELP, optimize_cmd.PRUNE_EPILOG,
     "Remove filters (structured pruning) and fine-tune; writes a smaller .keras."),
    ("quantize", optimize_cmd.quantize, optimize_cmd.QUANTIZE_HELP, optimize_cmd.QUANTIZE_EPILOG,
     "Post-training quantization (int8, int16x8, int4) into a .tflite."),
    ("qat", optimize_cmd.qat, optimize_cmd.QAT_HELP, optimize_cmd.QAT_EPILOG,
     "Quantization-aware training, then conversion into a .tflite."),
    ("early-exit", early_exit_cmd.early_exit, early_exit_cmd.EARLY_EXIT_HELP,
     early_exit_cmd.EARLY_EXIT_EPILOG,
     "Attach, train and calibrate early exits; write staged INT8 flatbuffers."),
    ("run", early_exit_cmd.run, early_exit_cmd.RUN_HELP, early_exit_cmd.RUN_EPILOG,
     "Run inputs through an early-exit model stage by stage in TFLite Micro."),
    ("bench", bench_cmd.bench, bench_cmd.HELP, bench_cmd.EPILOG,
     "Build ahead of time, run on an emulated Cortex-M: instructions, memory, bit-exactness."),
)
for _name, _function, _help, _epilog, _summary in COMMANDS:
    app.command(name=_name, help=_help, epilog=_epilog, short_help=_summary)(_function)
app.add_typer(targets_cmd.app, name="targets", short_help="List target profiles and show what one runs.")


def _version(value: bool) -> None:
    if value:
        typer.echo(f"edgec {__version__}")
        raise typer.Exit(0)


@app.callback()
def root(
    debug: bool = typer.Option(False, "--debug", help="Print tracebacks and debug logs."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="Print only errors and results."),
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True,
                                 help="Print edgec's version and exit."),
) -> None:
    level = logging.DEBUG if debug else logging.WARNING if quiet else logging.INFO
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("  %(message)s"))
    log.handlers[:] = [handler]
    log.setLevel(level)
    log.propagate = False


def _terminate(signum, frame):
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> None:
    """Console entry point. Global flags (--debug, --quiet) may stand anywhere."""
    args = list(sys.argv[1:] if argv is None else argv)
    hoisted = [a for a in args if a in ("--debug", "--quiet", "-q")]
    args = hoisted + [a for a in args if a not in hoisted]
    signal.signal(signal.SIGTERM, _terminate)  # clean up staged outputs as on Ctrl-C
    try:
        code = typer.main.get_command(app).main(args=args, prog_name="edgec",
                                                standalone_mode=False)
    except KeyboardInterrupt:
        code = EXIT_INTERRUPTED
    except typer.Abort:
        typer.echo("error: interrupted", err=True)
        code = EXIT_INTERRUPTED
    except Exception as exc:  # usage errors from the parser
        show = getattr(exc, "show", None)
        if show is None:
            raise
        show()
        code = getattr(exc, "exit_code", 2)
    sys.exit(code or 0)


if __name__ == "__main__":
    main()
