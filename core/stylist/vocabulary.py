"""The words the offline analyzer knows, beyond the catalogue's own values.

Synonyms map shoppers' words onto the catalogue's vocabulary ("tee" -> Tshirts, "navy" -> Navy
Blue); ``NEAREST_COLOUR`` says which colour to offer when a catalogue lacks the one asked for;
gender, season and style words are small closed lists. Data only: extend a table, not the parser.
"""

from __future__ import annotations

from core.understanding.colours import CATALOGUE_COLOURS

TYPE_SYNONYMS: dict[str, str] = {
    "t shirt": "Tshirts", "t shirts": "Tshirts", "tshirt": "Tshirts", "tshirts": "Tshirts", "tee": "Tshirts",
    "tees": "Tshirts", "polo": "Tshirts", "polos": "Tshirts",
    "shirt": "Shirts", "shirts": "Shirts", "button down": "Shirts", "oxford shirt": "Shirts",
    "top": "Tops", "tops": "Tops", "blouse": "Tops", "blouses": "Tops", "crop top": "Tops",
    "kurta": "Kurtas", "kurtas": "Kurtas", "kurti": "Kurtis", "kurtis": "Kurtis", "tunic": "Tunics", "tunics": "Tunics",
    "sweater": "Sweaters", "sweaters": "Sweaters", "jumper": "Sweaters", "pullover": "Sweaters", "cardigan": "Sweaters",
    "sweatshirt": "Sweatshirts", "sweatshirts": "Sweatshirts", "hoodie": "Sweatshirts", "hoodies": "Sweatshirts",
    "jacket": "Jackets", "jackets": "Jackets", "blazer": "Blazers", "blazers": "Blazers", "waistcoat": "Waistcoat",
    "jeans": "Jeans", "denims": "Jeans", "denim": "Jeans",
    "trousers": "Trousers", "trouser": "Trousers", "pants": "Trousers", "chinos": "Trousers", "slacks": "Trousers",
    "shorts": "Shorts", "skirt": "Skirts", "skirts": "Skirts", "track pants": "Track Pants",
    "trackpants": "Track Pants", "joggers": "Track Pants", "sweatpants": "Track Pants",
    "leggings": "Leggings", "jeggings": "Jeggings", "capris": "Capris",
    "dress": "Dresses", "dresses": "Dresses", "gown": "Dresses", "frock": "Dresses", "sundress": "Dresses",
    "saree": "Sarees", "sarees": "Sarees", "sari": "Sarees", "jumpsuit": "Jumpsuit", "romper": "Rompers",
    "lehenga": "Lehenga Choli", "kurta set": "Kurta Sets",
    "casual shoes": "Casual Shoes", "sneakers": "Casual Shoes", "sneaker": "Casual Shoes", "loafers": "Casual Shoes",
    "sports shoes": "Sports Shoes", "running shoes": "Sports Shoes", "trainers": "Sports Shoes",
    "training shoes": "Sports Shoes", "gym shoes": "Sports Shoes",
    "formal shoes": "Formal Shoes", "oxfords": "Formal Shoes", "brogues": "Formal Shoes", "derbies": "Formal Shoes",
    "dress shoes": "Formal Shoes",
    "heels": "Heels", "heel": "Heels", "pumps": "Heels", "stilettos": "Heels", "flats": "Flats",
    "ballerinas": "Flats", "sandals": "Sandals", "sandal": "Sandals", "flip flops": "Flip Flops",
    "flipflops": "Flip Flops", "slippers": "Flip Flops", "chappals": "Flip Flops", "boots": "Booties",
    "watch": "Watches", "watches": "Watches", "wristwatch": "Watches",
    "handbag": "Handbags", "handbags": "Handbags", "purse": "Handbags", "tote": "Handbags",
    "clutch": "Clutches", "clutches": "Clutches", "backpack": "Backpacks", "backpacks": "Backpacks",
    "wallet": "Wallets", "wallets": "Wallets", "laptop bag": "Laptop Bag", "duffel": "Duffel Bag",
    "sunglasses": "Sunglasses", "shades": "Sunglasses", "sunnies": "Sunglasses",
    "cap": "Caps", "caps": "Caps", "hat": "Hat", "hats": "Hat",
    "belt": "Belts", "belts": "Belts", "tie": "Ties", "ties": "Ties", "necktie": "Ties",
    "cufflinks": "Cufflinks", "scarf": "Scarves", "scarves": "Scarves", "stole": "Stoles",
    "dupatta": "Dupatta", "earrings": "Earrings", "necklace": "Necklace and Chains",
    "chain": "Necklace and Chains", "pendant": "Pendant", "ring": "Ring", "rings": "Ring",
    "bracelet": "Bracelet", "bangles": "Bangle", "bangle": "Bangle", "socks": "Socks",
}  # fmt: skip
GROUP_WORDS: dict[str, str] = {
    "shoes": "footwear", "shoe": "footwear", "footwear": "footwear", "bag": "bags", "bags": "bags",
    "jewellery": "jewellery", "jewelry": "jewellery", "eyewear": "eyewear", "glasses": "eyewear",
    "headwear": "headwear", "bottoms": "bottomwear", "bottom": "bottomwear", "bottomwear": "bottomwear",
    "topwear": "topwear", "accessories": "accessories", "accessory": "accessories",
}  # fmt: skip
COLOUR_SYNONYMS: dict[str, str] = {
    "navy": "Navy Blue", "gray": "Grey", "golden": "Gold", "wine": "Burgundy", "off-white": "Off White",
    "ivory": "Off White", "camel": "Tan", "sky blue": "Blue", "light blue": "Blue", "royal blue": "Blue",
    "dark blue": "Navy Blue", "denim blue": "Blue", "pastel pink": "Pink", "hot pink": "Magenta",
    "fuchsia": "Magenta", "violet": "Purple", "lilac": "Lavender", "mint": "Sea Green",
    "emerald": "Green", "dark green": "Green", "khaki": "Khaki", "cream": "Cream", "charcoal": "Charcoal",
    "turquoise": "Turquoise Blue", "aqua": "Turquoise Blue", "coral": "Peach", "mustard yellow": "Mustard",
    "nude": "Nude", "silver grey": "Silver", "metallic": "Metallic",
}  # fmt: skip
# When a colour is not in this catalogue, the nearest that usually is.
NEAREST_COLOUR: dict[str, tuple[str, ...]] = {
    "Burgundy": ("Maroon", "Red"), "Cream": ("Beige", "Off White", "White"), "Off White": ("White", "Beige"),
    "Khaki": ("Beige", "Olive", "Tan"), "Turquoise Blue": ("Teal", "Blue"), "Lavender": ("Purple", "Pink"),
    "Charcoal": ("Grey", "Black"), "Grey Melange": ("Grey",), "Magenta": ("Pink", "Purple"),
    "Peach": ("Pink", "Orange"), "Mustard": ("Yellow", "Gold"), "Rust": ("Orange", "Brown"),
    "Skin": ("Beige",), "Nude": ("Beige",), "Tan": ("Brown", "Beige"), "Teal": ("Green", "Blue"),
    "Sea Green": ("Green", "Teal"), "Lime Green": ("Green",), "Mauve": ("Purple", "Pink"),
    "Rose": ("Pink", "Red"), "Taupe": ("Beige", "Grey"), "Coffee Brown": ("Brown",),
    "Mushroom Brown": ("Brown",), "Copper": ("Bronze", "Gold", "Brown"), "Bronze": ("Gold", "Brown"),
    "Steel": ("Silver", "Grey"), "Metallic": ("Silver", "Gold"), "Olive": ("Green",), "Maroon": ("Red",),
    "Navy Blue": ("Blue",), "Beige": ("White",), "Gold": ("Yellow",), "Silver": ("Grey",),
}  # fmt: skip
ALL_COLOURS = CATALOGUE_COLOURS  # the Kaggle catalogue's baseColour values, listed once
GENDER_WORDS: tuple[tuple[str, str], ...] = (
    (r"\b(?:daughter|girls?(?=\W+(?:\w+\W+)?(?:aged|age|years?|yrs|kids?|school)))\b", "Girls"),
    (r"\b(?:son|boys?|schoolboy)\b", "Boys"),
    (r"\b(?:wom[ae]n'?s?|ladies|lady|female|feminine|she|her|hers|wife|girlfriend|gf|mom|mum|mother|"
     r"sister|bride|bridesmaid|girls?|aunt|niece|fiancee)\b", "Women"),
    (r"\b(?:m[ae]n'?s?|male|masculine|gents?|gentleman|guys?|he|him|his|husband|boyfriend|bf|dad|"
     r"father|brother|groom|uncle|nephew|fiance|dude|mr)\b", "Men"),
    (r"\bunisex\b", "Unisex"),
)
SEASON_WORDS: dict[str, str] = {
    "summer": "Summer", "summery": "Summer", "hot": "Summer", "sunny": "Summer", "warm": "Summer",
    "winter": "Winter", "cold": "Winter", "chilly": "Winter", "snow": "Winter", "freezing": "Winter",
    "fall": "Fall", "autumn": "Fall", "monsoon": "Fall", "rainy": "Fall", "spring": "Spring",
}  # fmt: skip
STYLE_WORDS = (
    "elegant", "classy", "chic", "minimal", "minimalist", "bold", "edgy", "sporty", "relaxed",
    "comfortable", "comfy", "smart", "formal", "casual", "trendy", "stylish", "classic", "vintage",
    "boho", "bohemian", "preppy", "sleek", "colourful", "colorful", "bright", "muted", "neutral",
    "monochrome", "professional", "cute", "romantic", "cool", "cosy", "cozy", "statement",
    "understated", "simple", "fun", "festive", "traditional", "modern", "luxurious", "premium",
    "cheap", "affordable", "sharp", "polished", "breezy", "light", "dark",
)  # fmt: skip
NUMBER_WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "single": 1}
