"""The one error tree of edgec.

Library code raises these and never prints or exits; the CLI turns them into
``error: ...`` / ``hint: ...`` on stderr and the exit code of the class. The exit
codes are a documented contract (README, "Exit codes"): scripts branch on them.
"""

from __future__ import annotations


class EdgecError(Exception):
    """Base of every error edgec reports to a user."""

    exit_code = 1
    kind = "error"

    def __init__(self, message: str, hint: str | None = None):
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return self.message


class ModelError(EdgecError):
    """The input model cannot be read or is not usable as given."""

    exit_code = 3
    kind = "model"


class DataError(EdgecError):
    """Input data cannot be used: calibration, validation or training sets, build reports."""

    exit_code = 4
    kind = "data"


class TargetError(EdgecError):
    """A target profile is unknown, malformed or contradictory."""

    exit_code = 5
    kind = "target"


class UnsupportedOpError(EdgecError):
    """The model has an op (or op/type combination) the target cannot run."""

    exit_code = 6
    kind = "unsupported-op"


class ConversionError(EdgecError):
    """A converter (TFLite, onnx2tf, ...) failed on the model."""

    exit_code = 7
    kind = "conversion"


class BudgetError(EdgecError):
    """The built model does not fit the target's flash or RAM budget.

    Artifacts and the report are still written so the user can inspect them.
    """

    exit_code = 8
    kind = "budget"


class AccuracyError(EdgecError):
    """A lossy pass dropped accuracy past the limit the user set."""

    exit_code = 9
    kind = "accuracy"


class OutputError(EdgecError):
    """The output folder cannot be written (permissions, a file in the way, locked)."""

    exit_code = 10
    kind = "output"


class InternalError(EdgecError):
    """A bug in edgec: something it did not expect. Please report it."""

    exit_code = 70
    kind = "internal"


#: Exit codes that are not an EdgecError subclass but are part of the contract.
EXIT_OK = 0
EXIT_USAGE = 2  # bad command line (Typer/Click's own code)
EXIT_INTERRUPTED = 130  # Ctrl-C / SIGTERM

ERROR_CLASSES: tuple[type[EdgecError], ...] = (
    ModelError,
    DataError,
    TargetError,
    UnsupportedOpError,
    ConversionError,
    BudgetError,
    AccuracyError,
    OutputError,
    InternalError,
)
