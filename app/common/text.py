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
