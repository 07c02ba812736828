"""Product groups: every articleType mapped, on purpose, to one merchandising group.

The mapping is by articleType because the catalogue's own sub/master categories are noisy
(a ``Tshirts`` filed under ``Accessories/Belts``, ``Dupatta`` under ``Topwear``). An articleType we
have never seen (the full Kaggle set has one more than the shared subset) falls back to its
subCategory, then its masterCategory; only then to ``other``. ``other`` is reserved for things that
are not worn or carried: free gifts, vouchers, sports balls, home furnishing, water bottles.
"""

from __future__ import annotations

GROUP_LABELS: dict[str, str] = {
    "topwear": "Topwear",
    "bottomwear": "Bottomwear",
    "footwear": "Footwear",
    "dress": "Dress & one-piece",
    "innerwear": "Innerwear & loungewear",
    "bags": "Bags & wallets",
    "watches": "Watches",
    "jewellery": "Jewellery",
    "eyewear": "Eyewear",
    "headwear": "Headwear",
    "accessories": "Belts & small accessories",
    "personal-care": "Personal care",
    "other": "Other",
}
GROUPS: tuple[str, ...] = tuple(GROUP_LABELS)

_ARTICLE_TYPES: dict[str, tuple[str, ...]] = {
    "topwear": (
        "Tshirts", "Shirts", "Tops", "Kurtas", "Kurtis", "Tunics", "Sweaters", "Sweatshirts",
        "Jackets", "Blazers", "Nehru Jackets", "Rain Jacket", "Shrug", "Waistcoat",
        "Lounge Tshirts", "Suits", "Tracksuits",
    ),
    "bottomwear": (
        "Jeans", "Trousers", "Shorts", "Skirts", "Capris", "Track Pants", "Leggings", "Jeggings",
        "Churidar", "Patiala", "Salwar", "Salwar and Dupatta", "Rain Trousers", "Tights",
        "Swimwear", "Lounge Pants", "Lounge Shorts",
    ),
    "footwear": (
        "Casual Shoes", "Sports Shoes", "Formal Shoes", "Heels", "Flats", "Sandals",
        "Sports Sandals", "Flip Flops", "Booties",
    ),
    "dress": (
        "Dresses", "Jumpsuit", "Rompers", "Sarees", "Lehenga Choli", "Kurta Sets", "Clothing Set",
    ),
    "innerwear": (
        "Bra", "Briefs", "Boxers", "Trunk", "Innerwear Vests", "Camisoles", "Shapewear",
        "Stockings", "Socks", "Night suits", "Nightdress", "Baby Dolls", "Bath Robe", "Robe",
    ),
    "bags": (
        "Handbags", "Backpacks", "Clutches", "Duffel Bag", "Laptop Bag", "Messenger Bag",
        "Mobile Pouch", "Rucksacks", "Tablet Sleeve", "Trolley Bag", "Waist Pouch", "Wallets",
    ),
    "watches": ("Watches",),
    "jewellery": (
        "Bangle", "Bracelet", "Earrings", "Jewellery Set", "Necklace and Chains", "Pendant", "Ring",
    ),
    "eyewear": ("Sunglasses",),
    "headwear": ("Caps", "Hat", "Headband"),
    "accessories": (
        "Belts", "Ties", "Cufflinks", "Ties and Cufflinks", "Scarves", "Stoles", "Mufflers",
        "Dupatta", "Gloves", "Suspenders", "Accessory Gift Set", "Hair Accessory", "Key chain",
        "Travel Accessory", "Shoe Accessories", "Shoe Laces", "Wristbands", "Umbrellas",
    ),
    "personal-care": (
        "Perfume and Body Mist", "Deodorant", "Fragrance Gift Set", "Body Lotion",
        "Body Wash and Scrub", "Nail Essentials", "Nail Polish", "Beauty Accessory", "Eyeshadow",
        "Kajal and Eyeliner", "Mascara", "Hair Colour", "Lip Care", "Lip Gloss", "Lip Liner",
        "Lip Plumper", "Lipstick", "Compact", "Concealer", "Foundation and Primer",
        "Highlighter and Blush", "Makeup Remover", "Face Moisturisers", "Face Serum and Gel",
        "Mask and Peel", "Eye Cream", "Face Scrub and Exfoliator", "Face Wash and Cleanser",
        "Mens Grooming Kit", "Sunscreen", "Toner",
    ),
    # Not worn or carried: kept, but never proposed as part of an outfit.
    "other": ("Free Gifts", "Ipad", "Cushion Covers", "Basketballs", "Footballs", "Water Bottle"),
}

ARTICLE_TYPE_GROUP: dict[str, str] = {
    article: group for group, articles in _ARTICLE_TYPES.items() for article in articles
}

# Fallbacks for article types we have not mapped (keys compared case-insensitively).
_SUB_CATEGORY_GROUP = {
    "topwear": "topwear", "bottomwear": "bottomwear", "shoes": "footwear", "sandal": "footwear",
    "flip flops": "footwear", "dress": "dress", "saree": "dress", "apparel set": "dress",
    "innerwear": "innerwear", "loungewear and nightwear": "innerwear", "socks": "innerwear",
    "bags": "bags", "wallets": "bags", "watches": "watches", "jewellery": "jewellery",
    "eyewear": "eyewear", "headwear": "headwear", "belts": "accessories",
}
_MASTER_CATEGORY_GROUP = {
    "footwear": "footwear", "personal care": "personal-care", "accessories": "accessories",
}


def group_of(article_type: str, sub_category: str = "", master_category: str = "") -> str:
    """The merchandising group of a product, e.g. ``group_of("Tshirts") == "topwear"``."""
    if article_type in ARTICLE_TYPE_GROUP:
        return ARTICLE_TYPE_GROUP[article_type]
    lowered = {k.lower(): v for k, v in ARTICLE_TYPE_GROUP.items()}
    if article_type.lower() in lowered:
        return lowered[article_type.lower()]
    if sub_category.lower() in _SUB_CATEGORY_GROUP:
        return _SUB_CATEGORY_GROUP[sub_category.lower()]
    return _MASTER_CATEGORY_GROUP.get(master_category.lower(), "other")
