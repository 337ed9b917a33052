"""`StoredFile`: how every uploaded file is kept (entity documents, case attachments, and whatever
comes next). The file is checked, then streamed to the configured storage (disk, or S3-compatible)
under a random name, before the caller's transaction, so no row lock is held while a large file
is written; if the caller's block fails, the stored file is removed. Downloads come back through
one response with the same headers everywhere."""

import uuid
from contextlib import contextmanager
from typing import ClassVar

from django.conf import settings
from django.db import models
from django.http import FileResponse, HttpResponseRedirect
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext_lazy as _

from . import previews
from .checks import CheckedFile, check_uploaded_file


def stored_file_path(instance: "StoredFile", filename: str) -> str:
    # Random names on disk: the original name is kept in the row, never trusted as a path.
    ext = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"{instance.STORAGE_FOLDER}/{instance.subido_en:%Y/%m}/{uuid.uuid4().hex}.{ext}"


class StoredFile(models.Model):
    """A checked file in storage, with what was learnt checking it."""

    STORAGE_FOLDER: ClassVar[str] = "archivos"

    archivo = models.FileField(upload_to=stored_file_path, max_length=255)
    nombre_original = models.CharField(_("Nombre del archivo"), max_length=200)
    tamano = models.PositiveBigIntegerField(_("Tamaño (bytes)"))
    sha256 = models.CharField(max_length=64)
    content_type = models.CharField(max_length=120)
    subido_en = models.DateTimeField()

    class Meta:
        abstract = True

    def _write(self, uploaded, checked: CheckedFile) -> None:
        self.nombre_original = checked.name
        self.tamano = checked.size
        self.sha256 = checked.sha256
        self.content_type = checked.content_type
        self.subido_en = timezone.now()
        self.archivo.save(checked.name, uploaded, save=False)

    def discard(self) -> None:
        """Removes the file from storage (the row, if any, is the caller's)."""
        if self.archivo.name:
            self.archivo.storage.delete(self.archivo.name)

    def response(self) -> FileResponse | HttpResponseRedirect:
        """The download, always as an attachment: no uploaded file is rendered in the site's pages
        (PDFs are shown as page images, `previews`). `nosniff`, and sandboxed if a browser renders
        it anyway. On S3 storage (DOCUMENT_SIGNED_URLS), a redirect to a presigned URL valid for
        DOCUMENT_URL_EXPIRY_SECONDS whose response carries the same name and type as an
        attachment; the caller's checks and records have run by then, as for a stream. A missing
        file raises FileNotFoundError either way."""
        if settings.DOCUMENT_SIGNED_URLS and _signs_urls(self.archivo.storage):
            return self._signed_redirect()
        response = FileResponse(
            self.archivo.open("rb"),
            as_attachment=True,
            filename=self.nombre_original,
            content_type=self.content_type,
        )
        response["X-Content-Type-Options"] = "nosniff"
        # A download is sandboxed if a browser renders it anyway.
        response["Content-Security-Policy"] = "sandbox"
        return response

    def _signed_redirect(self) -> HttpResponseRedirect:
        storage, name = self.archivo.storage, self.archivo.name
        if not storage.exists(name):
            raise FileNotFoundError(name)
        url = storage.url(
            name,
            parameters={
                "ResponseContentDisposition": content_disposition_header(True, self.nombre_original),
                "ResponseContentType": self.content_type,
                "ResponseCacheControl": "private, no-store",
            },
            expire=settings.DOCUMENT_URL_EXPIRY_SECONDS,
        )
        response = HttpResponseRedirect(url)
        # The signed address is a bearer credential for its lifetime: never kept by a cache.
        response["Cache-Control"] = "private, no-store"
        response["Referrer-Policy"] = "no-referrer"
        return response

    def page_response(self, number: int) -> FileResponse:
        """Page `number` of a PDF as a PNG image; raises `previews.PreviewUnavailable`."""
        response = FileResponse(previews.page_image(self, number), content_type="image/png")
        response["X-Content-Type-Options"] = "nosniff"
        response["Content-Security-Policy"] = "sandbox"
        response["Cache-Control"] = "private, max-age=86400"
        return response


def _signs_urls(storage) -> bool:
    """An S3-compatible storage (django-storages) that signs its URLs."""
    from storages.backends.s3 import S3Storage

    return isinstance(storage, S3Storage) and storage.querystring_auth


@contextmanager
def stored(row: StoredFile, uploaded):
    """Checks `uploaded` (R2.5) and writes it to storage for the unsaved `row`; the caller saves
    the row inside the block. If the block raises, the stored file is removed."""
    checked = check_uploaded_file(uploaded)
    row._write(uploaded, checked)
    try:
        yield row
    except BaseException:
        row.discard()
        raise
