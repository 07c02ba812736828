"""Exceptions the command line and the dashboard turn into one-line messages."""


class FashionError(Exception):
    """A problem the user can fix (bad input, missing file); its message says how."""


class CatalogError(FashionError):
    """The raw catalogue cannot be read: missing folder or file, empty file, missing columns."""
