"""Understanding requests: one parser for search and the stylist, from a message to a typed ``Request``.

``parse(text, vocabulary)`` reads who the clothes are for, the occasion, season and weather, colours
wanted or excluded, the budget in rupees, the items asked for, excluded or already owned, brands,
and reports what it did not understand or what the catalogue does not stock. ``Vocabulary`` is
built once per catalogue (``Vocabulary.from_catalog(frame)``); ``OCCASIONS`` is the occasion table.
The layer sits right above ``core.data`` and imports nothing heavier.
"""

from core.understanding.occasions import OCCASIONS, Occasion, occasion_named
from core.understanding.parse import parse
from core.understanding.request import Budget, Item, OutOfCatalogue, Palette, Request, Wearer
from core.understanding.vocabulary import Vocabulary

__all__ = ["OCCASIONS", "Budget", "Item", "Occasion", "OutOfCatalogue", "Palette", "Request", "Vocabulary", "Wearer",
           "occasion_named", "parse"]
