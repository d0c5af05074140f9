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
from dataclasses import dataclass

import numpy as np

from robotest.vision.errors import OcrError

INIT_VARIABLES = (("load_system_dawg", "0"), ("load_freq_dawg", "0"))
"""No word dictionaries, so versions and serial numbers are read as shown."""
_QUIET = (("debug_file", os.devnull),)
"""The library's notes ("Estimating resolution as 233") go nowhere, as the command's do."""
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


def read_words(image: np.ndarray, psm: int) -> list[RawWord]:
    """The words Tesseract reads on a grey *image* with page segmentation mode *psm*."""
    os.environ.setdefault("OMP_THREAD_LIMIT", "1")  # one thread: far faster on a busy machine
    library = _library()
    if library is None:
        return _read_with_command(image, psm)
    return _parse_tsv(_engine(library).tsv(image, psm))


def _parse_tsv(tsv: str) -> list[RawWord]:
    """Word rows (level 5) of Tesseract's TSV output, empty and unrecognised ones left out."""
    words = []
    for row in tsv.splitlines():
        fields = row.split("\t")
        if len(fields) < 12 or fields[0] != "5":
            continue
        text, conf = fields[11].strip(), float(fields[10])
        if text and conf >= 0:
            left, top, width, height = (int(v) for v in fields[6:10])
            words.append(RawWord(text, left, top, width, height, conf))
    return words


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
        "TessBaseAPIGetTsvText": ([handle, ctypes.c_int], text),
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

    def tsv(self, image: np.ndarray, psm: int) -> str:
        """Tesseract's TSV output for a grey uint8 *image*."""
        pixels = np.ascontiguousarray(image, dtype=np.uint8)
        if pixels.ndim != 2:
            raise OcrError(f"tesseract needs a grey image, got shape {pixels.shape}")
        lib = self._lib
        lib.TessBaseAPISetPageSegMode(self._handle, psm)
        lib.TessBaseAPISetImage(
            self._handle,
            pixels.ctypes.data,
            pixels.shape[1],
            pixels.shape[0],
            1,
            pixels.strides[0],
        )
        result = lib.TessBaseAPIGetTsvText(self._handle, 0)
        lib.TessBaseAPIClear(self._handle)
        if not result:
            raise OcrError("tesseract failed to recognise the image")
        try:
            return ctypes.string_at(result).decode("utf-8", "replace")
        finally:
            lib.TessDeleteText(result)

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
