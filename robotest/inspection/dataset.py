"""Data sets in the MVTec AD folder convention, plus the product's own settings.

::

    DATASET/train/good/*.png                  normal units (all the autoencoder sees)
    DATASET/train/<defect_type>/*.png         labelled defective units (supervised CNN only)
    DATASET/test/good/*.png                   normal units for evaluation
    DATASET/test/<defect_type>/*.png          defective units for evaluation
    DATASET/ground_truth/<defect_type>/<name>_mask.png
    DATASET/acceptance/pass/*.png, fail/*.png units judged by the customer (optional)
    DATASET/inspection.toml                   ROI and augmentation for this product (optional)
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from robotest.inspection.augment import Augmentation
from robotest.inspection.errors import InspectionError
from robotest.inspection.images import list_images

LAYOUT_HINT = "MVTec AD layout: train/good/, test/<defect_type>/, ground_truth/<defect_type>/"


@dataclass(frozen=True)
class TestItem:
    """One evaluation image: its defect type (None when good) and mask (None when none)."""

    path: Path
    defect_type: str | None
    mask: Path | None

    @property
    def defective(self) -> bool:
        return self.defect_type is not None


@dataclass
class ProductSettings:
    """Per-product choices read from ``inspection.toml``: ROI and augmentation."""

    roi: list[int] | str | None = None
    augmentation: Augmentation = field(default_factory=Augmentation)

    @classmethod
    def read(cls, file: Path) -> ProductSettings:
        if not file.is_file():
            return cls()
        try:
            data = tomllib.loads(file.read_text())
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise InspectionError(f"{file} is not valid TOML: {exc}") from None
        roi_section = data.get("roi", {})
        roi: list[int] | str | None = None
        if roi_section.get("auto"):
            roi = "auto"
        elif "box" in roi_section:
            roi = [int(v) for v in roi_section["box"]]
        augment = Augmentation.from_mapping(data.get("augment", {}), source=str(file))
        return cls(roi=roi, augmentation=augment)


@dataclass
class Dataset:
    """The images of one product, found on disk."""

    root: Path
    train_good: list[Path]
    train_defective: list[Path]
    test: list[TestItem]
    acceptance: list[tuple[Path, bool]]
    settings: ProductSettings


def open_dataset(root: str | Path, *, need_train: bool = True, need_test: bool = False) -> Dataset:
    """Find the images of the data set at *root*; raise a one-line error when unusable."""
    base = Path(root)
    if not base.is_dir():
        raise InspectionError(f"dataset folder {base} does not exist")
    train_good = _images_in(base / "train" / "good")
    if need_train and not (base / "train" / "good").is_dir():
        raise InspectionError(f"{base} has no train/good folder ({LAYOUT_HINT})")
    if need_train and not train_good:
        raise InspectionError(
            f"{base / 'train' / 'good'} has no images: "
            "the model learns from normal images and needs at least 2"
        )
    test = _test_items(base)
    if need_test and not test:
        raise InspectionError(f"{base} has no test images ({LAYOUT_HINT})")
    train_defective = [p for folder in _defect_folders(base / "train") for p in _images_in(folder)]
    acceptance = [(p, True) for p in _images_in(base / "acceptance" / "pass")] + [
        (p, False) for p in _images_in(base / "acceptance" / "fail")
    ]
    return Dataset(
        base,
        train_good,
        train_defective,
        test,
        acceptance,
        ProductSettings.read(base / "inspection.toml"),
    )


def _images_in(folder: Path) -> list[Path]:
    return list_images(folder) if folder.is_dir() else []


def _defect_folders(parent: Path) -> list[Path]:
    if not parent.is_dir():
        return []
    return sorted(p for p in parent.iterdir() if p.is_dir() and p.name != "good")


def _test_items(base: Path) -> list[TestItem]:
    items = [TestItem(p, None, None) for p in _images_in(base / "test" / "good")]
    for folder in _defect_folders(base / "test"):
        for path in _images_in(folder):
            mask = base / "ground_truth" / folder.name / f"{path.stem}_mask.png"
            items.append(TestItem(path, folder.name, mask if mask.is_file() else None))
    return items
