"""The errors only the pages answer (the pages otherwise answer the domains' errors, as pages)."""

from __future__ import annotations

from mercenary.errors import MercenaryError, PermissionDeniedError


class CsrfFailedError(PermissionDeniedError):
    """A form was posted without the anti-forgery token of the page that showed it, with a token
    of another session, or from another site (`Origin`). Reload the page and send it again."""

    code = "csrf_failed"
    title = "Form expired"


class InvalidFormError(MercenaryError):
    """A form was posted as something other than `application/x-www-form-urlencoded`, or its body
    could not be read as one (not UTF-8, a field given twice)."""

    status = 400
    code = "invalid_form"
    title = "Invalid form"
