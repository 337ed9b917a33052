"""Domain errors with stable codes. The API maps them to {"code", "message", "detail"}; the UI
shows the Spanish message."""

from enum import StrEnum


class ErrorCode(StrEnum):
    VALIDATION = "validation_error"
    NOT_FOUND = "not_found"
    PERMISSION_DENIED = "permission_denied"
    INVALID_CREDENTIALS = "invalid_credentials"
    TOO_MANY_ATTEMPTS = "too_many_attempts"
    USERNAME_TAKEN = "username_taken"
    TERMS_NOT_ACCEPTED = "terms_not_accepted"
    TERMS_VERSION_MISMATCH = "terms_version_mismatch"
    MFA_REQUIRED = "mfa_required"
    ENTIDAD_NIT_REGISTRADO = "entidad_nit_registrado"
    INVALID_TRANSITION = "invalid_transition"
    CONFLICT = "conflict"
    ACCOUNT_SUSPENDED = "account_suspended"
    REAUTHENTICATION_REQUIRED = "reauthentication_required"
    FILE_EMPTY = "file_empty"
    FILE_TOO_LARGE = "file_too_large"
    FILE_EXTENSION_FORBIDDEN = "file_extension_forbidden"
    FILE_NO_EXTENSION = "file_no_extension"
    FILE_CONTENT_MISMATCH = "file_content_mismatch"
    FILE_EXECUTABLE = "file_executable"
    FILE_PDF_CORRUPT = "file_pdf_corrupt"
    FILE_PDF_ENCRYPTED = "file_pdf_encrypted"
    FILE_NAME_INVALID = "file_name_invalid"
    FILE_UNVERIFIABLE = "file_unverifiable"
    FILE_PDF_JAVASCRIPT = "file_pdf_javascript"
    FILE_PDF_LAUNCH = "file_pdf_launch"
    FILE_PDF_AUTO_ACTION = "file_pdf_auto_action"
    FILE_PDF_EMBEDDED_PROGRAM = "file_pdf_embedded_program"
    FILE_OFFICE_MACROS = "file_office_macros"
    FILE_COMPILED_HELP = "file_compiled_help"
    FILE_DISK_IMAGE = "file_disk_image"
    FILE_ARCHIVE_EXECUTABLE = "file_archive_executable"


class ApplicationError(Exception):
    status_code = 400

    def __init__(self, code: ErrorCode, message: str, detail: dict | None = None, status: int | None = None):
        super().__init__(message)
        self.code = code
        self.message = message
        self.detail = detail or {}
        if status is not None:
            self.status_code = status


_CODE_BY_STATUS = {
    400: ErrorCode.VALIDATION,
    403: ErrorCode.PERMISSION_DENIED,
    404: ErrorCode.NOT_FOUND,
    409: ErrorCode.CONFLICT,
}


def refusal(message: str, field: str | None = None, *, status: int = 400, code: ErrorCode | None = None):
    """A service's refusal: the Spanish message, shown beside `field` on a form (and listed under
    `detail.fields` in the API). The code follows the status unless given."""
    return ApplicationError(
        code or _CODE_BY_STATUS.get(status, ErrorCode.CONFLICT),
        message,
        {"fields": {field: [message]}} if field else {},
        status=status,
    )
