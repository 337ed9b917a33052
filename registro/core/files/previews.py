"""Page images of stored PDFs: what the desk and the entity's pages show instead of the PDF itself.
PDFium renders them in the bounded child (`isolation`), `PREVIEW_WIDTH` pixels wide, and they are
kept in the file's storage under `previews/<sha256>/`, so each page is rendered once whoever asks
(the same content uploaded twice shares its images)."""

import logging
import os
import shutil
import tempfile
from contextlib import contextmanager

from django.conf import settings
from django.core.files import File

from registro.core.files import inspection, isolation
from registro.core.files.content import CHUNK_SIZE

logger = logging.getLogger(__name__)

PREVIEW_FOLDER = "previews"


class PreviewUnavailable(Exception):
    """The page doesn't exist, or the document could not be rendered."""


def previewable(row) -> bool:
    return row.content_type == "application/pdf"


@contextmanager
def local_path(row):
    """A path to the stored file: the file itself on disk storage, else a temporary copy."""
    try:
        yield row.archivo.storage.path(row.archivo.name)
        return
    except NotImplementedError:
        pass
    with row.archivo.open("rb") as source, tempfile.NamedTemporaryFile(prefix="registro-preview-") as copy:
        shutil.copyfileobj(source, copy, CHUNK_SIZE)
        copy.flush()
        yield copy.name


def _keep(storage, name: str, path: str) -> None:
    if storage.exists(name):
        return  # rendered meanwhile by another request
    with open(path, "rb") as rendered:
        saved = storage.save(name, File(rendered))
    if saved != name:  # lost a race: the other copy is the same image
        storage.delete(saved)


def page_count(row) -> int:
    if not previewable(row):
        raise PreviewUnavailable("not a PDF")
    storage = row.archivo.storage
    name = f"{PREVIEW_FOLDER}/{row.sha256}/paginas.txt"
    if storage.exists(name):
        with storage.open(name, "rb") as cached:
            return int(cached.read())
    try:
        with local_path(row) as path:
            count = isolation.run(inspection.pdf_page_count, path)
    except isolation.IsolationFailed as error:
        logger.warning("could not count the pages of stored file %s: %s", row.archivo.name, error)
        raise PreviewUnavailable(str(error)) from error
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as out:
        out.write(str(count))
    try:
        _keep(storage, name, out.name)
    finally:
        os.unlink(out.name)
    return count


def page_image(row, number: int):
    """The PNG of page `number` (from 1), opened from storage; rendered first if need be."""
    if number < 1 or number > page_count(row):
        raise PreviewUnavailable(f"no page {number}")
    storage = row.archivo.storage
    name = f"{PREVIEW_FOLDER}/{row.sha256}/{settings.PREVIEW_WIDTH}/{number}.png"
    if not storage.exists(name):
        with tempfile.TemporaryDirectory(prefix="registro-preview-") as folder:
            out = os.path.join(folder, "page.png")
            try:
                with local_path(row) as path:
                    isolation.run(
                        inspection.render_page,
                        path,
                        number - 1,
                        settings.PREVIEW_WIDTH,
                        settings.PREVIEW_MAX_HEIGHT,
                        out,
                    )
            except isolation.IsolationFailed as error:
                logger.warning("could not render page %s of stored file %s: %s", number, row.archivo.name, error)
                raise PreviewUnavailable(str(error)) from error
            _keep(storage, name, out)
    return storage.open(name, "rb")
