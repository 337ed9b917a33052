import re
import unicodedata


def fold(text: str) -> str:
    """Upper case without accents or punctuation, single spaces: the form names are compared in.
    Ñ is a letter in Spanish, so it survives."""
    text = (text or "").upper().replace("Ñ", "\0")
    text = "".join(ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch))
    text = text.replace("\0", "Ñ")
    text = re.sub(r"[^A-ZÑ0-9]+", " ", text)
    return " ".join(text.split())


def search_key(text: str) -> str:
    """`fold` for searching: people type "narino" for NARIÑO and "ese" for E.S.E."""
    text = re.sub(r"(?<=\w)\.(?=\w)|(?<=\b\w)\.", "", (text or "").replace("Ñ", "N").replace("ñ", "n"))
    return fold(text)
