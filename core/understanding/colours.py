"""Colour words: shoppers' names for the catalogue's ``baseColour`` values, and colour families.

``COLOUR_WORDS`` maps everyday colour names onto the catalogue's spelling ("gray" → Grey, "navy" →
Navy Blue, "wine" → Maroon); ``PALETTES`` are families a person names as a whole ("bright colours",
"pastels", "neutrals"), expanded into catalogue colours; ``NEAREST_COLOUR`` says which colour to
use when a catalogue lacks the one asked for. Data only: extend a table, not the parser. Trade-off:
shades are folded onto the nearest catalogue colour ("baby blue" → Blue), so a precise shade is
lost, but it is always one the catalogue can search.
"""

from __future__ import annotations

# The Kaggle catalogue's baseColour values (a catalogue may hold fewer).
CATALOGUE_COLOURS: tuple[str, ...] = (
    "Black", "White", "Blue", "Brown", "Grey", "Red", "Green", "Navy Blue", "Pink", "Purple", "Silver",
    "Beige", "Yellow", "Maroon", "Orange", "Gold", "Olive", "Cream", "Multi", "Steel", "Charcoal",
    "Off White", "Grey Melange", "Skin", "Lavender", "Khaki", "Tan", "Magenta", "Teal", "Peach",
    "Mustard", "Turquoise Blue", "Bronze", "Copper", "Rust", "Mauve", "Metallic", "Burgundy",
    "Coffee Brown", "Rose", "Nude", "Sea Green", "Taupe", "Mushroom Brown", "Lime Green",
)  # fmt: skip

COLOUR_WORDS: dict[str, str] = {
    "gray": "Grey", "light grey": "Grey", "light gray": "Grey", "ash": "Grey", "slate": "Grey",
    "dark grey": "Charcoal", "dark gray": "Charcoal", "charcoal grey": "Charcoal", "charcoal gray": "Charcoal",
    "gunmetal": "Steel", "grey melange": "Grey Melange", "melange": "Grey Melange", "heather grey": "Grey Melange",
    "navy": "Navy Blue", "dark blue": "Navy Blue", "midnight blue": "Navy Blue", "ink blue": "Navy Blue",
    "sky blue": "Blue", "light blue": "Blue", "baby blue": "Blue", "powder blue": "Blue", "royal blue": "Blue",
    "cobalt": "Blue", "cobalt blue": "Blue", "electric blue": "Blue", "indigo": "Blue", "denim blue": "Blue",
    "turquoise": "Turquoise Blue", "aqua": "Turquoise Blue", "cyan": "Turquoise Blue", "teal blue": "Teal",
    "wine": "Maroon", "wine red": "Maroon", "bordeaux": "Maroon", "oxblood": "Maroon", "dark red": "Maroon",
    "scarlet": "Red", "crimson": "Red", "cherry": "Red", "cherry red": "Red", "blood red": "Red", "brick red": "Rust",
    "fuchsia": "Magenta", "hot pink": "Magenta", "rani pink": "Magenta", "baby pink": "Pink", "pastel pink": "Pink",
    "light pink": "Pink", "blush": "Pink", "blush pink": "Pink", "dusty pink": "Mauve", "onion pink": "Mauve",
    "coral": "Peach", "salmon": "Peach", "apricot": "Peach",
    "mustard yellow": "Mustard", "lemon": "Yellow", "lemon yellow": "Yellow", "canary": "Yellow",
    "tangerine": "Orange", "saffron": "Orange", "rust orange": "Rust", "terracotta": "Rust", "burnt orange": "Rust",
    "violet": "Purple", "plum": "Purple", "aubergine": "Purple", "lilac": "Lavender", "lavendar": "Lavender",
    "mint": "Sea Green", "mint green": "Sea Green", "sea green": "Sea Green", "emerald": "Green",
    "emerald green": "Green", "bottle green": "Green", "forest green": "Green", "dark green": "Green",
    "parrot green": "Lime Green", "neon green": "Lime Green", "lime": "Lime Green",
    "olive green": "Olive", "army green": "Olive", "military green": "Olive",
    "golden": "Gold", "rose gold": "Gold", "silvery": "Silver", "chrome": "Silver",
    "off-white": "Off White", "offwhite": "Off White", "ivory": "Off White", "eggshell": "Off White",
    "ecru": "Cream", "sand": "Beige", "fawn": "Beige", "camel": "Tan", "dark brown": "Coffee Brown",
    "chocolate": "Coffee Brown", "chocolate brown": "Coffee Brown", "coffee brown": "Coffee Brown",
    "light brown": "Tan", "mushroom": "Mushroom Brown", "mushroom brown": "Mushroom Brown",
    "multicolour": "Multi", "multicolor": "Multi", "multi colour": "Multi", "multi color": "Multi",
    "multicoloured": "Multi", "multicolored": "Multi", "multi coloured": "Multi", "rainbow": "Multi",
    "skin colour": "Skin", "skin tone": "Skin", "flesh": "Nude",
}  # fmt: skip

