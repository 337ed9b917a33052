"""Uploaded files, one way for every kind: the checks every upload passes (R2.5: names, content,
PDFs), and `StoredFile`, the abstract model that keeps a checked file in the configured storage
with its hash, size, type and original name, and serves it back."""

from .checks import CheckedFile, check_uploaded_file
from .content import CHUNK_SIZE, DOCX, XLSX
from .names import EXECUTABLE_EXTENSIONS, FORBIDDEN_EXTENSIONS, sanitize_filename

__all__ = [
    "CHUNK_SIZE",
    "DOCX",
    "EXECUTABLE_EXTENSIONS",
    "FORBIDDEN_EXTENSIONS",
    "XLSX",
    "CheckedFile",
    "check_uploaded_file",
    "sanitize_filename",
]
