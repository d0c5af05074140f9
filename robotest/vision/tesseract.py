"""Running Tesseract: in this process through ``tesserocr``, or as a command.

Starting the ``tesseract`` command loads the LSTM model every time: about 110 ms of CPU
for each read, against about 10 ms to recognise a value of one line. The library is
therefore used in this process through `tesserocr` (the maintained binding of
Tesseract's API), one engine per thread with its model loaded once and kept until the
process exits. It reads the installed ``tesseract-ocr-eng`` model. Where tesserocr
cannot be imported, the command is run through pytesseract; both read with the same
model and settings and give the same words.
"""

from __future__ import annotations

import atexit
import functools
import os
import re
import subprocess
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from robotest.settings import settings
from robotest.vision.errors import OcrError

INIT_VARIABLES = (("load_system_dawg", "0"), ("load_freq_dawg", "0"), ("tessedit_do_invert", "0"))
"""No word dictionaries, so versions and serial numbers are read as shown; and no second
read of an unsure line inverted: every image given to Tesseract is already dark text on
light (``ocr_engine.prepare``), and the second read cost about 6% of a whole screen's
time. Earlier it was kept for a real `dialog` menu's highlighted value, read
``VADWGEQ7737-604 7`` without it; since the bars' letters are found as such (stop 33-34)
that value reads the same either way (tests/vision/test_solid_bars.py), and of the 44
tuning screens of both real-screen corpora one read changed (a camera value misread
either way)."""
_QUIET = (("debug_file", os.devnull),)
"""The library's notes ("Estimating resolution as 233") go nowhere, as the command's do."""
_CHOICE_MODE = "lstm_choice_mode"
"""Set to 2, Tesseract keeps each character's alternatives as the LSTM weighed them
(:attr:`RawWord.choices`); the text read is the same. About 0.8 ms more a line read
(6.4 against 5.6 ms), so asked for only where they are used."""
_OEM_LSTM_ONLY = 1
_TIMEOUT_S = 30  # the command only; the library is not interrupted
_MISSING = "tesseract is not installed (apt-get install tesseract-ocr)"


@dataclass(frozen=True)
class RawWord:
    """A word as Tesseract reports it: pixels of the image it read, confidence 0..100."""

    text: str
    left: int
    top: int
    width: int
    height: int
    conf: float
    symbols: tuple[tuple[int, int], ...] = ()
    """Left and right edge of each character (the library reports them; the command not)."""
    choices: tuple[tuple[tuple[str, float], ...], ...] = ()
    """Each character's alternatives with the LSTM's confidence in each (0..100), the
    character read first (the library reports them; the command not)."""

    @property
    def right(self) -> int:
        return self.left + self.width


def read_words(image: np.ndarray, psm: int, choices: bool = False) -> list[RawWord]:
    """The words Tesseract reads on a grey *image* with page segmentation mode *psm*;
    with *choices*, each character's alternatives (in this process only)."""
    os.environ.setdefault("OMP_THREAD_LIMIT", "1")  # one thread: far faster on a busy machine
    if not in_process():
        return _read_with_command(image, psm)
    return _engine().words(image, psm, choices)


MOST_READERS = 4
"""Threads reading a page's lines at most, unless ``RTEST_OCR_THREADS`` asks for more."""


def readers() -> int:
    """How many threads read a page's lines (:func:`read_all`): ``RTEST_OCR_THREADS``, or
    by default the cores less one (the station's own threads keep one), at most
    :data:`MOST_READERS`; 1 reads them one after another in the caller's thread."""
    chosen = settings().ocr_threads
    if chosen:
        return chosen
    return max(1, min(MOST_READERS, (os.cpu_count() or 1) - 1))


def read_all(
    images: Sequence[tuple[np.ndarray, int]],
    read: Callable[[np.ndarray, int], list[RawWord]] | None = None,
) -> list[list[RawWord]]:
    """*read* (default :func:`read_words`) of each grey image with its page segmentation
    mode, in order: the reads spread over :func:`readers` threads, each with its own engine.

    Tesseract lets go of Python's lock while it recognises, so the threads read at once;
    each read is the one the caller's thread would have made (an engine keeps nothing from
    one read to the next: no dictionary, no adaptation)."""
    reader = read_words if read is None else read
    threads = min(readers(), len(images))
    if threads <= 1 or not in_process():
        return [reader(image, psm) for image, psm in images]
    return list(_pool(threads).map(lambda item: reader(*item), images))


_pools: dict[int, ThreadPoolExecutor] = {}
"""The readers' pools by size, each kept until the process exits (Python joins their
threads before :func:`_close_engines` frees the engines)."""
_pools_lock = threading.Lock()


def _forget_pools() -> None:
    """In a forked child: the parent's readers are not there; new ones start if asked."""
    global _pools_lock
    _pools.clear()
    _pools_lock = threading.Lock()


os.register_at_fork(after_in_child=_forget_pools)


def _pool(threads: int) -> ThreadPoolExecutor:
    """The pool of *threads* readers, each thread's engine loaded before the first read
    (one engine at a time: a model's loading sets Tesseract's global settings)."""
    with _pools_lock:
        pool = _pools.get(threads)
        if pool is None:
            pool = ThreadPoolExecutor(threads, thread_name_prefix="tesseract")
            started = threading.Barrier(threads)  # one loading task for each thread

            def load(_: int) -> None:
                try:
                    _engine()
                finally:
                    started.wait()

            list(pool.map(load, range(threads)))
            _pools[threads] = pool
    return pool


