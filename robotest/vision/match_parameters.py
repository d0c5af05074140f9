"""The tuning knobs of the icon search, in one frozen object a script or an icon can override.

Like stb-tester's ``MatchParameters``: :data:`DEFAULT` is what every search uses unless a
call passes its own (``locate(screen, icon, params=DEFAULT.override(scales=(0.5, 2.0)))``,
``click_icon "x" params=...`` in a script) or the icon's folder holds an ``icon.toml``
(``[match]`` table with any of the field names below, checked when the icon is loaded).
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace

from robotest.vision.errors import VisionInputError


@dataclass(frozen=True)
class MatchParameters:
    """Every setting of the coarse-to-fine icon search (see :mod:`robotest.vision.icon_search`)."""

    threshold: float | None = None
    """Score a match must reach to count as found; None: the icon's own (default 0.85)."""
    scales: tuple[float, float] = (0.75, 1.5)
    """Smallest and largest icon scale searched, relative to each version's own size."""
    min_side: int = 16
    """No version is searched smaller than this many pixels across (its smallest side).

    A theme's 22 px drawing shrunk to 11 px is a few pixels of grey that correlate
    with any photograph's texture; screens show icons at 16 px and more."""
    coarse_step: float = 1.2
    """Ratio between the scales tried at the coarse level."""
    coarse_every_side_from: float = 4
    """On the pyramid levels reduced at least this many times, each version is searched at
    every whole template side (level pixels) between the scales ``coarse_step`` apart,
    not only at those (see :func:`robotest.vision.coarse_search.coarse_searches`); 0:
    off, the scales ``coarse_step`` apart only (the search before branch ``icons49``).

    There a scale step of 1.2 is a step of 3-4 pixels: Adwaita's thin ``zoom-fit-best``
    shown at 72 px (18 px on the level reduced 4 times) fell between the 17 and 20 px
    templates, ranked past 50th in both maps and never reached the candidates, though
    its 18 px template ranks it first and the fine stage scores it 0.98. The in-between
    maps' places only go on beside the coarse scales' candidates (``between_places``),
    so the candidates with it are a superset of those without (branch ``icons50``:
    pooled with the coarse scale's places, as ``icons49`` merged it opt-in, they put
    some of those out, among them a 32 px drawing's place shown at 64 px)."""
    between_places: int = 2
    """Each version's best places of the maps between the coarse scales
    (``coarse_every_side_from``) that go on beside the coarse scales' candidates, where
    none of those (nor a better one of these) overlaps them (0: none, and no such map is
    made)."""
    coarse_min_side: int = 14
    """The coarse level is the pyramid level where the icon is about this many pixels across.

    At 9 px a theme's thin line icons over a photograph ranked below texture and never
    reached the full-resolution search (real-icons bench, training half: recall at 0.85
    34% at 9 px, 42% at 14 px with 6 candidates and 4 refined, at twice the time). 16
    (with ``coarse_colour`` 0.5) brought more true places among the coarse candidates
    there (16 -> 12 of 248 missing), but on robotest's generated screens lost recall
    (99.03% -> 97.10%) and took 19% longer a query (docs/benchmarks/real-icons.md,
    branch `icons36`)."""
    coarse_factors: tuple[float, ...] = (1, 2, 4, 6, 8, 12, 16)
    """The pyramid levels the coarse stage may search (screen pixels per level pixel): a
    version at a scale is searched on the coarsest where it is still
    ``coarse_min_side`` pixels across. With these, an icon under 28 px is searched on
    the full screen (five Fourier transforms of its size: 60% of a real-icon query's
    time at 1080p). Adding 1.5 (and 3) searches 21-28 px (and 42-56 px) icons on levels
    2.25 times smaller, at 14-19 px instead of 21-28: on the real-icons bench's
    training half (every size as a version, at 0.85) 202 -> 200 found and 4 -> 6 at a
    wrong place with 1.5 (199 and 5 with 1.5 and 3), for about a fifth less time a
    query: opt-in (docs/benchmarks/real-icons.md, branch `iconspeed37`). Levels are made from the
    full screen or a level of factor 2, 4, 6, 8, 12 or 16 only, so other factors leave
    those levels' pixels as they were."""
    early_found: float = 0.95
    """``locate`` searches first without the versions and scales whose coarse level is
    the full screen (icons under ``2 * coarse_min_side`` pixels: five Fourier transforms
    of the screen's size each, 60% of a real-icon query's time at 1080p); when its best
    place reaches this (and the threshold) and passes the structure check, that is the
    answer, else the whole search follows (the coarse maps already made are kept for
    it); only for an icon with such versions and scales (else the first search would be
    the whole one). 0: the whole search only (the search before branch `iconspeed37`).
    On the real-icons bench (1080p, every size as a version, at 0.85) the training half
    gave main's answers but 3 of 328 (one icon more found, two boxes now the true one);
    held out the same recall, wrong places and absent icons found, median 375 -> 262 ms a
    query with the look-alike check, present icons 3.3x faster, absent ones as before
    (docs/benchmarks/real-icons.md)."""
    coarse_detail: float = 0.0
    """With more than 0, a version is searched at a finer pyramid level than
    ``coarse_min_side`` gives while its drawing reduced there keeps less than this of
    itself (correlation with the reduced copy enlarged back); 0: off (the default).

    Thin line icons (Adwaita's) fade into a grey blur at 14 px and rank below texture.
    On the real-icons bench's training half the true place reached the coarse candidates
    for 227 of 248 queries at 0, 231 at 0.8, 235 at 0.9; but on robotest's generated
    screens 0.9 searched most 64 px icons at half resolution (median 26 -> 45 ms a query)
    and lost recall there (98.9% -> 96.1%), 0.8 cost 2 ms a query: opt-in, per icon
    (``icon.toml``) for thin line icons."""
    coarse_masked_spread: bool = True
    """Coarse scores of a masked version normalised over its opaque pixels (two more
    Fourier transforms per version and scale, most of a query's time); False: over the
    whole box (box filters shared by every template of one size): on the real-icons
    bench's training half, half the time a query but recall at 0.85 69% -> 36% (the
    wallpaper in a theme icon's corners swamps the coarse score)."""
    coarse_colour: float = 0.0
    """Share of a coarse place's rank taken from its colour score at the coarse level
    (the screen's colour reduced as the grey level is, the version's colour at the
    coarse template's size; the rest from its grey score); 0 (the default): grey alone.

    Only the best few coarse places go on, ranked by a grey correlation at ~14 px that
    cannot tell a photograph's texture or a look-alike in another hue from the icon: on
    the real-icons bench's training half the true place was missing from the coarse
    candidates for 21 of 248 queries (Breeze's blue folders on camera frames, Papirus'
    coloured icons); ranked half by colour, 16. With ``coarse_min_side`` 16 too, held
    out: recall 81.1% -> 85.4%, wrong places 0.5% -> 0.0%, but absent icons found 1.6% ->
    3.2% (one more of 63), and on robotest's generated screens 7% more time a query at
    14 px (recall unchanged): opt-in, per icon (``icon.toml``) for coloured icons among
    look-alikes (docs/benchmarks/real-icons.md, branch `icons36`)."""
    coarse_colour_chroma: float = 24.0
    """``coarse_colour`` ranks only the places of versions whose mean chroma (largest less
    smallest channel over the opaque pixels, grey levels) reaches this.

    A nearly grey drawing (Adwaita's arrows and documents, Tango's papers: chroma 1-11)
    has a colour score at 16 px that is mostly noise: ranked by it on the training half,
    three found icons were no longer found (Adwaita's ``go-down``, ``document-new``,
    Tango's ``edit-copy``: other candidates, lost in the quick look or at the score)
    and one absent icon was found (Adwaita's ``media-playback-pause``, chroma 4); the
    coloured drawings it helps have 50-210."""
    edge_places: int = 2
    """Distinct places of the coarse *edge* maps added to the coarse candidates (0: none).

    The coarse grey score of a masked version is normalised over its opaque pixels, so
    it sees only the icon's inside: a flat icon (Adwaita's white ``zoom-out`` tile, an
    orange arrow on a magenta wallpaper) keeps little there at 14 px, and texture
    outranks it in every map although its outline stands out. Each version and coarse
    scale is therefore also correlated, over its whole box, as gradient magnitude: the
    version's inner edges and its outline (the alpha's edges) against the screen's
    Sobel magnitude at the same level, blind to the background's colour and to the
    sign of the outline's contrast. The best places of those maps (each map's best
    ``edge_peaks``, pooled, best first, distinct) go on beside the grey ones. On the
    real-icons bench's training half the true place of 12 of the 21 queries whose true
    place no grey map ranked high enough was the best place of all the edge maps
    (docs/benchmarks/real-icons.md, branch ``icons39``)."""
    edge_peaks: int = 1
    """Best places of each coarse edge map pooled for ``edge_places``."""
    edge_floor: float = 4.0
    """A window whose gradient magnitude spreads less than this (per pixel, the root
    mean square deviation) scores 0 in the edge maps: a flat wallpaper's noise."""
    edge_outline: float = 0.5
    """The weight of the version's outline (the alpha's gradient, 0-255) in its edge
    template, against its grey levels' gradient inside: 0.5 counts the outline as a
    step of about 128 grey levels, whatever the background shows."""
    version_overlap: float = 1.25
    """The coarse stage searches each shown size with the versions drawn nearest it and
    those up to this many times further from it (in size ratio) than the nearest. On
    the real-icons bench's training half (1080p, every size as a version, at 0.85) the
    nearest only (1.0001: 22% fewer coarse maps, 40% fewer of the full screen's) lost two
    found icons (Tango's ``edit-copy`` shown at 56 px answered at its 22 px sibling,
    Breeze's ``folder-templates``) for a fifth less mean time; 1.1 makes the same maps
    as 1.25 at ``coarse_step`` 1.2 (docs/benchmarks/real-icons.md, branch ``iconspd40``)."""
    edge_full_screen: bool = False
    """Whether the coarse edge maps are made on the full screen too (the versions and
    scales under ``2 * coarse_min_side`` pixels, a Fourier correlation of the screen's
    size each), else on the reduced levels only (the default). On the real-icons bench's
    training half (1080p, every size as a version, at 0.85) the icons the edge maps
    found are all shown at 30 px or more (reduced levels); without the full screen's,
    the same 210 of 248 found, one wrong place and one absent icon found fewer (small
    folders of one theme share their outline), absent icons' median 599 -> 417 ms (a
    load of 7, unlocked: indicative). True: the search of branch ``icons39``. Two true places
    refused by the structure check (Papirus' ``opera`` and ``code`` at 24 px) reach
    the candidates only through the full screen's edge maps
    (docs/benchmarks/real-icons.md, branch ``iconspd40``)."""
    edge_after: float = 0.85
    """With more than 0, ``locate`` makes the coarse edge maps (``edge_places``) only where
    the search without them finds no place at or above this score (and the threshold)
    that passes the structure check: the grey maps' places first (their coarse maps and
    fine looks kept), then the edge maps' places added to them. 0: the edge maps in
    every search (the search of branch ``icons39``). On the real-icons bench's training
    half (1080p, every size as a version, at 0.85), 0.85 gave the same answers but one
    box (4 px smaller, at the same place). With ``edge_full_screen`` False, held out
    (look-alike check) 85.9% / 0.5% / 1.6% -> 86.4% / 0.5% / 1.6% (recall / wrong place /
    absent found), median 353.5 -> 287.3 ms a query at 1080p, 499.6 -> 361.0 ms at
    2560x1600 (docs/benchmarks/real-icons.md, branch ``iconspd40``)."""
    coarse_recheck: int = 16
    """Best places of a coarse map scored again on a finer level (``coarse_recheck_side``):
    the best few by that score go on beside the map's own best few; 0: off (the maps'
    own best places alone, before branch ``icons43``).

    A large icon is searched on a level where it is 14-19 px across: Tango's calculator
    shown at 64 px, Papirus' grey ``opera-developer`` ring at 96 px and Adwaita's thin
    ``zoom-fit-best`` at 72 px ranked 12th, 15th and past 30th in their maps at factor 4
    or 6 (texture and look-alikes scored higher) but first on the level of factor 2,
    where each is 34-45 px across: on the real-icons bench's training half their true
    places never reached the candidates although the fine stage scores them 0.96-0.99
    (docs/benchmarks/real-icons.md, branch ``icons43``). Scoring a few places again on
    the finer level costs a small correlation each, not a map of that level. Added
    beside the map's own places, not instead of them: in their stead (the rechecked
    place, at the coarse scale) four true places found before were lost in the fine
    stage and one absent icon more was found. Beside them, on the training half (1080p,
    every size as a version, at 0.85): found 221 -> 223 of 248 (``opera-developer``, the
    calculator), none lost, absent icons found 4 of 80 either way."""
    coarse_recheck_side: int = 28
    """The size (pixels across) a version must keep on the finer level that
    ``coarse_recheck`` scores a coarse map's places on: the coarsest level of
    ``coarse_factors`` finer than the map's where it is at least this big (none: no
    recheck; 0: off)."""
    coarse_recheck_from: float = 4
    """Only maps on a level reduced at least this many times are rechecked
    (``coarse_recheck``): icons of 56 px and more. With 2, the maps of the level reduced
    twice (28-56 px icons) are rechecked on the full screen too: on the real-icons bench's
    training half 222 found of 248 instead of 223 (their rechecked places crowded Tango's
    64 px calculator out of its version's candidates), absent icons found 4 of 80 both,
    and 1.15x main's time a query instead of 1.06x (held-out half, paired)."""
    candidates: int = 6
    """Distinct coarse places kept per query (besides each version's own best places)."""
    places_per_version: int = 2
    """Best coarse places of every version kept, so a small version is not crowded out."""
    versions_per_place: int = 3
    """At each kept place, the best candidates of this many versions go on."""
    coarse_slack: float = 0.45
    """A coarse score this far below the threshold may still refine to a match."""
    refine_top: int = 4
    """Places (best colour score after the quick look first) refined at full resolution."""
    quick_steps: tuple[float, ...] = (1 / 1.06, 1.0, 1.06)
    """Scales, relative to the coarse one, of the quick look at each candidate."""
    fine_steps: tuple[tuple[float, int], ...] = ((1.03, 2), (1.01, 1))
    """Refinement rounds: (scale step, steps tried either side of the best scale so far)."""

    score_blur: float = 0.0
    """Gaussian smoothing (pixels, at the scored size) of the screen's patch and the
    version before the colour score; 0 (the default): none.

    A theme's drawing for another size has its thin strokes a pixel elsewhere, and blur,
    JPEG or a camera move them again: unsmoothed, the true place scored 0.65-0.84.
    On the real-icons bench's training half 1.2 px looked better (found 169 -> 178 of
    248, absent found with the look-alike check 0 -> 1 of 80), but on its held-out half
    it raised recall at 0.85 from 69.4% to 74.3% while wrong places rose 0.5% -> 1.9%
    and absent icons found 3.2% -> 6.3% (docs/benchmarks/real-icons.md, "Night (branch `icons7`)"):
    a click in the wrong place or an absent icon "found" makes a verdict lie, a miss
    does not, so it is off unless an icon's ``icon.toml`` or a call asks for it."""

    template_blurs: tuple[float, ...] = (0.0, 0.6, 1.0)
    """Gaussian smoothings (pixels, at the scored size) of the *version alone* tried by the
    colour score, the best kept (the sharp version is always tried); (0.0,): it alone.

    A blurred, JPEG-compressed or photographed screen shows the icon softer than its
    PNG: the sharp version's thin strokes then score 0.75-0.84 at the true place. Unlike
    ``score_blur``, the screen's patch stays sharp, so a sharp look-alike or texture is
    not smoothed towards the icon: a blurred version correlates worse with a sharp patch,
    and the sharp one scores a sharp screen as before. With ``sizes_at_place`` (1.0,),
    on the real-icons bench's training half: found 169 -> 188 of 248, wrong places and
    absent icons found (after the look-alike check) unchanged; held out, recall at 0.85
    70.4% -> 78.2%, wrong places 0.5% and absent found 3.2% both (docs/benchmarks/real-icons.md,
    "Late night (branch `icons32`)")."""

    blur_slack: float = 0.5
    """The smoothed versions (``template_blurs``) are tried only where the sharp one scores
    at least the threshold less this (1.0 or more: everywhere).

    A place whose sharp score is far under the threshold is not one smoothing lifts to a
    match: on robotest's generated screens most candidates of the quick look score low,
    and each was scored three times. On the real-icons bench's training half 0.3 lost two
    camera-tier true places whose quick look scored 0.38 and 0.50 sharp (no longer ranked
    into the refined ones; found 189 -> 187 of 248), 0.45 one of them
    (docs/benchmarks/real-icons.md, "Before dawn (branch `icons33`)")."""

    outline_blurs: tuple[float, ...] = (0.6, 1.0)
    """Gaussian smoothings (pixels, at the scored size) of the version scored once more in
    colour *with its outline* (every opaque pixel; the other colour scores leave the
    outline a pixel wide out), the best score kept; (): none.

    On a lossless screen the outline's pixels are blended with whatever is behind the
    icon and only lower the score; on a blurred, compressed or photographed screen the
    icon's soft edge is part of what it looks like there. Only smoothed versions are
    scored so, and only where the sharp one reaches the threshold less ``blur_slack``
    and the best score is still under the threshold (a place already found keeps its
    score: on robotest's generated screens, scored everywhere, a query took 27% longer):
    a smoothed outline correlates with a soft edge, hardly with a sharp one."""

    sizes_at_place: tuple[float, ...] = (1.0,)
    """Sizes, relative to each refined place's, at which *every* version of the icon is
    refined again there, centred on the place; (): none. Default (1.0,): the other
    versions at the place's size.

    The coarse search looks at each size with the versions drawn nearest it, and keeps
    one scale per version and place: an OS may show another drawing there (its 32 px one
    at 48 px, its 64 px one at 40 px: the one shown scores 0.96-0.99, the nearest 0.8),
    and a part of a big icon can out-correlate the whole at the coarse level (a 96 px
    icon kept at 72 px). 1.0 tries the other versions at the place's size; 1.2 and 1/1.2
    a coarse step larger and smaller, and so on: on the training half (0.694, 0.833, 1.0,
    1.2, 1.44) found 7 more of 248 than no rescoring but answered 2 more at a wrong place
    and let one more absent icon through the look-alike check, so it is opt-in."""
    own_sizes_at_place: tuple[float, ...] = (1.12, 1.25)
    """Sizes, relative to each refined place's, at which the place's *own* version is
    refined again there (only places within ``again_slack`` under the threshold: a place
    at the threshold is found already); (): none.

    The coarse level can keep a part of a big icon (a 64 px icon kept at 57 px, a 96 px
    one at 68 px on soft screens): the refinement reaches 7% either side of it, not the
    icon's own size."""
    again_slack: float = 0.25
    """Only refined places scoring at least the threshold less this are refined again at
    ``sizes_at_place`` (each costs a few refinements per version and size).

    0.45 until branch `icons33`. On the real-icons bench's training half 0.2 lost no
    match, but a drawing with its own details shown at twice its size scored 0.64 with
    the nearest version in a unit test (``test_the_drawing_the_os_shows...``): 0.25."""

    versions_slack: float = 0.0
    """Refined places scoring under the threshold less ``again_slack`` but at least the
    threshold less this are refined again with every *other* version at
    ``sizes_at_place`` too (not at ``own_sizes_at_place``); at or under ``again_slack``:
    none (the default).

    The coarse stage searches each size with the versions drawn nearest it; an OS may
    show another of the theme's drawings there (Breeze's ``user-trash-full`` at 36 px is
    its 64 px drawing reduced: the 32 px one, nearest, scores 0.34 there in colour, 0.45
    in grey, the 64 px one 0.998). The wrong drawing's score then keeps the place from
    every refit."""
    rival_reach: float = 0.5
    """With more than 0, a rival is also searched over the found box and this much of its
    side around, and counted where its box overlaps the found one by a third or more
    (intersection over union); 0: only the fifth of its side around (see
    :func:`robotest.vision.rivals.rival_score`).

    An icon refitted at a larger size can take a box a third of its side off the
    rival's own (Adwaita's ``battery-full`` found at 72 px across ``battery-full-charged``
    shown 23 px to its right): the rival, searched a fifth around, was not reached."""
    rival_margin: float = 0.02
    """With rivals (``rivals.locate_distinct``): how far above every rival's score at the
    place found the icon's own must be."""

    rival_difference: float = 0.3
    """With more than 0, a rival that fits the found place within ``rival_margin`` is
    still told apart where, on the pixels the two drawings differ (each composited with
    its own alpha over the background around), the icon's drawing explains the screen
    this much better than the rival's (:func:`robotest.vision.rivals.difference_score`,
    -1..1); 0: off (the check before branch `icons38`: the scores alone).

    The rival is scored on its own opaque pixels only: a rival whose drawing is a part
    of the icon's (Adwaita's speaker of ``audio-volume-medium``, whose faint sound waves
    the mask at 128 leaves out, at the place of ``audio-volume-muted``: the speaker and a
    box) scores as high there as the icon itself, and the true match was refused. On the
    real-icons bench's training half the six true matches the check refused scored
    0.00-1.00 here (three at 0.74-1.00), the five absent icons it refused 0.00 at most:
    0.3 kept three more (found 197 -> 200 of 248), absent icons found after the check
    0 of 80 either way (docs/benchmarks/real-icons.md, branch `icons38`)."""
    rival_blurs: tuple[float, ...] = (0.0, 0.6, 1.0)
    """Gaussian smoothings (sigma, pixels; 0: sharp) of both drawings at which
    ``rival_difference`` measures their errors, the one where the better fitting drawing
    fits the screen best kept; (0.0,): sharp only (the check before branch `icons48`).

    A blurred or photographed screen shows a thin emblem fainter and wider than either
    sharp drawing: the icon's sharp emblem and the rival's flat face then miss it by
    about as much. On the real-icons bench's training half, degraded tier, Breeze's
    ``folder-bookmark`` at 84 px against ``folder`` and ``folder-unlocked`` at 30 px
    against ``folder-image-people`` told apart 0.05 and 0.16 sharp, 0.78 and 0.58
    smoothed by 1 px: both true matches were refused."""
    colour_shift_tolerance: float = 0.25
    """Colour shift (log gain of one channel against the others') forgiven (cast, gamma)."""
    colour_shift_weight: float = 2.0
    """Score taken off per unit of colour shift past the tolerance (another hue: a sibling)."""
    grey_hue_weight: float = 2.0
    """Score taken off a *grey* version's place (a drawing whose pixels have no hue) per
    unit of the screen's hue share there past ``grey_hue_tolerance`` (see
    :func:`robotest.vision.colour_verification.hue_share`); 0: off.

    A grey version is scored in grey only, blind to hue: Papirus' grey
    ``opera-developer`` ring matched the red ``opera`` ring at 1.00 in grey. Its colour
    evidence may only lower that score, never raise it (scored in colour as a drawing
    of no hue, with the smoothed versions a coloured one gets, a soft camera patch
    raised an absent grey drawing over the threshold, and the worst half and the
    smoothing changed the ranking of grey look-alikes on a grey screen: branch
    ``iconmiss41``). The hue share is 0 on a grey screen: the score is the grey one."""
    grey_hue_tolerance: float = 0.05
    """The hue share forgiven a grey version's place (``grey_hue_weight``): a camera's or
    a degraded screen's colour cast of +-12% gives a grey drawing about 0.01."""

    structure_floor: float = 0.6
    """A place is found only where its edges' orientation similarity with the icon's
    (:mod:`robotest.vision.structure_check`) reaches this; 0: no structure check.

    Set on the real-icons bench's training half (floors 0-0.8 at thresholds 0.7-0.85,
    ``benchmarks/real_icons/structure_tuning.py``): at 0.6 and 0.85 wrong places 2.8% ->
    1.2% for a point of recall; on the held-out half absent icons found 6.3% -> 4.8%
    for 1.4 points of recall (docs/benchmarks.md)."""
    structure_cells: int = 4
    """Cells across (and down) of the orientation histograms, 8 px each."""
    structure_edge_floor: float = 0.0
    """Gradient (grey levels a pixel, Sobel, at the compared size) that a cell's orientation
    histogram is weighed against: each is divided by its length plus a cell's whose every
    pixel has this gradient; 0 (the default): every cell brought to length 1, the HOG way.

    A flat part of an icon (a folder's face) has no edges: on a photographed or
    compressed screen its cells hold only noise, and brought to full weight by the
    normalisation it counts as much as the outline: Breeze's grey folder photographed at
    its own place scored 0.53, under ``structure_floor``; 0.75 at 0.5. On the real-icons
    bench's training half 0.5 took found 189 -> 193 of 248 (four camera true places no
    longer refused), wrong places 4 -> 3, absent icons found 0 after the look-alike
    check either way; but on its held-out half recall 78.2% -> 78.6% and absent icons
    found 1.6% -> 4.8% (two Papirus icons photographed: flat discs with a small glyph,
    whose shared outline then outweighs the glyph). Off unless an icon's ``icon.toml``
    or a call asks for it (docs/benchmarks/real-icons.md, "branch `icons34`"). 1.0 let the unit
    tests' striped blur of an icon pass (0.56 -> 0.61)."""

    structure_inner: float = 0.0
    """With more than 0, the structure similarity is the better of the whole grid's and its
    inner cells' (all but the outer ring: the glyph, not the outline a theme's icons share
    and a photograph's noise disturbs most), where the version's inner cells hold at least
    this share of its gradient; 0 (the default): the whole grid's alone.

    A ring's hole or a flat face inside holds little gradient: its inner cells would
    compare noise (Papirus' ``opera`` rings, 5-17% of their gradient inside). On the
    real-icons bench's training half 0.35 passed 8 of the 9 photographed true places the
    check refused (Breeze's folders, Papirus' four squares), with no wrong place or absent
    icon more; but the unit tests' striped blur of an icon (a texture over its light and
    dark) passes its inner cells (0.80): off unless an icon's ``icon.toml`` or a call asks
    for it (docs/benchmarks/real-icons.md, "branch `icons35`")."""

    structure_outline: float = 0.65
    """A place the structure check refuses (under ``structure_floor``) still passes where
    its orientation similarity *with the icon's outline*
    (:func:`robotest.vision.structure_check.outline_similarity`) reaches this (and
    ``structure_floor``); 0: off (the check before branch `icons40`).

    The check compares the screen's edges with the version's inside its opaque part,
    eroded a pixel: the outline's gradient on screen is the step to whatever is behind
    the icon. An icon that is all silhouette (Papirus' red ``opera`` ring, whose hole is
    transparent, the ``code`` ribbon, Breeze's flat ``libreoffice-impress`` sheet) keeps
    little or no gradient there (``opera`` 64 px photographed: 0.00), so its true place
    was refused. The outline's orientation is its alpha's, whatever the background's
    colour. On the real-icons bench's training half (every candidate reaching 0.85,
    ``structure_floor`` 0.6) 13 true places more passed and none of the 5 wrong places
    or 6 absent icons found more (before the look-alike check); at 0.6 instead of 0.65
    one absent icon more (Adwaita's ``trophy-silver`` photographed, 0.63) passed
    (docs/benchmarks/real-icons.md, branch `icons40`). Stricter than
    ``structure_floor``: with the outline a theme's icons share (discs, folders), a
    look-alike compares better than with the inside alone."""
    structure_outline_weight: float = 0.5
    """The outline's weight in ``structure_outline``'s comparison: the alpha's gradient
    (0-255) times this, against the version's grey gradient inside. Each cell is
    normalised, so it counts only where a cell holds both (0.25-1.0 passed the same true
    places on the training half)."""

    def __post_init__(self) -> None:
        low, high = self.scales
        if not 0.1 <= low <= high <= 8:
            raise VisionInputError(f"scales must be 0.1 <= low <= high <= 8, got {self.scales}")
        if self.threshold is not None and not 0 < self.threshold <= 1:
            raise VisionInputError(f"threshold must be in (0, 1], got {self.threshold}")
        if not 1.01 <= self.coarse_step <= 2:
            raise VisionInputError(f"coarse_step must be in [1.01, 2], got {self.coarse_step}")
        if not 3 <= self.min_side <= 256:
            raise VisionInputError(f"min_side must be 3..256, got {self.min_side}")
        for name in (
            "coarse_min_side",
            "candidates",
            "places_per_version",
            "versions_per_place",
            "refine_top",
        ):
            value = getattr(self, name)
            if not 1 <= value <= 64:
                raise VisionInputError(f"{name} must be 1..64, got {value}")
        if not 0 <= self.between_places <= 64:
            raise VisionInputError(f"between_places must be 0..64, got {self.between_places}")
        if not 0 <= self.coarse_recheck <= 64 or not 0 <= self.coarse_recheck_side <= 256:
            raise VisionInputError(
                f"coarse_recheck must be 0..64 and coarse_recheck_side 0..256, got "
                f"{self.coarse_recheck}, {self.coarse_recheck_side}"
            )
        if not 0 <= self.edge_places <= 64 or not 1 <= self.edge_peaks <= 16:
            raise VisionInputError(
                f"edge_places must be 0..64 and edge_peaks 1..16, got "
                f"{self.edge_places}, {self.edge_peaks}"
            )
        if not 0 <= self.edge_floor <= 255 or not 0 <= self.edge_outline <= 4:
            raise VisionInputError(
                f"edge_floor must be in [0, 255] and edge_outline in [0, 4], got "
                f"{self.edge_floor}, {self.edge_outline}"
            )
        if not 1 <= self.version_overlap <= 4:
            raise VisionInputError(f"version_overlap must be in [1, 4], got {self.version_overlap}")
        if not 0 <= self.edge_after <= 1:
            raise VisionInputError(f"edge_after must be in [0, 1], got {self.edge_after}")
        if not 0 <= self.coarse_slack < 1:
            raise VisionInputError(f"coarse_slack must be in [0, 1), got {self.coarse_slack}")
        if not 0 <= self.score_blur <= 4:
            raise VisionInputError(f"score_blur must be in [0, 4] pixels, got {self.score_blur}")
        if not self.template_blurs or any(not 0 <= b <= 4 for b in self.template_blurs):
            raise VisionInputError(
                f"template_blurs must be pixels in [0, 4], got {self.template_blurs}"
            )
        if not self.rival_blurs or any(not 0 <= b <= 4 for b in self.rival_blurs):
            raise VisionInputError(f"rival_blurs must be pixels in [0, 4], got {self.rival_blurs}")
        if any(not 0 < b <= 4 for b in self.outline_blurs):
            raise VisionInputError(
                f"outline_blurs must be pixels in (0, 4], got {self.outline_blurs}"
            )
        if len(self.sizes_at_place) > 8 or any(not 0.5 <= s <= 2 for s in self.sizes_at_place):
            raise VisionInputError(
                f"sizes_at_place must be at most 8 sizes in [0.5, 2], got {self.sizes_at_place}"
            )
        if len(self.own_sizes_at_place) > 8 or any(
            not 0.5 <= s <= 2 for s in self.own_sizes_at_place
        ):
            raise VisionInputError(
                "own_sizes_at_place must be at most 8 sizes in [0.5, 2], "
                f"got {self.own_sizes_at_place}"
            )
        if not 0 <= self.coarse_colour <= 1:
            raise VisionInputError(f"coarse_colour must be in [0, 1], got {self.coarse_colour}")
        if not 0 <= self.coarse_colour_chroma <= 255:
            raise VisionInputError(
                f"coarse_colour_chroma must be in [0, 255], got {self.coarse_colour_chroma}"
            )
        factors = self.coarse_factors
        if 1 not in factors or len(factors) > 16 or any(not 1 <= f <= 32 for f in factors):
            raise VisionInputError(
                f"coarse_factors must hold 1 and at most 16 factors in [1, 32], got {factors}"
            )
        if not 0 <= self.early_found <= 1:
            raise VisionInputError(f"early_found must be in [0, 1], got {self.early_found}")
        if not 0 <= self.coarse_every_side_from <= 64:
            raise VisionInputError(
                f"coarse_every_side_from must be in [0, 64], got {self.coarse_every_side_from}"
            )
        if not 0 <= self.coarse_detail < 1:
            raise VisionInputError(f"coarse_detail must be in [0, 1), got {self.coarse_detail}")
        if not 0 <= self.blur_slack <= 2:
            raise VisionInputError(f"blur_slack must be in [0, 2], got {self.blur_slack}")
        if not 0 <= self.versions_slack <= 4:
            raise VisionInputError(f"versions_slack must be in [0, 4], got {self.versions_slack}")
        if not 0 <= self.again_slack < 1:
            raise VisionInputError(f"again_slack must be in [0, 1), got {self.again_slack}")
        if not 0 <= self.structure_inner <= 1:
            raise VisionInputError(f"structure_inner must be in [0, 1], got {self.structure_inner}")
        if not 0 <= self.rival_reach <= 2:
            raise VisionInputError(f"rival_reach must be in [0, 2], got {self.rival_reach}")
        if not 0 <= self.rival_difference <= 1:
            raise VisionInputError(
                f"rival_difference must be in [0, 1], got {self.rival_difference}"
            )
        if not -1 <= self.rival_margin <= 1:
            raise VisionInputError(f"rival_margin must be in [-1, 1], got {self.rival_margin}")
        if not 0 <= self.colour_shift_tolerance <= 4 or not 0 <= self.colour_shift_weight <= 10:
            raise VisionInputError(
                "colour_shift_tolerance must be in [0, 4] and colour_shift_weight in [0, 10], "
                f"got {self.colour_shift_tolerance}, {self.colour_shift_weight}"
            )
        if not 0 <= self.grey_hue_weight <= 10 or not 0 <= self.grey_hue_tolerance <= 1:
            raise VisionInputError(
                "grey_hue_weight must be in [0, 10] and grey_hue_tolerance in [0, 1], "
                f"got {self.grey_hue_weight}, {self.grey_hue_tolerance}"
            )
        if not 0 <= self.structure_floor <= 1 or not 1 <= self.structure_cells <= 8:
            raise VisionInputError(
                "structure_floor must be in [0, 1] and structure_cells 1..8, "
                f"got {self.structure_floor}, {self.structure_cells}"
            )
        if not 0 <= self.structure_outline <= 1 or not 0 < self.structure_outline_weight <= 4:
            raise VisionInputError(
                "structure_outline must be in [0, 1] and structure_outline_weight in (0, 4], "
                f"got {self.structure_outline}, {self.structure_outline_weight}"
            )
        if not 0 <= self.structure_edge_floor <= 64:
            raise VisionInputError(
                f"structure_edge_floor must be in [0, 64], got {self.structure_edge_floor}"
            )
        if not self.quick_steps or any(not 0.5 <= s <= 2 for s in self.quick_steps):
            raise VisionInputError(
                f"quick_steps must be scales in [0.5, 2], got {self.quick_steps}"
            )
        if any(not (1 < step <= 1.5 and 0 <= n <= 8) for step, n in self.fine_steps):
            raise VisionInputError(
                f"fine_steps must be (step in (1, 1.5], 0..8), got {self.fine_steps}"
            )

    def override(self, **changes: object) -> MatchParameters:
        """A copy with *changes* (unknown names and bad values: VisionInputError)."""
        known = {f.name for f in fields(self)}
        unknown = sorted(set(changes) - known)
        if unknown:
            raise VisionInputError(
                f"unknown match parameter(s) {', '.join(unknown)}; "
                f"known: {', '.join(sorted(known))}"
            )
        tuples = {k: _as_tuple(v) for k, v in changes.items() if isinstance(v, list)}
        return replace(self, **{**changes, **tuples})  # type: ignore[arg-type]


def _as_tuple(value: list[object]) -> tuple[object, ...]:
    return tuple(_as_tuple(v) if isinstance(v, list) else v for v in value)


DEFAULT = MatchParameters()
"""The parameters of every search that names none."""
