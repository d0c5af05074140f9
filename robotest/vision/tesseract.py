"""Running Tesseract: in this process through libtesseract's C API, or as a command.

Starting the ``tesseract`` command loads the LSTM model every time: about 110 ms of CPU
for each read, against about 10 ms to recognise a value of one line. The library is
therefore loaded once (one engine per thread, kept until the process exits) through
:mod:`ctypes`. Where libtesseract cannot be loaded (another platform, a bare binary on
PATH), the command is run through pytesseract. Both give the same words for the same
image and settings: the engine is the same.
"""

from __future__ import annotations

import atexit
import ctypes
import ctypes.util
import os
import threading
from dataclasses import dataclass, replace

import numpy as np

from robotest.vision.errors import OcrError

INIT_VARIABLES = (("load_system_dawg", "0"), ("load_freq_dawg", "0"))
"""No word dictionaries, so versions and serial numbers are read as shown."""
_QUIET = (("debug_file", os.devnull),)
"""The library's notes ("Estimating resolution as 233") go nowhere, as the command's do."""
_OEM_LSTM_ONLY = 1
_WORD, _SYMBOL = 3, 4  # levels of Tesseract's result iterator
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

    @property
    def right(self) -> int:
        return self.left + self.width


def read_words(image: np.ndarray, psm: int) -> list[RawWord]:
    """The words Tesseract reads on a grey *image* with page segmentation mode *psm*."""
    os.environ.setdefault("OMP_THREAD_LIMIT", "1")  # one thread: far faster on a busy machine
    library = _library()
    if library is None:
        return _read_with_command(image, psm)
    return _engine(library).words(image, psm)


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
_loaded: list[ctypes.CDLL | None] = []
_local = threading.local()
_engines: list[_Engine] = []


def _library() -> ctypes.CDLL | None:
    """libtesseract with the C functions used here declared, or None where it is missing."""
    with _lock:
        if not _loaded:
            _loaded.append(_load_library())
        return _loaded[0]


def _load_library() -> ctypes.CDLL | None:
    name = ctypes.util.find_library("tesseract")
    if name is None:
        return None
    try:
        lib = ctypes.CDLL(name)
    except OSError:
        return None
    handle, text, string = ctypes.c_void_p, ctypes.c_void_p, ctypes.c_char_p
    iterator, box = ctypes.c_void_p, ctypes.POINTER(ctypes.c_int)
    strings = ctypes.POINTER(ctypes.c_char_p)
    signatures = {
        "TessBaseAPICreate": ([], handle),
        "TessBaseAPIInit4": (
            [
                handle,
                string,
                string,
                ctypes.c_int,
                strings,
                ctypes.c_int,
                strings,
                strings,
                ctypes.c_size_t,
                ctypes.c_bool,
            ],
            ctypes.c_int,
        ),
        "TessBaseAPISetVariable": ([handle, string, string], ctypes.c_bool),
        "TessBaseAPISetPageSegMode": ([handle, ctypes.c_int], None),
        "TessBaseAPISetImage": (
            [handle, ctypes.c_void_p, ctypes.c_int, ctypes.c_int, ctypes.c_int, ctypes.c_int],
            None,
        ),
        "TessBaseAPIRecognize": ([handle, ctypes.c_void_p], ctypes.c_int),
        "TessBaseAPIGetIterator": ([handle], iterator),
        "TessResultIteratorGetPageIterator": ([iterator], iterator),
        "TessPageIteratorIsAtBeginningOf": ([iterator, ctypes.c_int], ctypes.c_bool),
        "TessPageIteratorBoundingBox": ([iterator, ctypes.c_int, *[box] * 4], ctypes.c_bool),
        "TessResultIteratorGetUTF8Text": ([iterator, ctypes.c_int], text),
        "TessResultIteratorConfidence": ([iterator, ctypes.c_int], ctypes.c_float),
        "TessResultIteratorNext": ([iterator, ctypes.c_int], ctypes.c_bool),
        "TessResultIteratorDelete": ([iterator], None),
        "TessBaseAPIClear": ([handle], None),
        "TessDeleteText": ([text], None),
        "TessBaseAPIEnd": ([handle], None),
        "TessBaseAPIDelete": ([handle], None),
    }
    try:
        for function, (arguments, result) in signatures.items():
            getattr(lib, function).argtypes = arguments
            getattr(lib, function).restype = result
    except AttributeError:  # a library without the C API
        return None
    return lib


