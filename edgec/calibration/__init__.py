"""Data for calibration, validation and training: loaders and a seeded sampler."""

from edgec.calibration.dataset import Dataset
from edgec.calibration.loaders import IMAGE_SCALES, load_dataset
from edgec.calibration.sampler import representative_samples, synthetic_dataset

__all__ = ["Dataset", "IMAGE_SCALES", "load_dataset", "representative_samples", "synthetic_dataset"]
