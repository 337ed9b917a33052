"""Domain errors with stable codes. The API maps them to {"code", "message", "detail"}; the UI
shows the Spanish message."""

from enum import StrEnum


class ErrorCode(StrEnum):
    VALIDATION = "validation_error"
    NOT_FOUND = "not_found"
    PERMISSION_DENIED = "permission_denied"
    INVALID_CREDENTIALS = "invalid_credentials"
    USERNAME_TAKEN = "username_taken"
    TERMS_NOT_ACCEPTED = "terms_not_accepted"
    TERMS_VERSION_MISMATCH = "terms_version_mismatch"


class ApplicationError(Exception):
    status_code = 400

    def __init__(self, code: ErrorCode, message: str, detail: dict | None = None, status: int | None = None):
        super().__init__(message)
        self.code = code
        self.message = message
        self.detail = detail or {}
        if status is not None:
            self.status_code = status
