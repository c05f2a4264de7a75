"""Refusals a screen says in its own language."""

from __future__ import annotations


class CodedError(ValueError):
    """A request refused for a reason people must read: the message is English (for logs and
    the command line); `code` names the reason and `values` fill in the words a screen shows
    for it in the station's language (see `stations.web.text.refusal_text`)."""

    def __init__(self, message: str, code: str = "invalid", **values: object) -> None:
        super().__init__(message)
        self.code = code
        self.values = values
