"""Text normalisation for what people type and what spreadsheets store."""
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


def like_pattern(text: str) -> str:
    """`text` as a SQL LIKE pattern that matches it anywhere, its own % _ and \\ taken literally
    (use with `escape="\\"`)."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def download_safe_name(filename: str) -> str:
    """A file name fit for a download header: no control characters, path separators or unpaired
    surrogates, at most 150 characters, never empty."""
    name = "".join(
        "_" if unicodedata.category(char) in ("Cc", "Cs") or char in "/\\" else char for char in filename
    )
    name = " ".join(name.split()).strip(". ")
    if len(name) > 150:
        stem, dot, extension = name.rpartition(".")
        name = (stem[: 150 - len(extension) - 1] + dot + extension) if dot and len(extension) <= 8 else name[:150]
    return name or "download"
