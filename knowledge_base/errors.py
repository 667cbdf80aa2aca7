"""What the knowledge base refuses, each with the HTTP status an API answers it with."""

from __future__ import annotations


class KnowledgeBaseError(Exception):
    status = 400
    code = "bad_request"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class UnknownEntry(KnowledgeBaseError):
    """No such entry, version or notice."""

    status = 404
    code = "not_found"


class FourEyes(KnowledgeBaseError):
    """The one who wrote a text cannot also approve it."""

    status = 403
    code = "four_eyes"


class WrongState(KnowledgeBaseError):
    """The step does not fit where the version or notice is in the workflow."""

    status = 409
    code = "conflict"


class InvalidContent(KnowledgeBaseError):
    """An entry or notice that cannot be saved as written; the message says what is wrong."""

    status = 422
    code = "invalid_request"


class PersonalData(InvalidContent):
    """A text meant for every resident that holds one resident's personal data."""

    code = "personal_data"
