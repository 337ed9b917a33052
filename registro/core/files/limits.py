"""Upload size limits enforced while the request arrives, not after: a body whose Content-Length
passes `UPLOAD_REQUEST_MAX_BYTES` is answered 413 before a byte of it is read, and a multipart
body stops being read (nothing of it kept) as soon as one file passes `DOCUMENT_MAX_BYTES`.

`UploadLimitMiddleware` parses multipart bodies itself, before CSRF or any view reads them, so
the refusal is one answer everywhere: the API's JSON envelope under /api/, a short page
elsewhere. `check_uploaded_file` still checks the size of what it is given (other callers)."""

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.http import HttpResponse, JsonResponse
from django.template.defaultfilters import filesizeformat
from django.utils.html import escape
from django.utils.translation import gettext as _

from registro.core.api import is_api
from registro.core.errors import ErrorCode
from registro.core.files.names import sanitize_filename

BODY_METHODS = ("POST", "PUT", "PATCH")


class UploadLimitHandler(FileUploadHandler):
    """First in FILE_UPLOAD_HANDLERS: counts each file's bytes as they stream in and stops the
    upload (without reading the rest of the body) when one passes the limit. Files already
    received are closed and their temporary files deleted by Django's parser."""

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.received = 0

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > settings.DOCUMENT_MAX_BYTES:
            if self.request is not None:
                self.request._upload_refused = (sanitize_filename(self.file_name), settings.DOCUMENT_MAX_BYTES)
            raise StopUpload(connection_reset=True)
        return raw_data

    def file_complete(self, file_size):
        return None  # the next handler builds the file


def too_large_response(request, name: str | None, limit: int) -> HttpResponse:
    if name:
        message = _(
            "El archivo «%(file)s» supera el tamaño máximo permitido de %(max)s. Redúzcalo (por ejemplo, "
            "escaneando a menor resolución) o divídalo en varios archivos."
        ) % {"file": name, "max": filesizeformat(limit)}
    else:
        message = _(
            "Lo que intenta enviar supera el tamaño máximo permitido de %(max)s por envío. Envíe menos "
            "archivos a la vez o redúzcalos."
        ) % {"max": filesizeformat(limit)}
    if is_api(request):
        detail = {"max_bytes": limit, **({"file": name} if name else {})}
        return JsonResponse({"code": ErrorCode.FILE_TOO_LARGE, "message": message, "detail": detail}, status=413)
    title = _("Archivo demasiado grande")
    back = _("Ir al inicio")
    page = (
        f'<!doctype html><html lang="es-CO"><head><meta charset="utf-8"><title>{escape(title)}</title></head>'
        f'<body><main><h1>{escape(title)}</h1><p role="alert">{escape(message)}</p>'
        f'<p><a href="/">{escape(back)}</a></p></main></body></html>'
    )
    return HttpResponse(page, status=413, content_type="text/html; charset=utf-8")


class UploadLimitMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method in BODY_METHODS:
            try:
                declared = int(request.META.get("CONTENT_LENGTH") or 0)
            except ValueError:
                declared = 0
            if declared > settings.UPLOAD_REQUEST_MAX_BYTES:
                return too_large_response(request, None, settings.UPLOAD_REQUEST_MAX_BYTES)
            if request.method == "POST" and request.content_type == "multipart/form-data":
                request.FILES  # noqa: B018 - parsed now, under UploadLimitHandler
                refused = getattr(request, "_upload_refused", None)
                if refused:
                    return too_large_response(request, *refused)
        return self.get_response(request)
