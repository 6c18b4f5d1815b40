"""Data loaders: arrays and image folders in, model-shaped float32 out; bad data is a DataError."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from edgec.calibration import load_dataset, representative_samples, synthetic_dataset
from edgec.errors import DataError

SHAPE = (8, 8, 1)


def test_npz_with_labels(tmp_path):
    x = np.random.default_rng(0).random((5, 8, 8, 1)).astype(np.float32)
    np.savez(tmp_path / "d.npz", x=x, y=np.arange(5))
    data = load_dataset(tmp_path / "d.npz", SHAPE)
    np.testing.assert_array_equal(data.x, x)
    assert data.y.tolist() == [0, 1, 2, 3, 4] and data.labelled


def test_npy_without_channel_axis_and_one_hot_labels(tmp_path):
    np.save(tmp_path / "d.npy", np.zeros((3, 8, 8), dtype=np.uint8))
    data = load_dataset(tmp_path / "d.npy", SHAPE)
    assert data.x.shape == (3, 8, 8, 1) and data.x.dtype == np.float32 and data.y is None
    np.savez(tmp_path / "h.npz", x=np.zeros((2, 8, 8, 1)), y=np.eye(3)[[2, 0]])
    assert load_dataset(tmp_path / "h.npz", SHAPE).y.tolist() == [2, 0]


def write_png(path, value: int, size=(16, 16), mode="L"):
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new(mode, size, value if mode == "L" else (value,) * 3).save(path)


def test_image_folders_with_class_subfolders_are_resized_scaled_and_labelled(tmp_path):
    write_png(tmp_path / "3" / "a.png", 255)
    write_png(tmp_path / "7" / "b.png", 0, mode="RGB")
    data = load_dataset(tmp_path, SHAPE, scale="signed")
    assert data.x.shape == (2, 8, 8, 1)
    assert data.y.tolist() == [3, 7]  # folders named by integers give those labels
    assert data.x[0].min() == pytest.approx(1.0) and data.x[1].max() == pytest.approx(-1.0)


def test_named_class_folders_are_labelled_in_sorted_order(tmp_path):
    write_png(tmp_path / "dog" / "a.png", 10)
    write_png(tmp_path / "cat" / "b.png", 20)
    data = load_dataset(tmp_path, (4, 4, 3), scale="raw")
    assert data.classes == ("cat", "dog") and data.y.tolist() == [0, 1]
    assert data.x.shape == (2, 4, 4, 3) and data.x[0].max() == pytest.approx(20.0)


@pytest.mark.parametrize("make, message", [
    (lambda p: np.savez(p / "d.npz", x=np.zeros((4, 8, 8, 3))), r"shape \(4, 8, 8, 3\)"),
    (lambda p: np.savez(p / "d.npz", x=np.full((2, 8, 8, 1), np.nan)), "NaN or Inf"),
    (lambda p: np.savez(p / "d.npz", x=np.zeros((0, 8, 8, 1))), "no samples"),
    (lambda p: np.savez(p / "d.npz", z=np.zeros((2, 8, 8, 1))), "no array named 'x'"),
    (lambda p: np.savez(p / "d.npz", x=np.zeros((2, 8, 8, 1)), y=np.zeros(3)), "y has shape"),
    (lambda p: np.savez(p / "d.npz", x=np.zeros((2, 8, 8, 1)), y=np.array([0.5, 1])),
     "not class indices"),
    (lambda p: np.savez(p / "d.npz", x=np.array(["a", "b"])), "not numbers"),
    (lambda p: np.savez(p / "d.npz", x=np.array([{"a": 1}], dtype=object)), "cannot be read"),
    (lambda p: (p / "d.npz").write_bytes(b"PK\x03\x04broken"), "cannot be read"),
])
def test_bad_arrays_are_data_errors(tmp_path, make, message):
    make(tmp_path)
    with pytest.raises(DataError, match=message):
        load_dataset(tmp_path / "d.npz", SHAPE)


def test_bad_paths_and_images_are_data_errors(tmp_path):
    with pytest.raises(DataError, match="does not exist"):
        load_dataset(tmp_path / "missing.npz", SHAPE)
    (tmp_path / "d.csv").write_text("1,2")
    with pytest.raises(DataError, match="unknown format '.csv'"):
        load_dataset(tmp_path / "d.csv", SHAPE)
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(DataError, match="holds no images"):
        load_dataset(empty, SHAPE)
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "x.png").write_bytes(b"not a png")
    with pytest.raises(DataError, match="x.png cannot be read"):
        load_dataset(bad, SHAPE)
    with pytest.raises(DataError, match="not an image"):
        load_dataset(bad, (16,))


def test_sampler_is_seeded_and_without_replacement(tmp_path):
    np.savez(tmp_path / "d.npz", x=np.arange(50, dtype=np.float32).reshape(50, 1, 1, 1) * np.ones(SHAPE))
    data = load_dataset(tmp_path / "d.npz", SHAPE)
    a, b = representative_samples(data, 20, seed=4), representative_samples(data, 20, seed=4)
    np.testing.assert_array_equal(a, b)
    assert len(np.unique(a[:, 0, 0, 0])) == 20
    assert not np.array_equal(a, representative_samples(data, 20, seed=5))
    assert len(representative_samples(data, 500, seed=0)) == 50


def test_synthetic_data_is_marked_and_in_range():
    data = synthetic_dataset(SHAPE, 10, seed=1, low=-1, high=1)
    assert data.synthetic and data.y is None and data.x.shape == (10, 8, 8, 1)
    assert data.x.min() >= -1 and data.x.max() <= 1