# Colour families named as a whole; each expands into catalogue colours.
PALETTES: dict[str, tuple[str, ...]] = {
    "bright": ("Red", "Orange", "Yellow", "Pink", "Magenta", "Lime Green", "Turquoise Blue", "Multi", "Mustard", "Gold"),
    "dark": ("Black", "Navy Blue", "Maroon", "Charcoal", "Coffee Brown", "Brown", "Olive", "Burgundy"),
    "pastel": ("Peach", "Lavender", "Sea Green", "Mauve", "Cream", "Pink", "Rose", "Beige"),
    "neutral": ("Black", "White", "Grey", "Beige", "Cream", "Off White", "Tan", "Khaki", "Taupe", "Charcoal", "Grey Melange"),
    "metallic": ("Gold", "Silver", "Bronze", "Copper", "Metallic", "Steel"),
    "jewel": ("Maroon", "Purple", "Teal", "Navy Blue", "Green", "Magenta", "Burgundy"),
    "monochrome": ("Black", "White", "Grey"),
}
PALETTE_WORDS: dict[str, str] = {
    "bright": "bright", "bright colours": "bright", "bright colors": "bright", "bright colour": "bright",
    "bright color": "bright", "loud colours": "bright", "loud colors": "bright", "loud": "bright", "flashy": "bright",
    "flashy colours": "bright", "flashy colors": "bright", "neon": "bright", "neon colours": "bright",
    "vibrant colours": "bright", "vibrant colors": "bright", "vivid colours": "bright", "gaudy": "bright",
    "colourful": "bright", "colorful": "bright", "bold colours": "bright", "bold colors": "bright",
    "dark colours": "dark", "dark colors": "dark", "dark shades": "dark", "dark tones": "dark", "deep colours": "dark",
    "pastel": "pastel", "pastels": "pastel", "pastel colours": "pastel", "pastel colors": "pastel",
    "pastel shades": "pastel", "soft colours": "pastel", "soft colors": "pastel", "light colours": "pastel",
    "light colors": "pastel",
    "neutral": "neutral", "neutrals": "neutral", "neutral colours": "neutral", "neutral colors": "neutral",
    "neutral tones": "neutral", "earthy": "neutral", "earthy tones": "neutral", "earth tones": "neutral",
    "muted colours": "neutral", "muted colors": "neutral", "muted tones": "neutral", "nudes": "neutral",
    "metallic": "metallic", "metallics": "metallic", "shiny": "metallic",
    "jewel tones": "jewel", "jewel colours": "jewel", "rich colours": "jewel", "rich colors": "jewel",
    "monochrome": "monochrome", "monochromatic": "monochrome",
}  # fmt: skip
PALETTE_TITLES = {"bright": "bright colours", "dark": "dark colours", "pastel": "pastels", "neutral": "neutrals",
                  "metallic": "metallics", "jewel": "jewel tones", "monochrome": "black and white"}

