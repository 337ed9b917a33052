"""The API's error envelope, here so that every layer's handlers answer in the same shape."""


def error_body(code: str, message: str, detail: dict | None = None) -> dict:
    """`{"code", "message", "detail"}`: a stable code for programs, a Spanish message for people,
    and the details (the fields' errors, among them) that a client may show."""
    return {"code": code, "message": message, "detail": detail or {}}