def _read_with_command(image: np.ndarray, psm: int) -> list[RawWord]:
    try:
        import pytesseract

        config = " ".join(f"-c {name}={value}" for name, value in INIT_VARIABLES)
        data = pytesseract.image_to_data(
            image,
            config=f"--oem {_OEM_LSTM_ONLY} {config} --psm {psm}",
            output_type=pytesseract.Output.DICT,
            timeout=_TIMEOUT_S,
        )
    except (ImportError, pytesseract.TesseractNotFoundError):
        raise OcrError(_MISSING) from None
    except (pytesseract.TesseractError, RuntimeError) as exc:
        raise OcrError(f"tesseract failed: {str(exc).strip().splitlines()[-1:]}") from None
    columns = ("text", "left", "top", "width", "height", "conf")
    rows = zip(*(data[c] for c in columns), strict=True)
    return [
        RawWord(str(text).strip(), int(left), int(top), int(width), int(height), float(conf))
        for text, left, top, width, height, conf in rows
        if str(text).strip() and float(conf) >= 0
    ]


_lock = threading.Lock()
_loading = threading.Lock()
_local = threading.local()
_engines: list[_Engine] = []
_TESSDATA = re.compile(r'"(.+?)"')


@functools.cache
def in_process() -> bool:
    """Whether Tesseract can run in this process (tesserocr importable)."""
    try:
        import tesserocr  # noqa: F401
    except ImportError:
        return False
    return True


@functools.cache
def _model_folder() -> str:
    """The folder of the installed models, as the ``tesseract`` command reports it (asked
    once, not for every thread's engine)."""
    prefix = os.environ.get("TESSDATA_PREFIX")
    if prefix:
        return prefix
    try:
        listing = subprocess.run(
            ["tesseract", "--list-langs"],
            capture_output=True,
            text=True,
            timeout=_TIMEOUT_S,
            check=False,
        ).stdout
    except (OSError, subprocess.TimeoutExpired):
        raise OcrError(_MISSING) from None
    found = _TESSDATA.search(listing)
    if found is None:
        raise OcrError("tesseract does not say where its models are (set TESSDATA_PREFIX)")
    return found.group(1)


class _Engine:
    """One initialised Tesseract API (model loaded); used by one thread at a time."""

    def __init__(self) -> None:
        import tesserocr

        variables = dict(INIT_VARIABLES)
        try:
            self._api: Any = tesserocr.PyTessBaseAPI(
                path=_model_folder(), lang="eng", oem=tesserocr.OEM.LSTM_ONLY, variables=variables
            )
        except RuntimeError:
            raise OcrError(
                "tesseract could not load its English model (tesseract-ocr-eng)"
            ) from None
        for name, value in _QUIET:  # not taken at initialisation
            self._api.SetVariable(name, value)

    def words(self, image: np.ndarray, psm: int, choices: bool = False) -> list[RawWord]:
        """The words read on a grey uint8 *image*, each with its characters' edges (and
        with *choices*, their alternatives)."""
        pixels = np.ascontiguousarray(image, dtype=np.uint8)
        if pixels.ndim != 2:
            raise OcrError(f"tesseract needs a grey image, got shape {pixels.shape}")
        api = self._api
        api.SetPageSegMode(psm)
        api.SetVariable(_CHOICE_MODE, "2" if choices else "0")
        height, width = pixels.shape
        api.SetImageBytes(pixels.tobytes(), width, height, 1, width)
        try:
            api.Recognize()
            iterator = api.GetIterator()
            return [] if iterator is None else _collect(iterator, choices)
        finally:
            api.Clear()

    def close(self) -> None:
        self._api.End()


def _collect(iterator: Any, choices: bool = False) -> list[RawWord]:
    """Walk the result character by character; empty and unrecognised words are left out.
    With *choices*, each character's alternatives are kept."""
    from tesserocr import RIL, iterate_level

    words: list[RawWord] = []
    edges: list[list[tuple[int, int]]] = []  # each kept word's characters, as they come
    alternatives: list[list[tuple[tuple[str, float], ...]]] = []
    for symbol in iterate_level(iterator, RIL.SYMBOL):
        if symbol.IsAtBeginningOf(RIL.WORD):
            box = symbol.BoundingBox(RIL.WORD)
            conf = float(symbol.Confidence(RIL.WORD))
            text = (symbol.GetUTF8Text(RIL.WORD) or "").strip()
            if text and box is not None and conf >= 0:
                left, top, right, bottom = box
                words.append(RawWord(text, left, top, right - left, bottom - top, conf))
                edges.append([])
                alternatives.append([])
        character = symbol.BoundingBox(RIL.SYMBOL)
        if words and character is not None and words[-1].left <= character[0] < words[-1].right:
            edges[-1].append((character[0], character[2]))
            alternatives[-1].append(_alternatives(symbol) if choices else ())
    return [
        replace(word, symbols=tuple(e), choices=tuple(c) if choices else ())
        for word, e, c in zip(words, edges, alternatives, strict=True)
    ]


def _alternatives(symbol: Any) -> tuple[tuple[str, float], ...]:
    """The LSTM's alternatives for the character at *symbol* (an iterator), best first."""
    return tuple((c.GetUTF8Text(), float(c.Confidence())) for c in symbol.GetChoiceIterator())


def _engine() -> _Engine:
    """This thread's engine, created (the model loaded) on first use."""
    engine = getattr(_local, "engine", None)
    if engine is None:
        with _loading:
            engine = _Engine()
        _local.engine = engine
        with _lock:
            _engines.append(engine)
    return engine


@atexit.register
def _close_engines() -> None:
    """Free the engines, so that Tesseract does not report its model as leaked at exit."""
    with _lock:
        while _engines:
            _engines.pop().close()
