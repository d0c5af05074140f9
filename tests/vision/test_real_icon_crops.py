"""Real theme icons photographed by the camera model: crops of the real-icons bench's
training half (branch `icons35`), with the theme's own drawings as the icon's versions.

The crops are the icon's box and half its side around, cut from the corpus' camera-tier
screens (calibrated and rectified); the versions are the theme's 22-64 px drawings
(Tango: public domain; Papirus: GPL-3; Adwaita: CC-BY-SA 3.0 / LGPL-3; Breeze: LGPL-3).
"""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np

from robotest.vision import Icon, locate, locate_distinct
from robotest.vision.coarse_search import coarse_candidates
from robotest.vision.icon_candidates import candidate_iou
from robotest.vision.images import iou
from robotest.vision.match_parameters import DEFAULT
from robotest.vision.rivals import difference_score, rival_score
from robotest.vision.screen_pyramid import searched_screen
from robotest.vision.structure_check import orientation_similarity, outline_similarity

_DATA = Path(__file__).parent / "data"
WIDE = DEFAULT.override(scales=(0.5, 2.0))
"""The scales of the real-icons bench (the corpus shows icons at 0.5-2x)."""
_INNER = 0.35
"""``MatchParameters.structure_inner`` as chosen on the real-icons training half (opt-in)."""


def _crop(name: str) -> np.ndarray:
    image = cv2.imread(str(_DATA / name), cv2.IMREAD_COLOR)
    assert image is not None
    return image


def _icon(name: str) -> Icon:
    return Icon.load(_DATA / "icons" / name)


def _at(box: tuple[int, int, int, int] | None, truth: tuple[int, int, int, int]) -> bool:
    """The box's centre within a quarter of the true side of the truth's (the bench's rule)."""
    assert box is not None
    x, y, w, h = truth
    cx, cy = box[0] + box[2] / 2, box[1] + box[3] / 2
    return abs(cx - (x + w / 2)) <= max(4, w / 4) and abs(cy - (y + h / 2)) <= max(4, h / 4)


def test_a_photographed_icon_is_scored_with_its_soft_outline() -> None:
    """Tango's night-clouds icon, 40 px through the camera: the theme's 32 px drawing at
    its place scores 0.80 in colour without its outline (the mask leaves the outline a
    pixel wide out; the soft edge is what the camera shows), found with the smoothed
    version scored outline and all (``outline_blurs``)."""
    screen, icon = (
        _crop("weather_night_camera_40.png"),
        _icon("tango-stock_weather-night-few-clouds"),
    )
    without = locate(screen, icon, params=WIDE.override(outline_blurs=()))
    match = locate(screen, icon, params=WIDE)
    assert not without.found and without.score < 0.85
    assert match.found and _at(match.box, (20, 20, 40, 40))
    assert match.score >= without.score + 0.04


def test_the_outline_score_is_tried_only_on_smoothed_versions() -> None:
    """A sharp version with its outline is not scored: the outline's pixels on a lossless
    screen are blended with the background. ``outline_blurs`` takes blurs over 0 only."""
    assert all(b > 0 for b in DEFAULT.outline_blurs)
    try:
        DEFAULT.override(outline_blurs=(0.0,))
    except Exception as exc:  # noqa: BLE001  (the parameters' own error)
        assert "outline_blurs" in str(exc)
    else:
        raise AssertionError("a sharp outline score was accepted")


