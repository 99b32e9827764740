"""The one exception type for rule violations a user can act on."""

from __future__ import annotations

from django.utils.functional import Promise


class DomainError(Exception):
    """A business rule refused the change. The message is translated; `field` names the input
    it is about (for the API's field-level errors and the admin's form errors), if any."""

    def __init__(self, message: str | Promise, *, field: str | None = None, code: str = "invalid"):
        super().__init__(str(message))
        self.message = message
        self.field = field
        self.code = code

    def as_dict(self) -> dict:
        if self.field:
            return {self.field: [str(self.message)]}
        return {"detail": str(self.message)}
