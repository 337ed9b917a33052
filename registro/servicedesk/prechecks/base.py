"""What a pre-check answers, and its limits."""

import logging
from dataclasses import dataclass, field

logger = logging.getLogger(__name__)

OK = "ok"
WARNING = "warning"
FAIL = "fail"
NOT_APPLICABLE = "not_applicable"

MIN_TEXT_CHARS = 20


@dataclass(frozen=True)
class Precheck:
    code: str
    label: str
    status: str
    message: str
    detail: dict = field(default_factory=dict)