class _Engine:
    """One initialised TessBaseAPI (model loaded); used by one thread at a time."""

    def __init__(self, lib: ctypes.CDLL) -> None:
        self._lib = lib
        self._handle = lib.TessBaseAPICreate()
        count = len(INIT_VARIABLES)
        names = (ctypes.c_char_p * count)(*(n.encode() for n, _ in INIT_VARIABLES))
        values = (ctypes.c_char_p * count)(*(v.encode() for _, v in INIT_VARIABLES))
        status = lib.TessBaseAPIInit4(
            self._handle, None, b"eng", _OEM_LSTM_ONLY, None, 0, names, values, count, False
        )
        if status != 0:
            lib.TessBaseAPIDelete(self._handle)
            raise OcrError("tesseract could not load its English model (tesseract-ocr-eng)")
        for name, value in _QUIET:  # not taken at initialisation
            lib.TessBaseAPISetVariable(self._handle, name.encode(), value.encode())

    def words(self, image: np.ndarray, psm: int) -> list[RawWord]:
        """The words read on a grey uint8 *image*, each with its characters' edges."""
        pixels = np.ascontiguousarray(image, dtype=np.uint8)
        if pixels.ndim != 2:
            raise OcrError(f"tesseract needs a grey image, got shape {pixels.shape}")
        lib, handle = self._lib, self._handle
        lib.TessBaseAPISetPageSegMode(handle, psm)
        height, width = pixels.shape
        lib.TessBaseAPISetImage(handle, pixels.ctypes.data, width, height, 1, pixels.strides[0])
        try:
            if lib.TessBaseAPIRecognize(handle, None) != 0:
                raise OcrError("tesseract failed to recognise the image")
            iterator = lib.TessBaseAPIGetIterator(handle)
            if not iterator:
                return []
            try:
                return self._collect(iterator)
            finally:
                lib.TessResultIteratorDelete(iterator)
        finally:
            lib.TessBaseAPIClear(handle)

    def _collect(self, iterator: int) -> list[RawWord]:
        """Walk the result character by character; empty and unrecognised words are left out."""
        lib = self._lib
        page = lib.TessResultIteratorGetPageIterator(iterator)
        words: list[RawWord] = []
        while True:
            if lib.TessPageIteratorIsAtBeginningOf(page, _WORD):
                box = self._box(page, _WORD)
                conf = float(lib.TessResultIteratorConfidence(iterator, _WORD))
                text = self._text(iterator, _WORD)
                if text and box is not None and conf >= 0:
                    left, top, right, bottom = box
                    words.append(RawWord(text, left, top, right - left, bottom - top, conf))
            symbol = self._box(page, _SYMBOL)
            if words and symbol is not None and words[-1].left <= symbol[0] < words[-1].right:
                word = words[-1]
                words[-1] = replace(word, symbols=(*word.symbols, (symbol[0], symbol[2])))
            if not lib.TessResultIteratorNext(iterator, _SYMBOL):
                return words

    def _text(self, iterator: int, level: int) -> str:
        pointer = self._lib.TessResultIteratorGetUTF8Text(iterator, level)
        if not pointer:
            return ""
        try:
            return ctypes.string_at(pointer).decode("utf-8", "replace").strip()
        finally:
            self._lib.TessDeleteText(pointer)

    def _box(self, page: int, level: int) -> tuple[int, int, int, int] | None:
        edges = [ctypes.c_int() for _ in range(4)]
        if not self._lib.TessPageIteratorBoundingBox(page, level, *map(ctypes.byref, edges)):
            return None
        left, top, right, bottom = (e.value for e in edges)
        return left, top, right, bottom

    def close(self) -> None:
        self._lib.TessBaseAPIEnd(self._handle)
        self._lib.TessBaseAPIDelete(self._handle)


def _engine(lib: ctypes.CDLL) -> _Engine:
    """This thread's engine, created (the model loaded) on first use."""
    engine = getattr(_local, "engine", None)
    if engine is None:
        engine = _Engine(lib)
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
