"""Loading user data: .npy / .npz arrays or a folder of images (Pillow).

Arrays: a .npy holds x; a .npz holds x and optionally y (class indices or one-hot).
Images: a folder of images (unlabelled) or of class subfolders (labelled; a folder
named by an integer gives that label, otherwise labels follow sorted names). Images
are converted to the model's channels, resized to its height and width, and scaled
by `scale` (see IMAGE_SCALES). Pickled arrays are never loaded.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import numpy as np

from edgec.calibration.dataset import Dataset
from edgec.errors import DataError

IMAGE_EXTENSIONS = {".png", ".jpg", ".jpeg", ".bmp", ".gif", ".pgm", ".ppm", ".tif", ".tiff", ".webp"}
#: name -> (low, high) of the range 0..255 pixels are mapped to.
IMAGE_SCALES = {"unit": (0.0, 1.0), "signed": (-1.0, 1.0), "raw": (0.0, 255.0)}


def load_dataset(path: str | Path, input_shape: tuple[int, ...], scale: str = "unit",
                 role: str = "calibration") -> Dataset:
    """Load data for a model whose input (without batch) has `input_shape`."""
    path = Path(path)
    if not path.exists():
        raise DataError(f"{role} data {path} does not exist",
                        hint="give a .npz/.npy file or a folder of images")
    if path.is_dir():
        x, y, classes = _load_images(path, input_shape, scale, role)
        return _checked(Dataset(x=x, y=y, source=str(path), classes=classes), input_shape, role)
    suffix = path.suffix.lower()
    if suffix == ".npz":
        x, y = _load_npz(path, role)
    elif suffix == ".npy":
        x, y = _load_npy(path, role), None
    else:
        raise DataError(f"{role} data {path.name}: unknown format '{suffix or 'no extension'}'",
                        hint="use a .npz (x, optional y), a .npy (x) or a folder of images")
    return _checked(Dataset(x=_shaped(x, input_shape, path, role), y=_labels(y, len(x), path, role),
                            source=str(path)), input_shape, role)


def _load_npz(path: Path, role: str) -> tuple[np.ndarray, np.ndarray | None]:
    try:
        with np.load(path, allow_pickle=False) as archive:
            keys = list(archive.keys())
            if "x" not in keys:
                raise DataError(f"{role} data {path.name} has no array named 'x' (it has: "
                                f"{', '.join(keys) or 'nothing'})",
                                hint="save it with np.savez(path, x=inputs, y=labels)")
            x = archive["x"]
            y = archive["y"] if "y" in keys else None
    except DataError:
        raise
    except (ValueError, OSError, zipfile.BadZipFile, EOFError) as exc:
        raise DataError(f"{role} data {path.name} cannot be read: {_reason(exc)}",
                        hint="the .npz is corrupt, or holds pickled objects (never loaded)")
    return x, y


def _load_npy(path: Path, role: str) -> np.ndarray:
    try:
        return np.load(path, allow_pickle=False)
    except (ValueError, OSError, EOFError) as exc:
        raise DataError(f"{role} data {path.name} cannot be read: {_reason(exc)}",
                        hint="the .npy is corrupt, or holds pickled objects (never loaded)")


def _reason(exc: Exception) -> str:
    return str(exc).splitlines()[0] if str(exc) else type(exc).__name__


def _shaped(x: np.ndarray, input_shape: tuple[int, ...], path: Path, role: str) -> np.ndarray:
    if x.dtype.kind not in "biuf":
        raise DataError(f"{role} data {path.name}: x has dtype {x.dtype}, not numbers",
                        hint="store inputs as a float or integer array")
    if x.ndim == len(input_shape) and input_shape[-1] == 1 and x.shape[1:] == input_shape[:-1]:
        x = x[..., None]  # (N, H, W) for a (H, W, 1) input
    if x.ndim != len(input_shape) + 1 or tuple(x.shape[1:]) != tuple(input_shape):
        raise DataError(
            f"{role} data {path.name}: x has shape {tuple(x.shape)}, but the model takes "
            f"(N, {', '.join(map(str, input_shape))})",
            hint="the first axis counts samples; the rest must match the model's input")
    return x.astype(np.float32)


def _labels(y: np.ndarray | None, count: int, path: Path, role: str) -> np.ndarray | None:
    if y is None:
        return None
    if y.dtype.kind not in "biuf":
        raise DataError(f"{role} data {path.name}: y has dtype {y.dtype}, not numbers",
                        hint="labels are class indices (N,) or one-hot (N, classes)")
    if y.ndim == 2 and y.shape[1] > 1:
        y = y.argmax(axis=1)
    y = y.reshape(-1) if y.ndim == 2 and y.shape[1] == 1 else y
    if y.ndim != 1 or len(y) != count:
        raise DataError(f"{role} data {path.name}: y has shape {tuple(y.shape)} for {count} inputs",
                        hint="give one label per sample: class indices (N,) or one-hot (N, classes)")
    if y.dtype.kind == "f":
        if not np.all(np.isfinite(y)) or np.any(y != np.round(y)):
            raise DataError(f"{role} data {path.name}: y holds values that are not class indices",
                            hint="labels are whole numbers 0..classes-1 (or one-hot rows)")
    if np.any(y < 0):
        raise DataError(f"{role} data {path.name}: y has negative class indices",
                        hint="labels are whole numbers 0..classes-1")
    return y.astype(np.int64)


def _checked(data: Dataset, input_shape: tuple[int, ...], role: str) -> Dataset:
    if len(data) == 0:
        raise DataError(f"{role} data {data.source} holds no samples",
                        hint="give at least one sample (a few hundred for calibration)")
    if not np.all(np.isfinite(data.x)):
        bad = int(np.count_nonzero(~np.isfinite(data.x).reshape(len(data), -1).all(axis=1)))
        raise DataError(f"{role} data {data.source}: {bad} sample(s) hold NaN or Inf",
                        hint="clean or drop those samples")
    return data


def _load_images(folder: Path, input_shape: tuple[int, ...], scale: str, role: str):
    if len(input_shape) != 3 or input_shape[-1] not in (1, 3):
        raise DataError(f"{role} data {folder} is a folder of images, but the model input "
                        f"{input_shape} is not an image (height, width, 1 or 3 channels)",
                        hint="give .npz/.npy arrays for this model")
    if scale not in IMAGE_SCALES:
        raise DataError(f"unknown image scale '{scale}'", hint=f"use one of {', '.join(IMAGE_SCALES)}")
    subdirs = sorted(p for p in folder.iterdir() if p.is_dir() and _images_in(p))
    if subdirs:
        names = [p.name for p in subdirs]
        numeric = all(n.isdigit() for n in names)
        labels = [int(n) for n in names] if numeric else list(range(len(names)))
        files = [(f, label) for d, label in zip(subdirs, labels) for f in _images_in(d)]
        classes = tuple(names) if not numeric else None
    else:
        files = [(f, None) for f in _images_in(folder)]
        classes = None
    if not files:
        raise DataError(f"{role} data folder {folder} holds no images",
                        hint=f"images with one of: {', '.join(sorted(IMAGE_EXTENSIONS))}")
    height, width, channels = input_shape
    low, high = IMAGE_SCALES[scale]
    x = np.empty((len(files), height, width, channels), dtype=np.float32)
    for i, (f, _) in enumerate(files):
        pixels = _read_image(f, width, height, channels, role)
        x[i] = pixels.reshape(height, width, channels) * ((high - low) / 255.0) + low
    y = None if subdirs == [] else np.array([label for _, label in files], dtype=np.int64)
    return x, y, classes


def _images_in(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if p.is_file() and p.suffix.lower() in IMAGE_EXTENSIONS)


def _read_image(path: Path, width: int, height: int, channels: int, role: str) -> np.ndarray:
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(path) as img:
            img = img.convert("L" if channels == 1 else "RGB")
            if img.size != (width, height):
                img = img.resize((width, height), Image.BILINEAR)
            return np.asarray(img, dtype=np.float32)
    except (UnidentifiedImageError, OSError, ValueError) as exc:
        raise DataError(f"{role} image {path} cannot be read: {_reason(exc)}",
                        hint="remove or replace the file")
