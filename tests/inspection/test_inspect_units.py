"""The building blocks: regions, metrics, acceptance, ROI, data set layout, augmentation."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from robotest.inspection.acceptance import RULE, Acceptance
from robotest.inspection.augment import Augmentation
from robotest.inspection.dataset import ProductSettings, open_dataset
from robotest.inspection.errors import InspectionError
from robotest.inspection.features import FEATURE_NAMES, image_features
from robotest.inspection.metrics import auroc, box_ap, defect_boxes, f1, iou, mask_boxes
from robotest.inspection.regions import find_boxes
from robotest.inspection.roi import Roi, find_roi
from robotest.inspection.verdict import Box


def blob_map() -> np.ndarray:
    anomaly = np.zeros((64, 64), np.float32)
    anomaly[10:20, 30:46] = 3.0  # a 16x10 region, peak 3
    anomaly[50:52, 5:7] = 5.0  # a 4-pixel speck
    return anomaly


def test_regions_become_scored_boxes_and_specks_are_dropped() -> None:
    boxes = find_boxes(blob_map(), min_area=10)
    assert [(b.x, b.y, b.w, b.h) for b in boxes] == [(30, 10, 16, 10)]
    assert boxes[0].score == pytest.approx(3.0) and boxes[0].area == 160
    both = find_boxes(blob_map(), min_area=1)
    assert [b.score for b in both] == [5.0, 3.0]  # highest first


def test_pieces_of_one_defect_merge_into_one_box() -> None:
    anomaly = np.zeros((40, 40), np.float32)
    anomaly[10:20, 5:12] = 2.0
    anomaly[10:20, 14:20] = 3.0  # 2 px gap: one defect with a cooler middle
    anomaly[30:36, 30:36] = 2.0  # far away: a second defect
    boxes = find_boxes(anomaly, min_area=4, box_level=0.1)
    assert sorted((b.x, b.y, b.w, b.h) for b in boxes) == [(5, 10, 15, 10), (30, 30, 6, 6)]
    assert len(find_boxes(anomaly, min_area=4, merge=0)) == 3


def test_boxes_scale_to_image_pixels() -> None:
    (box,) = find_boxes(blob_map(), min_area=10, scale=(4.0, 2.0), offset=(100, 7))
    assert (box.x, box.y, box.w, box.h, box.area) == (220, 27, 64, 20, 1280)


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.integers(0, 31),
            st.integers(0, 31),
            st.integers(1, 12),
            st.integers(1, 12),
            st.floats(1.01, 9.0),
        ),
        max_size=5,
    ),
    st.integers(1, 20),
)
@example(  # found by Hypothesis: the 2.0 region's box holds the lone 3.0 pixel
    blobs=[(0, 0, 1, 2, 2.0), (2, 10, 12, 1, 2.0), (13, 0, 1, 1, 3.0)], min_area=1
)
def test_boxes_lie_inside_the_map_above_threshold(blobs, min_area) -> None:
    anomaly = np.zeros((32, 32), np.float32)
    for x, y, w, h, v in blobs:
        anomaly[y : y + h, x : x + w] = np.maximum(anomaly[y : y + h, x : x + w], v)
    for box in find_boxes(anomaly, min_area=min_area):
        assert box.x >= 0 and box.x + box.w <= 32 and box.y >= 0 and box.y + box.h <= 32
        assert box.score > 1.0 and box.area >= min_area
        # the region's peak lies in its box; another region's pixel may too (an L-shaped
        # region's box reaches round a lone stronger pixel beside it)
        window = anomaly[box.y : box.y + box.h, box.x : box.x + box.w]
        assert np.isclose(window, box.score).any() and window.max() >= box.score


def test_box_ap_ranks_predictions_by_score() -> None:
    truths = [[(0, 0, 10, 10)], [(20, 20, 10, 10)], []]
    hit = [Box(0, 0, 10, 10, 5.0, 100)]
    assert box_ap([hit, [Box(20, 20, 10, 10, 4.0, 100)], []], truths) == pytest.approx(1.0)
    assert box_ap([[], [], []], truths) == 0.0
    fp_first = box_ap([hit, [Box(20, 20, 10, 10, 2.0, 100)], [Box(0, 0, 5, 5, 3.0, 25)]], truths)
    fp_last = box_ap([hit, [Box(20, 20, 10, 10, 4.0, 100)], [Box(0, 0, 5, 5, 3.0, 25)]], truths)
    assert fp_first < fp_last == pytest.approx(1.0)
    loose = [[Box(0, 0, 30, 30, 5.0, 900)], [], []]  # IoU 0.11 with the truth
    assert box_ap(loose, truths) == 0.0
    assert box_ap([[], []], [[], []]) is None


def test_iou_auroc_f1_and_mask_boxes() -> None:
    assert iou((0, 0, 10, 10), (5, 0, 10, 10)) == pytest.approx(50 / 150)
    assert auroc([False, True, True], [0.1, 0.5, 0.9]) == 1.0
    assert auroc([True, True], [0.1, 0.2]) is None
    assert f1([True, True, False, False], [True, False, True, False]) == pytest.approx(0.5)
    mask = np.zeros((20, 20), np.uint8)
    mask[2:5, 3:9] = 255
    mask[10:20, 10:12] = 255
    assert sorted(mask_boxes(mask)) == [(3, 2, 6, 3), (10, 10, 2, 10)]


def test_a_crack_drawn_with_a_break_is_one_defect_box() -> None:
    """A crack broken by 3 px is two mask pieces but one defect; a box round the whole
    crack finds it (IoU 1) instead of missing both pieces; a stain 30 px away stays apart."""
    mask = np.zeros((64, 64), np.uint8)
    mask[10:30, 20:23] = 255  # upper half of the crack
    mask[33:50, 21:24] = 255  # lower half, after a 3 px break
    mask[50:56, 55:61] = 255  # a separate stain
    assert len(mask_boxes(mask)) == 3
    crack, stain = sorted(defect_boxes(mask))
    assert crack == (20, 10, 4, 40) and stain == (55, 50, 6, 6)
    assert defect_boxes(mask, gap=1) == mask_boxes(mask)
    found = [[Box(20, 10, 4, 40, 2.0, 150), Box(55, 50, 6, 6, 1.5, 36)]]
    assert box_ap(found, [mask_boxes(mask)], 0.3) < 0.7
    assert box_ap(found, [defect_boxes(mask)], 0.3) == pytest.approx(1.0)


def test_rule_fails_on_any_region_and_says_which() -> None:
    acceptance = Acceptance()
    box = Box(3, 4, 10, 12, 2.5, 90)
    verdict, reasons = acceptance.decide(np.zeros(len(FEATURE_NAMES)), [box], min_area=50)
    assert verdict == "fail" and "x=3 y=4 size 10x12" in reasons[1] and "area 90" in reasons[1]
    verdict, reasons = acceptance.decide(np.zeros(len(FEATURE_NAMES)), [], min_area=50)
    assert verdict == "pass" and "50 px" in reasons[0]
    assert acceptance.describe() == {"kind": "rule", "rule": RULE}


def test_svm_learns_the_customers_criterion_and_threshold_moves_it() -> None:
    rng = np.random.default_rng(0)
    small = [
        image_features(np.full((16, 16), 0.3), [Box(0, 0, 3, 3, 1.2, a)], 256)
        for a in rng.integers(1, 20, 20)
    ]
    large = [
        image_features(np.full((16, 16), 0.3), [Box(0, 0, 9, 9, 3.0, a)], 256)
        for a in rng.integers(60, 120, 20)
    ]
    features = np.stack(small + large)
    passed = np.array([True] * 20 + [False] * 20)  # small scratches are acceptable
    acceptance = Acceptance.fit(features, passed)
    assert acceptance.kind == "svm"
    assert acceptance.decide(small[0], [], 50)[0] == "pass"
    assert acceptance.decide(large[0], [], 50)[0] == "fail"
    acceptance.threshold = 1e6
    verdict, reasons = acceptance.decide(large[0], [], 50)
    assert verdict == "pass" and "SVM decision" in reasons[0]
    with pytest.raises(InspectionError, match="both pass and fail"):
        Acceptance.fit(features[:20], passed[:20])


def test_features_count_regions_and_areas() -> None:
    boxes = [Box(0, 0, 4, 4, 2.0, 40), Box(8, 8, 2, 2, 1.5, 10)]
    values = dict(zip(FEATURE_NAMES, image_features(np.ones((32, 32)), boxes, 1000), strict=True))
    assert values["regions"] == 2 and values["largest_area"] == 0.04
    assert values["total_area"] == 0.05 and values["max"] == 1.0


def test_roi_parse_fit_and_auto() -> None:
    assert Roi.parse("1,2,30,40").as_list() == [1, 2, 30, 40]
    with pytest.raises(InspectionError, match="x,y,w,h"):
        Roi.parse("1,2")
    with pytest.raises(InspectionError, match="does not fit"):
        Roi(50, 0, 60, 10).fits(100, 100)
    image = np.full((100, 120, 1), 0.1, np.float32)
    image[20:70, 30:90] = 0.8  # the product on a dark conveyor
    roi = find_roi([image], margin=0)
    assert roi.as_list() == [30, 20, 60, 50]
    assert find_roi([image], margin=4).as_list() == [26, 16, 68, 58]


def test_product_settings_from_toml(tmp_path: Path) -> None:
    file = tmp_path / "inspection.toml"
    file.write_text("[roi]\nbox = [1, 2, 3, 4]\n[augment]\nperspective = false\nflip = true\n")
    settings_ = ProductSettings.read(file)
    assert settings_.roi == [1, 2, 3, 4]
    assert settings_.augmentation == Augmentation(perspective=False, flip=True)
    file.write_text("[roi]\nauto = true\n")
    assert ProductSettings.read(file).roi == "auto"
    file.write_text("[augment]\nrotate = true\n")
    with pytest.raises(InspectionError, match="unknown augmentation"):
        ProductSettings.read(file)
    file.write_text("[roi\n")
    with pytest.raises(InspectionError, match="not valid TOML"):
        ProductSettings.read(file)


def test_mvtec_layout_pairs_images_with_masks(tiny_dataset: Path) -> None:
    data = open_dataset(tiny_dataset)
    assert len(data.train_good) == 10 and len(data.train_defective) == 2
    bad = [item for item in data.test if item.defective]
    assert len(bad) == 3 and len(data.test) == 6
    assert all(
        item.defect_type == "hole" and item.mask and item.mask.name == f"{item.path.stem}_mask.png"
        for item in bad
    )


def test_augmentation_keeps_shape_and_range_and_can_be_off() -> None:
    rng = np.random.default_rng(1)
    image = rng.random((32, 32, 1)).astype(np.float32)
    out = Augmentation().apply(image, rng)
    assert out.shape == image.shape and out.dtype == np.float32
    assert out.min() >= 0.0 and out.max() <= 1.0 and not np.array_equal(out, image)
    assert np.array_equal(Augmentation.none().apply(image, rng), image)
    assert not Augmentation().flip  # orientation can matter: flips are opt-in
    marked = np.zeros((8, 8, 1), np.float32)
    marked[0, 0] = 1.0
    flips = {Augmentation(False, False, False, True).apply(marked, rng).argmax() for _ in range(40)}
    assert len(flips) > 1


def test_colour_images_keep_three_channels(tmp_path: Path) -> None:
    from robotest.inspection.images import image_channels, read_image

    colour = np.zeros((8, 8, 3), np.uint8)
    colour[:, :, 2] = 200
    cv2.imwrite(str(tmp_path / "c.png"), colour)
    assert image_channels(tmp_path / "c.png") == 3
    assert read_image(tmp_path / "c.png", channels=1).shape == (8, 8, 1)


@pytest.mark.parametrize("kind", ["squared", "ssim", "residual"])
def test_error_maps_are_zero_for_a_perfect_reconstruction(kind: str) -> None:
    from robotest.inspection.errormap import error_map

    rng = np.random.default_rng(2)
    image = rng.random((1, 32, 32)).astype(np.float32)
    same = error_map(image, image.copy(), kind, blur=1.0)
    assert same.shape == (32, 32) and float(np.abs(same).max()) < 1e-4
    damaged = image.copy()
    damaged[0, 10:20, 10:20] = 0.0
    worse = error_map(image, damaged, kind, blur=1.0)
    assert worse[15, 15] > 10 * max(float(worse[2, 2]), 1e-6)
    with pytest.raises(ValueError, match="unknown error kind"):
        error_map(image, image, "abs", blur=1.0)
