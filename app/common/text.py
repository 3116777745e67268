"""Text normalisation for what people type and what spreadsheets store."""
import re
import unicodedata

# Spaces Excel users paste: ideographic (full-width), no-break, thin, zero-width.
_EXTRA_SPACES = "\u3000\u00a0\u2002\u2003\u2009\u200b\ufeff"


def clean(value: str) -> str:
    """Strip ordinary and full-width spaces from both ends."""
    return value.strip(" \t\r\n" + _EXTRA_SPACES)


def to_halfwidth(value: str) -> str:
    """Full-width letters, digits, punctuation and spaces to their ASCII forms (NFKC)."""
    return unicodedata.normalize("NFKC", value.replace("\u3000", " "))


def fold(value: str) -> str:
    """Compare-key for typed answers: trimmed, half-width, case-folded, inner spaces collapsed."""
    return " ".join(to_halfwidth(clean(value)).casefold().split())


def has_control_characters(text: str, allow: str = "") -> bool:
    """NUL and other invisible control characters (PostgreSQL refuses NUL); `allow` lists exceptions."""
    return any(unicodedata.category(char) == "Cc" and char not in allow for char in text)


# What no stored text may hold: C0 controls (tab, LF and CR aside), DEL and the C1 controls, unpaired
# surrogates (a Python str holds a surrogate only unpaired; it cannot be written as UTF-8) and U+FFFE/U+FFFF.
# PostgreSQL refuses NUL, XML (so .xlsx) refuses the C0 controls, a page cannot encode a surrogate.
_HOSTILE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
_HOSTILE_OR_BREAK = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
_BREAKS = re.compile("[\t\r\n]+")


def is_hostile(text: str, *, line_breaks: bool = True) -> bool:
    """Whether `text` holds a character no field may store (see _HOSTILE); tab, CR and LF count too
    unless `line_breaks` (a multi-line field)."""
    return (_HOSTILE if line_breaks else _HOSTILE_OR_BREAK).search(text) is not None


def scrub(text: str, *, line_breaks: bool = True) -> str:
    """`text` with what no field may store removed (surrogates become U+FFFD, so a member's answer
    keeps its length); without `line_breaks`, runs of tab, CR and LF become one space."""
    if not line_breaks:
        text = _BREAKS.sub(" ", text)
    return _HOSTILE.sub(lambda match: "\ufffd" if "\ud800" <= match.group() <= "\udfff" else "", text)


def like_pattern(text: str) -> str:
    """`text` as a SQL LIKE pattern that matches it anywhere, its own % _ and \\ taken literally
    (use with `escape="\\"`)."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


_BIDI_CONTROLS = frozenset("\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def download_safe_name(filename: str) -> str:
    """A file name fit for a download header: no control characters, path separators, unpaired
    surrogates or bidirectional overrides (which make "cod.exe" look like "exe.doc"), at most 150
    characters, never empty."""
    name = "".join(
        "_" if unicodedata.category(char) in ("Cc", "Cs") or char in "/\\" or char in _BIDI_CONTROLS else char
        for char in filename
    )
    name = " ".join(name.split()).strip(". ")
    if len(name) > 150:
        stem, dot, extension = name.rpartition(".")
        name = (stem[: 150 - len(extension) - 1] + dot + extension) if dot and len(extension) <= 8 else name[:150]
    return name or "download"
