"""Exceptions the command line and the dashboard turn into one-line messages."""


class FashionError(Exception):
    """A problem the user can fix (bad input, missing file); its message says how."""


class CatalogError(FashionError):
    """The raw catalogue cannot be read: missing folder or file, empty file, missing columns."""


class ServerUnavailableError(FashionError):
    """The Chroma server holding the index does not answer (refused, reset, closed mid-reply, timed
    out). ``address`` is its ``host:port``; the message says how to start it or do without it."""

    def __init__(self, message: str, *, address: str | None = None):
        super().__init__(message)
        self.address = address
