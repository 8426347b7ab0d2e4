"""Reading scans and images (``.png``, ``.jpg``, PDF pages without a text layer) with OCR:
Debian's Tesseract through pytesseract, in the languages of ``PLW_OCR_LANGS`` (default
``eng``; each needs its ``tesseract-ocr-<lang>`` package).

Each page keeps its mean word confidence (0-100), so a passage read from a scan says so in its
citation. It runs in the converter's worker (``isolate``): an image over the pixel limit is
refused before it is decoded, and each page's OCR has its own time limit.
"""

from __future__ import annotations

import io
import os
import re
from collections.abc import Iterable
from typing import Any

from ..errors import CorpusError
from .formats import Converted

IMAGES = {".png", ".jpg", ".jpeg"}
MAX_PIXELS = 40_000_000  # a 600 dpi A4 scan is 35 million pixels
PAGE_TIMEOUT_S = 30  # one page's OCR
NOTHING_READ = "OCR found no text in it (a blank or unreadable scan?)"
_LANGS = re.compile(r"[a-z_]{3,}(?:\+[a-z_]{3,})*")


def ocr_langs() -> str:
    """``PLW_OCR_LANGS`` as Tesseract reads it ("eng", "eng+deu"); ``eng`` when unset."""
    langs = os.environ.get("PLW_OCR_LANGS", "").strip().replace(",", "+").replace(" ", "")
    return langs if _LANGS.fullmatch(langs or "-") else "eng"


def read_image(data: bytes) -> Converted:
    """An image's text by OCR, as one page with its confidence."""
    from PIL import Image

    try:
        image = Image.open(io.BytesIO(data))
    except Image.DecompressionBombError:
        raise CorpusError(
            f"its image is too large (over {2 * MAX_PIXELS // 1_000_000} million pixels)"
        ) from None
    check_pixels(*image.size)
    text, confidence = ocr_page(image)
    if not text:
        raise CorpusError(NOTHING_READ)
    return Converted(text + "\n", {}, markdown=False, ocr=(confidence,))


def check_pixels(width: int, height: int) -> None:
    """Refuse an image too large to decode safely (a decompression bomb)."""
    if width * height > MAX_PIXELS:
        raise CorpusError(
            f"its image is too large ({width * height / 1e6:,.0f} million pixels; "
            f"the limit is {MAX_PIXELS // 1_000_000} million)"
        )


def ocr_page(image: Any) -> tuple[str, float]:
    """The text of one image (paragraphs separated by a blank line) and its mean word
    confidence; ``("", 0.0)`` when nothing was read."""
    import pytesseract
    from PIL import Image

    image.load()
    if image.mode not in ("L", "RGB"):
        image = image.convert("RGBA" if "A" in image.getbands() else "RGB")
        if image.mode == "RGBA":  # transparency on white, as it would be printed
            white = Image.new("RGB", image.size, "white")
            white.paste(image, mask=image.getchannel("A"))
            image = white
    try:
        data = pytesseract.image_to_data(
            image,
            lang=ocr_langs(),
            output_type=pytesseract.Output.DICT,
            timeout=PAGE_TIMEOUT_S,
        )
    except RuntimeError as exc:  # pytesseract's timeout
        raise CorpusError(f"its OCR took longer than {PAGE_TIMEOUT_S} s for a page") from exc
    except pytesseract.TesseractNotFoundError:
        raise CorpusError("OCR needs Tesseract: apt-get install tesseract-ocr") from None
    except pytesseract.TesseractError as exc:
        raise CorpusError(f"its OCR failed ({str(exc.message).strip()[:120]})") from None
    return _text(data)


def _text(data: dict[str, list[Any]]) -> tuple[str, float]:
    paragraphs: dict[tuple[int, int], dict[int, list[str]]] = {}
    confidences: list[float] = []
    rows: Iterable[tuple[Any, ...]] = zip(
        data["block_num"],
        data["par_num"],
        data["line_num"],
        data["text"],
        data["conf"],
        strict=True,
    )
    for block, par, line, word, conf in rows:
        word = " ".join(str(word).split())
        if not word or float(conf) < 0:
            continue
        paragraphs.setdefault((block, par), {}).setdefault(line, []).append(word)
        confidences.append(float(conf))
    text = ""
    for lines in paragraphs.values():
        # Tesseract often breaks a paragraph mid-sentence: one that ends without a full stop
        # goes on in the next.
        gap = "\n" if text and not re.search(r"[.!?:;]\W*$", text) else "\n\n"
        text += (gap if text else "") + "\n".join(" ".join(words) for words in lines.values())
    mean = sum(confidences) / len(confidences) if confidences else 0.0
    return text.strip(), round(mean, 1)


def scanned_pages(reader: Any, pages: list[str]) -> tuple[list[str], list[float], list[int]]:
    """The PDF's pages with those without a text layer read by OCR from their images: each
    page's text, its confidence (-1: its text layer) and the pages that yielded nothing."""
    texts, confidences, empty = list(pages), [-1.0] * len(pages), []
    for n, page in enumerate(reader.pages):
        if texts[n]:
            continue
        for width, height in _image_sizes(page):
            check_pixels(width, height)
        read = [ocr_page(image.image) for image in page.images]
        read = [(text, conf) for text, conf in read if text]
        if read:
            texts[n] = "\n\n".join(text for text, _ in read)
            confidences[n] = round(sum(conf for _, conf in read) / len(read), 1)
        else:
            empty.append(n + 1)
    return texts, confidences, empty


def _image_sizes(page: Any) -> list[tuple[int, int]]:
    """Width and height of each image the page draws, read before any is decoded."""
    resources: Any = page.get("/Resources")
    xobjects: Any = resources.get_object().get("/XObject") if resources is not None else None
    sizes = []
    for ref in xobjects.get_object().values() if xobjects is not None else ():
        obj = ref.get_object()
        if obj.get("/Subtype") == "/Image":
            sizes.append((int(obj.get("/Width", 0)), int(obj.get("/Height", 0))))
    return sizes