def test_a_rival_a_third_of_its_side_off_the_box_is_reached() -> None:
    """The look-alike check searches a rival a fifth of the box's side around it: a match
    refitted a third of its side off a shown look-alike (Adwaita's ``battery-full`` found
    across ``battery-full-charged`` on the training half) did not reach the rival, which
    then scored 0.6 against its own 0.84 at its place. With ``rival_reach`` it is found
    where it overlaps the box."""
    screen, icon = _crop("document_print_camera_72.png"), _icon("tango-document-print")
    shifted = (36 - 72 // 3, 36, 72, 72)
    near = rival_score(screen, icon, shifted, WIDE.override(rival_reach=0.0))
    reached = rival_score(screen, icon, shifted, WIDE)
    assert near < 0.7
    assert reached >= 0.8


def test_a_rival_beside_the_box_is_not_counted() -> None:
    """A rival found further around counts only where it overlaps the box (a third, as
    intersection over union): an icon next to the match is not its look-alike."""
    photographed = _crop("document_print_camera_72.png")
    left = np.full((photographed.shape[0], 150, 3), 190, np.uint8)
    screen = np.hstack([left, photographed])  # the icon at (186, 36), 72 px
    icon = _icon("tango-document-print")
    beside = (186 - 30 - 72, 36, 72, 72)  # ends 30 px before the icon's left edge
    assert rival_score(screen, icon, beside, WIDE) < 0.6
    assert rival_score(screen, icon, (186 - 24, 36, 72, 72), WIDE) >= 0.8


def test_a_photographed_glyph_passes_the_structure_check_on_its_inner_cells() -> None:
    """Papirus' Microsoft account icon (four flat coloured squares) photographed at 56 px:
    its outline's and flat faces' cells hold the camera's noise, the whole grid's
    similarity is 0.37; its inner cells (where the squares meet) agree. (Without the
    outline's check, ``structure_outline``, which finds it by default since `icons40`.)"""
    screen, icon = _crop("goa_microsoft_camera_56.png"), _icon("papirus-goa-account-microsoft")
    inside = WIDE.override(structure_outline=0.0)
    without = locate(screen, icon, params=inside)
    match = locate(screen, icon, params=inside.override(structure_inner=_INNER))
    assert without.score >= 0.85 and not without.found
    assert without.structure is not None and without.structure < DEFAULT.structure_floor
    assert match.found and _at(match.box, (28, 28, 56, 56))
    assert _at(locate(screen, icon, params=WIDE).box, (28, 28, 56, 56))


def test_the_inner_cells_of_other_icons_do_not_pass() -> None:
    """The inner cells compare the glyph: the night-clouds and printer drawings, scored on
    each other's photographed place, stay far under the floor either way."""
    printer = _crop("document_print_camera_72.png")
    clouds = cv2.imread(
        str(_DATA / "icons" / "tango-stock_weather-night-few-clouds" / "48.png"),
        cv2.IMREAD_UNCHANGED,
    )
    grey = cv2.cvtColor(printer[36:108, 36:108], cv2.COLOR_BGR2GRAY)
    template = cv2.cvtColor(clouds[:, :, :3], cv2.COLOR_BGR2GRAY)
    mask = clouds[:, :, 3]
    whole = orientation_similarity(grey, template, mask, 4)
    inner = orientation_similarity(grey, template, mask, 4, inner=_INNER)
    assert inner < DEFAULT.structure_floor - 0.1
    assert whole <= inner


def _composited(screen: np.ndarray, drawing: np.ndarray, x: int, y: int) -> None:
    """*drawing* (BGRA) laid over *screen* at (x, y) by its alpha, in place."""
    h, w = drawing.shape[:2]
    alpha = drawing[:, :, 3:4].astype(np.float32) / 255
    under = screen[y : y + h, x : x + w].astype(np.float32)
    screen[y : y + h, x : x + w] = np.round(alpha * drawing[:, :, :3] + (1 - alpha) * under)


def test_the_coarse_places_are_ranked_in_colour_too() -> None:
    """Papirus' four coloured squares (its 48 px drawing) shown once in colour at 61 px
    through a gamma of 1.3, beside four grey copies of the drawing's blue channel (the
    channel its coarse search correlates, grey flattening the squares) at 48 and 61 px:
    the coarse correlation ranks the exact grey copies first and, keeping three places,
    keeps only them; ranked half by the colour score at the coarse level
    (``coarse_colour``), the coloured place goes on and is found. A drawing whose mean
    chroma (185 grey levels here) is under ``coarse_colour_chroma`` is ranked in grey
    alone."""
    drawing = cv2.imread(
        str(_DATA / "icons" / "papirus-goa-account-microsoft" / "48.png"), cv2.IMREAD_UNCHANGED
    )
    assert drawing is not None and drawing.shape[2] == 4
    blue = drawing[:, :, 0]
    grey_drawing = np.dstack([blue, blue, blue, drawing[:, :, 3]])
    screen = np.full((300, 400, 3), (120, 110, 100), np.uint8)
    for x in (20, 100, 180):
        _composited(screen, grey_drawing, x, 32)
    _composited(screen, cv2.resize(grey_drawing, (61, 61)), 280, 32)
    shown = cv2.resize(drawing, (61, 61))
    shown[:, :, :3] = np.round(255 * (shown[:, :, :3] / 255.0) ** 1.3).astype(np.uint8)
    _composited(screen, shown, 200, 180)
    icon = Icon.from_images("goa", {"48.png": drawing})
    # at the two coarse scales only: the 56 px map between them (14 px on the level
    # reduced 4 times, ``coarse_every_side_from``) adds the coloured place in grey too
    two_scales = DEFAULT.override(
        scales=(1.0, 1.27),
        coarse_step=1.27,
        candidates=2,
        places_per_version=1,
        coarse_every_side_from=0,
    )
    grey_only = locate(screen, icon, params=two_scales.override(coarse_colour=0.0))
    ranked = locate(screen, icon, params=two_scales.override(coarse_colour=0.5))
    assert not grey_only.found and grey_only.box is not None and grey_only.box[1] < 100
    assert ranked.found and _at(ranked.box, (200, 180, 61, 61))
    too_grey = two_scales.override(coarse_colour=0.5, coarse_colour_chroma=200)
    assert locate(screen, icon, params=too_grey).box == grey_only.box


_TOLD_APART = WIDE.override(rival_difference=0.3)
"""``MatchParameters.rival_difference`` as chosen on the real-icons training half."""
_SCORES_ONLY = WIDE.override(rival_difference=0.0)
"""The look-alike check before branch `icons38`: the rival's score alone."""


def test_a_rival_that_is_a_part_of_the_icon_is_told_apart_where_the_drawings_differ() -> None:
    """Adwaita's ``audio-volume-muted`` at 24 px (a speaker and a box) on a lossless screen:
    its rival ``audio-volume-medium`` (the same speaker, faint sound waves under the mask's
    128) scores 1.0 on its own opaque pixels there, as the icon does, and the true match
    was refused. Where the two drawings differ (the box, the waves) the screen shows the
    icon's: kept with ``rival_difference``; the rival, looked for there with the icon as
    its rival, is still refused."""
    screen = _crop("audio_volume_muted_screen_24.png")
    muted, medium = _icon("adwaita-audio-volume-muted"), _icon("adwaita-audio-volume-medium")
    truth = (24, 24, 24, 24)
    refused = locate_distinct(screen, muted, [medium], params=_SCORES_ONLY)
    assert not refused.found and refused.rival == medium.name and refused.score > 0.99
    kept = locate_distinct(screen, muted, [medium], params=_TOLD_APART)
    assert kept.found and kept.rival is None and _at(kept.box, truth)
    absent = locate_distinct(screen, medium, [muted], params=_TOLD_APART)
    assert not absent.found and absent.rival == muted.name
    assert absent.box is not None
    rival = next(v for v in medium.versions if v.name == "24.png")
    assert difference_score(screen, muted, truth, rival, truth) > 0.9


def test_faint_strokes_the_screen_does_not_show_tell_a_rival_apart() -> None:
    """Tango's ``audio-volume-low`` at 48 px on a degraded screen (its 32 px drawing: a
    speaker and one wave): ``audio-volume-medium`` (one wave more, faint) scores the same
    0.965 there on its opaque pixels. The extra wave is not on the screen: found with
    ``rival_difference``, refused without; ``audio-volume-medium`` looked for there stays
    refused."""
    screen = _crop("audio_volume_low_degraded_48.png")
    low, medium = _icon("tango-audio-volume-low"), _icon("tango-audio-volume-medium")
    assert not locate_distinct(screen, low, [medium], params=_SCORES_ONLY).found
    kept = locate_distinct(screen, low, [medium], params=_TOLD_APART)
    assert kept.found and _at(kept.box, (24, 24, 48, 48))
    assert not locate_distinct(screen, medium, [low], params=_TOLD_APART).found


def test_faint_strokes_are_kept_as_alpha_beside_the_mask() -> None:
    """The mask compares opaque pixels (alpha 128 and up); the PNG's alpha is kept for the
    look-alike check, whose faint strokes (Tango's sound waves) the mask leaves out."""
    version = next(v for v in _icon("tango-audio-volume-medium").versions if v.name == "48.png")
    assert version.alpha is not None and version.mask is not None
    faint = (version.alpha > 0) & (version.alpha < 128)
    assert faint.sum() > 20 and not (version.mask[faint] > 0).any()


def test_a_flat_icon_outranked_by_texture_is_found_by_its_edges() -> None:
    """Adwaita's orange arrow, 60 px through the camera on a magenta wallpaper (crop of
    the real-icons training half): inside its opaque part the arrow is a soft gradient,
    so the grey coarse maps (normalised over that part only) rank texture elsewhere
    above it and the true place never reaches the candidates; its outline stands out,
    and the coarse edge maps (``edge_places``) bring it among them."""
    screen, icon = _crop("object_rotate_left_camera_60.png"), _icon("adwaita-object-rotate-left")
    # the grey maps as they rank places themselves (their recheck on a finer level,
    # ``coarse_recheck``, reaches this arrow too: tests/vision/test_coarse_recheck.py)
    grey_only = WIDE.override(coarse_recheck=0)
    without = locate(screen, icon, params=grey_only.override(edge_places=0))
    match = locate(screen, icon, params=grey_only)
    assert not without.found
    assert match.found and _at(match.box, (240, 83, 60, 60))


def test_the_edge_places_are_distinct_from_the_grey_ones() -> None:
    """The edge maps add at most ``edge_places`` candidates after the grey ones, none
    overlapping a grey candidate by half; the true box is among them, not among the grey
    ones (those near it are parts of the arrow, at the 24 px drawing's size)."""
    screen, icon = _crop("object_rotate_left_camera_60.png"), _icon("adwaita-object-rotate-left")
    view = searched_screen(screen, None)
    grey_only = WIDE.override(coarse_recheck=0)  # the grey maps' own places (no recheck)
    grey = coarse_candidates(view, icon, grey_only.override(edge_places=0), 6, 0.4)
    both = coarse_candidates(view, icon, grey_only, 6, 0.4)
    added = both[len(grey) :]
    assert both[: len(grey)] == grey
    assert 1 <= len(added) <= WIDE.edge_places
    assert all(candidate_iou(a, g) < 0.5 for a in added for g in grey)
    truth = (240, 83, 60, 60)
    assert not any(iou((c.x, c.y, c.w, c.h), truth) >= 0.5 for c in grey)
    assert any(iou((c.x, c.y, c.w, c.h), truth) >= 0.8 for c in added)


def test_a_photographed_silhouette_passes_the_structure_check_by_its_outline() -> None:
    """Papirus' ``code`` ribbon photographed at 24 px (crop of the real-icons training
    half, branch `icons40`): one flat blue shape whose edges are all outline, which the
    structure check's eroded mask leaves out; inside it compares the camera's noise
    (0.56, refused at 0.93). With the outline compared too (``structure_outline``) it
    is found at its place."""
    screen, icon = _crop("code_camera_24.png"), _icon("papirus-code")
    without = locate(screen, icon, params=WIDE.override(structure_outline=0.0))
    match = locate(screen, icon, params=WIDE)
    assert without.score >= 0.85 and not without.found
    assert without.structure is not None and without.structure < DEFAULT.structure_floor
    assert match.found and _at(match.box, (12, 12, 24, 24))
    assert match.structure is not None and match.structure >= DEFAULT.structure_outline


def test_a_photographed_flat_sheet_passes_the_structure_check_by_its_outline() -> None:
    """Breeze's ``libreoffice-impress`` (a flat orange sheet, a small white glyph)
    photographed at 48 px: refused inside (0.49), found by its outline."""
    screen = _crop("libreoffice_impress_camera_48.png")
    icon = _icon("breeze-libreoffice-impress")
    without = locate(screen, icon, params=WIDE.override(structure_outline=0.0))
    match = locate(screen, icon, params=WIDE)
    assert without.score >= 0.85 and not without.found
    assert match.found and _at(match.box, (24, 24, 48, 48))


def _drawing(name: str, size: int) -> tuple[np.ndarray, np.ndarray]:
    """The theme's drawing *name* (folder/file) at *size* px: grey levels and alpha."""
    image = cv2.imread(str(_DATA / "icons" / name), cv2.IMREAD_UNCHANGED)
    image = cv2.resize(image, (size, size), interpolation=cv2.INTER_AREA)
    return cv2.cvtColor(image[:, :, :3], cv2.COLOR_BGR2GRAY), image[:, :, 3]


def test_the_outline_of_other_icons_does_not_pass() -> None:
    """The ribbon's outline compared with other photographed icons' places (a printer,
    a night sky, four squares) stays far under ``structure_outline``; and the off
    switch (0) leaves the check as it was."""
    template, alpha = _drawing("papirus-code/24.png", 40)
    for name, box in (
        ("document_print_camera_72.png", (36, 36, 72, 72)),
        ("weather_night_camera_40.png", (20, 20, 40, 40)),
        ("goa_microsoft_camera_56.png", (28, 28, 56, 56)),
    ):
        x, y, w, h = box
        patch = cv2.cvtColor(_crop(name), cv2.COLOR_BGR2GRAY)[y : y + h, x : x + w]
        assert outline_similarity(patch, template, alpha) < DEFAULT.structure_outline - 0.15
    code = cv2.cvtColor(_crop("code_camera_24.png"), cv2.COLOR_BGR2GRAY)[12:36, 12:36]
    template, alpha = _drawing("papirus-code/24.png", 24)
    assert outline_similarity(code, template, alpha) >= DEFAULT.structure_outline + 0.15
    assert orientation_similarity(code, template, alpha) < DEFAULT.structure_floor


def test_a_silhouette_is_not_found_on_another_icon() -> None:
    """The ribbon searched on the photographed printer and the four squares: not found
    (the outline check only lets through a place the colour score already took)."""
    icon = _icon("papirus-code")
    for name in ("document_print_camera_72.png", "goa_microsoft_camera_56.png"):
        assert not locate(_crop(name), icon, params=WIDE).found
