"""Untrusted text from feeds, pages and servers, cleaned once where it enters: no NUL or other control
characters (PostgreSQL refuses NUL, terminals obey escape sequences), no lone surrogates (no driver can
encode them), and lengths capped (a 5 MB headline is no headline).

Every later step (detection, storage, rendering) may take the text as clean; each output medium still
escapes it in its own way.
"""

from __future__ import annotations

import hashlib
import re

TITLE_CHARS = 300  # headlines; the longest of 2,000 real ones has 250
NAME_CHARS = 120  # an outlet's or a feed's name, an author
SUMMARY_CHARS = 100_000  # a feed entry's summary or content (some feeds carry whole articles)
TEXT_CHARS = 500_000  # an article's main text; the longest of 200 real pages has 60,000
DETAIL_CHARS = 300  # a server's words in an error message (an HTTP reason phrase)
KEY_CHARS = 2_048  # a link or an id, as stored (the columns' size)

# C0 controls but tab and newline, DEL and C1 controls (ESC starts terminal sequences; U+009B is a
# one-character CSI to some terminals), and surrogates, which no encoder accepts alone.
_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_SURROGATES = re.compile("[\ud800-\udfff]")
_BLANKS = re.compile(r"\s+")


def clean_text(text: str, limit: int = TEXT_CHARS) -> str:
    """Multi-line text without control characters (tab and newline kept, CR as newline) or lone
    surrogates, at most `limit` characters."""
    text = text[: limit * 2]  # the cut comes last, but work on a 5 MB string starts bounded
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _SURROGATES.sub("\ufffd", _CONTROLS.sub("", text))
    return text[:limit]


def clean_line(text: str, limit: int = TITLE_CHARS) -> str:
    """One line of text: cleaned, blanks folded to single spaces, at most `limit` characters (a longer one
    ends with "…")."""
    line = _BLANKS.sub(" ", _SURROGATES.sub("\ufffd", _CONTROLS.sub(" ", text[: limit * 2]))).strip()
    return line if len(line) <= limit else line[: limit - 1].rstrip() + "…"


def clean_key(text: str, limit: int = KEY_CHARS) -> str:
    """An identifier (a guid) as stored: cleaned, and longer ones replaced by a digest of the whole."""
    key = clean_line(text, len(text) + 1)
    if len(key) <= limit:
        return key
    return "sha256:" + hashlib.sha256(key.encode("utf-8", "replace")).hexdigest()


def is_clean_link(url: str) -> bool:
    """Whether a link can be stored and fetched as it is: no blank or control character, not too long."""
    return len(url) <= KEY_CHARS and not _BLANKS.search(url) and not _CONTROLS.search(url)