# When a catalogue lacks a colour, the nearest that usually is (first stocked wins).
NEAREST_COLOUR: dict[str, tuple[str, ...]] = {
    "Burgundy": ("Maroon", "Red"), "Cream": ("Beige", "Off White", "White"), "Off White": ("White", "Cream", "Beige"),
    "Khaki": ("Beige", "Olive", "Tan"), "Turquoise Blue": ("Teal", "Blue"), "Lavender": ("Purple", "Pink"),
    "Charcoal": ("Grey", "Black"), "Grey Melange": ("Grey",), "Magenta": ("Pink", "Purple"),
    "Peach": ("Pink", "Orange"), "Mustard": ("Yellow", "Gold"), "Rust": ("Orange", "Brown"),
    "Skin": ("Beige", "Nude"), "Nude": ("Beige", "Skin"), "Tan": ("Brown", "Beige"), "Teal": ("Green", "Blue"),
    "Sea Green": ("Green", "Teal"), "Lime Green": ("Green",), "Mauve": ("Purple", "Pink"),
    "Rose": ("Pink", "Red"), "Taupe": ("Beige", "Grey"), "Coffee Brown": ("Brown",),
    "Mushroom Brown": ("Brown", "Beige"), "Copper": ("Bronze", "Gold", "Brown"), "Bronze": ("Gold", "Brown"),
    "Steel": ("Silver", "Grey"), "Metallic": ("Silver", "Gold"), "Olive": ("Green", "Khaki"), "Maroon": ("Burgundy", "Red"),
    "Navy Blue": ("Blue",), "Beige": ("Cream", "White"), "Gold": ("Yellow",), "Silver": ("Grey", "Steel"),
    "Multi": (), "Blue": ("Navy Blue",), "Grey": ("Charcoal", "Silver"), "Brown": ("Coffee Brown", "Tan"),
}  # fmt: skip


def colour_phrases(colours: tuple[str, ...]) -> dict[str, str]:
    """Every phrase that names a colour → the catalogue colour it means (before stock is checked)."""
    phrases = {c.lower(): c for c in CATALOGUE_COLOURS}
    phrases.update({c.lower(): c for c in colours})
    phrases.update(COLOUR_WORDS)
    return phrases


def stocked_colour(colour: str, have: frozenset[str]) -> str | None:
    """``colour`` if the catalogue has it, else its nearest stocked colour, else None."""
    if not have or colour in have:
        return colour
    return next((c for c in NEAREST_COLOUR.get(colour, ()) if c in have), None)

# Close shades: "no red" rules out maroon too, "no white" off-white and cream (exclusions only).
CLOSE_SHADES: dict[str, tuple[str, ...]] = {
    "White": ("Off White", "Cream"), "Off White": ("White", "Cream"), "Cream": ("Off White", "Beige"),
    "Grey": ("Grey Melange", "Charcoal"), "Blue": ("Navy Blue", "Turquoise Blue"), "Red": ("Maroon", "Burgundy"),
    "Maroon": ("Burgundy",), "Pink": ("Magenta", "Rose"), "Green": ("Olive", "Sea Green", "Lime Green"),
    "Yellow": ("Mustard",), "Orange": ("Rust",), "Purple": ("Lavender", "Mauve"),
    "Brown": ("Coffee Brown", "Mushroom Brown", "Tan"), "Beige": ("Cream", "Khaki", "Skin", "Nude", "Taupe"),
    "Gold": ("Bronze", "Copper"), "Silver": ("Steel",),
}  # fmt: skip


def with_close_shades(colours) -> tuple[str, ...]:
    """``colours`` and their close shades, in order, once each: what an exclusion rules out."""
    return tuple(dict.fromkeys(c for colour in colours for c in (colour, *CLOSE_SHADES.get(colour, ()))))
