"""Item words: shoppers' names for the catalogue's article types and groups, and what it does not sell.

``ITEM_WORDS`` maps a phrase to the article types it means, in catalogue spelling ("sneakers" →
Casual Shoes or Sports Shoes, "tee" → Tshirts, "purse" → Handbags, Wallets or Clutches);
``GROUP_WORDS`` maps broad words to a merchandising group of :mod:`core.data.groups` ("shoes" →
footwear). ``OUT_OF_CATALOGUE`` lists things people ask for that the Kaggle catalogue has no type
for (a tuxedo, thermals, a ski jacket), each with the stocked types nearest to it, and
``NEAREST_TYPES`` says what to offer when a catalogue lacks a type the words do name (the demo has
no Lehenga Choli). The catalogue's own article types are recognised too, in singular and plural,
by :mod:`core.understanding.vocabulary`. Data only. Trade-off: a word means the same everywhere
("boots" are Booties, women's ankle boots), so a shopper's finer meaning is reported, not guessed.
"""

from __future__ import annotations

ITEM_WORDS: dict[str, tuple[str, ...]] = {
    # topwear
    "t shirt": ("Tshirts",), "t shirts": ("Tshirts",), "tee": ("Tshirts",), "tees": ("Tshirts",), "tee shirt": ("Tshirts",),
    "polo": ("Tshirts",), "polos": ("Tshirts",), "polo shirt": ("Tshirts",), "polo t shirt": ("Tshirts",),
    "henley": ("Tshirts",), "jersey": ("Tshirts",), "jerseys": ("Tshirts",), "graphic tee": ("Tshirts",),
    "shirt": ("Shirts",), "button down": ("Shirts",), "button up": ("Shirts",), "oxford shirt": ("Shirts",),
    "formal shirt": ("Shirts",), "dress shirt": ("Shirts",), "top": ("Tops",), "blouse": ("Tops",),
    "crop top": ("Tops",), "tank top": ("Tops",), "camisole": ("Camisoles",), "cami": ("Camisoles",),
    "kurta": ("Kurtas",), "kurti": ("Kurtis",), "tunic": ("Tunics",), "sweater": ("Sweaters",),
    "jumper": ("Sweaters",), "pullover": ("Sweaters",), "cardigan": ("Sweaters",), "knitwear": ("Sweaters",),
    "sweatshirt": ("Sweatshirts",), "hoodie": ("Sweatshirts",), "hoody": ("Sweatshirts",), "jacket": ("Jackets",),
    "denim jacket": ("Jackets",), "bomber": ("Jackets",), "bomber jacket": ("Jackets",), "windbreaker": ("Jackets",),
    "blazer": ("Blazers",), "sport coat": ("Blazers",), "nehru jacket": ("Nehru Jackets",), "modi jacket": ("Nehru Jackets",),
    "bandi": ("Nehru Jackets",), "waistcoat": ("Waistcoat",), "shrug": ("Shrug",), "tracksuit": ("Tracksuits",),
    "rain jacket": ("Rain Jacket",), "raincoat": ("Rain Jacket",), "rain coat": ("Rain Jacket",),
    "windcheater": ("Rain Jacket", "Jackets"), "waterproof jacket": ("Rain Jacket",),
    "suit": ("Suits",), "business suit": ("Suits",), "three piece suit": ("Suits",), "two piece suit": ("Suits",),
    # bottomwear
    "jeans": ("Jeans",), "denims": ("Jeans",), "trousers": ("Trousers",), "trouser": ("Trousers",), "pants": ("Trousers",),
    "pant": ("Trousers",), "chinos": ("Trousers",), "slacks": ("Trousers",), "khakis": ("Trousers",),
    "cargo pants": ("Trousers",), "cargos": ("Trousers",), "formal trousers": ("Trousers",),
    "palazzo": ("Trousers", "Salwar"), "palazzos": ("Trousers", "Salwar"), "shorts": ("Shorts",),
    "bermudas": ("Shorts",), "skirt": ("Skirts",), "track pants": ("Track Pants",), "trackpants": ("Track Pants",),
    "joggers": ("Track Pants",), "sweatpants": ("Track Pants",), "trackies": ("Track Pants",),
    "yoga pants": ("Leggings", "Track Pants"), "leggings": ("Leggings",), "jeggings": ("Jeggings",), "capris": ("Capris",),
    "churidar": ("Churidar",), "salwar": ("Salwar",), "patiala": ("Patiala",), "tights": ("Tights",),
    "rain pants": ("Rain Trousers",), "rain trousers": ("Rain Trousers",),
    # dresses and sets
    "dress": ("Dresses",), "gown": ("Dresses",), "frock": ("Dresses",), "sundress": ("Dresses",),
    "maxi dress": ("Dresses",), "midi dress": ("Dresses",), "saree": ("Sarees",), "sari": ("Sarees",),
    "lehenga": ("Lehenga Choli",), "lehenga choli": ("Lehenga Choli",), "ghagra": ("Lehenga Choli",),
    "chaniya choli": ("Lehenga Choli",), "kurta set": ("Kurta Sets",), "kurta pyjama": ("Kurta Sets",),
    "kurta pajama": ("Kurta Sets",), "salwar suit": ("Kurta Sets",), "salwar kameez": ("Kurta Sets",),
    "churidar set": ("Kurta Sets",), "jumpsuit": ("Jumpsuit",), "playsuit": ("Jumpsuit", "Rompers"),
    "romper": ("Rompers",), "clothing set": ("Clothing Set",), "swimsuit": ("Swimwear",), "swimwear": ("Swimwear",),
    "bikini": ("Swimwear",), "swimming costume": ("Swimwear",), "swim trunks": ("Swimwear",),
    "swimming trunks": ("Swimwear",), "trunks": ("Swimwear",), "swim shorts": ("Swimwear",), "swimming shorts": ("Swimwear",),
    # footwear
    "sneakers": ("Casual Shoes",), "sneaker": ("Casual Shoes",),
    "trainers": ("Sports Shoes", "Casual Shoes"), "running shoes": ("Sports Shoes",), "jogging shoes": ("Sports Shoes",),
    "gym shoes": ("Sports Shoes",), "training shoes": ("Sports Shoes",), "trekking shoes": ("Sports Shoes",),
    "hiking shoes": ("Sports Shoes",), "walking shoes": ("Sports Shoes", "Casual Shoes"),
    "football boots": ("Sports Shoes",), "loafers": ("Casual Shoes",), "moccasins": ("Casual Shoes",),
    "boat shoes": ("Casual Shoes",), "canvas shoes": ("Casual Shoes",), "slip ons": ("Casual Shoes",),
    "oxfords": ("Formal Shoes",), "brogues": ("Formal Shoes",), "derbies": ("Formal Shoes",),
    "dress shoes": ("Formal Shoes",), "office shoes": ("Formal Shoes",), "heels": ("Heels",), "heel": ("Heels",),
    "stilettos": ("Heels",), "pumps": ("Heels",), "wedges": ("Heels",), "block heels": ("Heels",),
    "ballerinas": ("Flats",), "ballet flats": ("Flats",), "bellies": ("Flats",), "juttis": ("Flats",),
    "mojaris": ("Flats", "Casual Shoes"), "sandals": ("Sandals",), "sandal": ("Sandals",),
    "floaters": ("Sports Sandals", "Sandals"), "kolhapuris": ("Sandals",), "flip flops": ("Flip Flops",),
    "flip flop": ("Flip Flops",), "flipflops": ("Flip Flops",), "slippers": ("Flip Flops",), "chappals": ("Flip Flops",),
    "slides": ("Flip Flops",), "boots": ("Booties",), "ankle boots": ("Booties",), "chelsea boots": ("Booties",),
    # bags
    "handbag": ("Handbags",), "purse": ("Handbags", "Wallets", "Clutches"), "tote": ("Handbags",),
    "tote bag": ("Handbags",), "shoulder bag": ("Handbags",), "sling bag": ("Messenger Bag", "Handbags"),
    "clutch": ("Clutches",), "potli": ("Clutches",), "backpack": ("Backpacks",), "rucksack": ("Rucksacks", "Backpacks"),
    "school bag": ("Backpacks",), "wallet": ("Wallets",), "card holder": ("Wallets",), "laptop bag": ("Laptop Bag",),
    "office bag": ("Laptop Bag", "Messenger Bag"), "messenger bag": ("Messenger Bag",), "duffel": ("Duffel Bag",),
    "duffle": ("Duffel Bag",), "duffel bag": ("Duffel Bag",), "gym bag": ("Duffel Bag",), "suitcase": ("Trolley Bag",),
    "trolley": ("Trolley Bag",), "luggage": ("Trolley Bag", "Duffel Bag"), "fanny pack": ("Waist Pouch",),
    "bum bag": ("Waist Pouch",), "pouch": ("Mobile Pouch", "Waist Pouch"),
    # watches, eyewear, headwear, jewellery, accessories
    "watch": ("Watches",), "wristwatch": ("Watches",), "wrist watch": ("Watches",), "timepiece": ("Watches",),
    "sunglasses": ("Sunglasses",), "shades": ("Sunglasses",), "specs": ("Sunglasses",), "sunnies": ("Sunglasses",),
    "goggles": ("Sunglasses",), "aviators": ("Sunglasses",), "wayfarers": ("Sunglasses",), "glasses": ("Sunglasses",),
    "cap": ("Caps",), "baseball cap": ("Caps",), "hat": ("Hat",), "sun hat": ("Hat",), "fedora": ("Hat",),
    "headband": ("Headband",), "hairband": ("Headband",), "earrings": ("Earrings",), "earring": ("Earrings",),
    "jhumkas": ("Earrings",), "jhumka": ("Earrings",), "hoops": ("Earrings",), "necklace": ("Necklace and Chains",),
    "chain": ("Necklace and Chains",), "pendant": ("Pendant",), "locket": ("Pendant",), "ring": ("Ring",),
    "bracelet": ("Bracelet",), "bangle": ("Bangle",), "kada": ("Bangle", "Bracelet"), "jewellery set": ("Jewellery Set",),
    "jewelry set": ("Jewellery Set",), "belt": ("Belts",), "tie": ("Ties",), "necktie": ("Ties",),
    "cufflinks": ("Cufflinks",), "scarf": ("Scarves",), "scarves": ("Scarves",), "stole": ("Stoles",), "shawl": ("Stoles",),
    "muffler": ("Mufflers",), "gloves": ("Gloves",), "mittens": ("Gloves",), "dupatta": ("Dupatta",),
    "suspenders": ("Suspenders",), "braces": ("Suspenders",), "wristband": ("Wristbands",), "umbrella": ("Umbrellas",),
    "socks": ("Socks",), "stockings": ("Stockings",),
    # innerwear, nightwear, personal care
    "bra": ("Bra",), "sports bra": ("Bra",), "briefs": ("Briefs",), "panties": ("Briefs",), "boxers": ("Boxers",),
    "vest": ("Innerwear Vests",), "banian": ("Innerwear Vests",), "night suit": ("Night suits",),
    "nightsuit": ("Night suits",), "pyjamas": ("Night suits", "Lounge Pants"), "pajamas": ("Night suits", "Lounge Pants"),
    "nightie": ("Nightdress",), "nighty": ("Nightdress",), "nightdress": ("Nightdress",), "bathrobe": ("Bath Robe", "Robe"),
    "robe": ("Robe", "Bath Robe"), "perfume": ("Perfume and Body Mist",), "fragrance": ("Perfume and Body Mist",),
    "cologne": ("Perfume and Body Mist",), "body mist": ("Perfume and Body Mist",), "deo": ("Deodorant",),
    "lipstick": ("Lipstick",), "nail polish": ("Nail Polish",), "kajal": ("Kajal and Eyeliner",),
    "eyeliner": ("Kajal and Eyeliner",),
}  # fmt: skip

GROUP_WORDS: dict[str, str] = {
    "shoes": "footwear", "shoe": "footwear", "footwear": "footwear", "bag": "bags", "bags": "bags",
    "jewellery": "jewellery", "jewelry": "jewellery", "eyewear": "eyewear", "headwear": "headwear",
    "bottoms": "bottomwear", "bottomwear": "bottomwear", "topwear": "topwear", "upper": "topwear",
    "accessories": "accessories", "accessory": "accessories", "innerwear": "innerwear", "underwear": "innerwear",
    "lingerie": "innerwear", "nightwear": "innerwear", "sleepwear": "innerwear", "loungewear": "innerwear",
    "makeup": "personal-care", "make up": "personal-care", "cosmetics": "personal-care",
}  # fmt: skip

# Asked for, but no catalogue type holds it: (what to call it, the nearest stocked types in order).
OUT_OF_CATALOGUE: dict[str, tuple[str, tuple[str, ...]]] = {
    "tuxedo": ("tuxedo", ("Suits", "Blazers")), "tux": ("tuxedo", ("Suits", "Blazers")),
    "dinner jacket": ("dinner jacket", ("Blazers", "Suits")), "bow tie": ("bow tie", ("Ties",)),
    "bowtie": ("bow tie", ("Ties",)), "cummerbund": ("cummerbund", ("Belts",)), "pocket square": ("pocket square", ("Ties",)),
    "sherwani": ("sherwani", ("Kurtas", "Nehru Jackets", "Kurta Sets")), "achkan": ("achkan", ("Kurtas", "Nehru Jackets")),
    "bandhgala": ("bandhgala", ("Nehru Jackets", "Blazers")), "jodhpuri": ("jodhpuri suit", ("Nehru Jackets", "Blazers")),
    "dhoti": ("dhoti", ("Kurta Sets", "Churidar")), "lungi": ("lungi", ("Kurta Sets", "Shorts")),
    "veshti": ("veshti", ("Kurta Sets",)), "anarkali": ("anarkali", ("Kurta Sets", "Kurtas", "Dresses")),
    "abaya": ("abaya", ("Kurtas", "Dresses")), "burqa": ("burqa", ("Kurtas", "Dresses")),
    "hijab": ("hijab", ("Scarves", "Stoles")), "turban": ("turban", ("Stoles",)), "pagdi": ("turban", ("Stoles",)),
    "safa": ("safa", ("Stoles",)), "mangalsutra": ("mangalsutra", ("Necklace and Chains", "Pendant")),
    "anklet": ("anklet", ("Bracelet",)), "payal": ("anklet", ("Bracelet",)), "nose ring": ("nose ring", ("Ring", "Earrings")),
    "nose pin": ("nose pin", ("Earrings", "Ring")), "maang tikka": ("maang tikka", ("Jewellery Set", "Earrings")),
    "brooch": ("brooch", ("Pendant",)), "tiara": ("tiara", ("Hair Accessory", "Headband")), "veil": ("veil", ("Dupatta",)),
    "thermals": ("thermals", ("Innerwear Vests", "Sweaters", "Tights")),
    "thermal wear": ("thermals", ("Innerwear Vests", "Sweaters", "Tights")),
    "thermal": ("thermals", ("Innerwear Vests", "Sweaters", "Tights")),
    "base layer": ("base layer", ("Innerwear Vests", "Tshirts")), "long johns": ("long johns", ("Tights", "Lounge Pants")),
    "ski jacket": ("ski jacket", ("Jackets", "Rain Jacket")), "ski pants": ("ski pants", ("Track Pants", "Rain Trousers")),
    "snow boots": ("snow boots", ("Booties", "Sports Shoes")), "hiking boots": ("hiking boots", ("Sports Shoes", "Booties")),
    "trekking boots": ("trekking boots", ("Sports Shoes", "Booties")), "gumboots": ("gumboots", ("Flip Flops", "Booties")),
    "rain boots": ("rain boots", ("Flip Flops", "Booties")), "coat": ("coat", ("Jackets", "Blazers")),
    "overcoat": ("overcoat", ("Jackets", "Blazers")), "trench coat": ("trench coat", ("Jackets", "Rain Jacket")),
    "parka": ("parka", ("Jackets",)), "puffer": ("puffer jacket", ("Jackets",)),
    "puffer jacket": ("puffer jacket", ("Jackets",)), "down jacket": ("down jacket", ("Jackets",)),
    "poncho": ("poncho", ("Rain Jacket", "Shrug")), "beanie": ("beanie", ("Caps",)), "balaclava": ("balaclava", ("Caps",)),
    "earmuffs": ("earmuffs", ("Mufflers", "Headband")), "wetsuit": ("wetsuit", ("Swimwear",)),
    "helmet": ("helmet", ()), "smartwatch": ("smartwatch", ("Watches",)), "fitness band": ("fitness band", ("Watches",)),
    "onesie": ("onesie", ("Clothing Set", "Night suits")), "dungarees": ("dungarees", ("Jumpsuit",)),
    "overalls": ("overalls", ("Jumpsuit",)), "kaftan": ("kaftan", ("Tunics", "Dresses")),
    "clogs": ("clogs", ("Sandals", "Flip Flops")),
    "mojari": ("mojari", ("Flats", "Casual Shoes")), "jutti": ("jutti", ("Flats",)), "kolhapuri": ("kolhapuri", ("Sandals",)),
}  # fmt: skip

# A type named by the words but not stocked by this catalogue → the stocked types nearest to it.
NEAREST_TYPES: dict[str, tuple[str, ...]] = {
    "Suits": ("Blazers", "Shirts"), "Lehenga Choli": ("Kurta Sets", "Sarees", "Dresses", "Skirts"),
    "Sarees": ("Kurta Sets", "Dresses", "Kurtas"), "Kurta Sets": ("Kurtas", "Kurtis", "Dresses"),
    "Kurtas": ("Kurtis", "Shirts", "Tops"), "Kurtis": ("Kurtas", "Tops", "Tunics"), "Tunics": ("Kurtis", "Tops"),
    "Nehru Jackets": ("Blazers", "Jackets", "Waistcoat"), "Waistcoat": ("Nehru Jackets", "Blazers"),
    "Blazers": ("Jackets", "Shirts"), "Jackets": ("Sweatshirts", "Blazers", "Sweaters"), "Sweaters": ("Sweatshirts", "Jackets"),
    "Sweatshirts": ("Sweaters", "Jackets", "Tshirts"), "Rain Jacket": ("Jackets",), "Tops": ("Tshirts", "Shirts"),
    "Tshirts": ("Tops", "Shirts"), "Shirts": ("Tshirts", "Tops"), "Camisoles": ("Tops",), "Shrug": ("Jackets", "Sweaters"),
    "Tracksuits": ("Track Pants", "Sweatshirts"), "Trousers": ("Jeans", "Track Pants"), "Jeans": ("Trousers",),
    "Churidar": ("Leggings", "Salwar"), "Salwar": ("Churidar", "Leggings"), "Patiala": ("Salwar", "Churidar"),
    "Jeggings": ("Leggings", "Jeans"), "Leggings": ("Jeggings", "Track Pants"), "Capris": ("Shorts", "Leggings"),
    "Track Pants": ("Trousers", "Shorts"), "Skirts": ("Dresses", "Shorts"), "Shorts": ("Capris", "Skirts"),
    "Tights": ("Leggings",), "Rain Trousers": ("Track Pants", "Trousers"), "Swimwear": ("Shorts",),
    "Dresses": ("Jumpsuit", "Skirts", "Tops"), "Jumpsuit": ("Dresses", "Rompers"), "Rompers": ("Jumpsuit", "Dresses"),
    "Clothing Set": ("Tshirts", "Shorts"), "Casual Shoes": ("Sports Shoes", "Formal Shoes"),
    "Sports Shoes": ("Casual Shoes",), "Formal Shoes": ("Casual Shoes",), "Heels": ("Flats", "Sandals"),
    "Flats": ("Sandals", "Heels"), "Sandals": ("Flip Flops", "Flats", "Sports Sandals"), "Sports Sandals": ("Sandals",),
    "Flip Flops": ("Sandals",), "Booties": ("Casual Shoes", "Heels"), "Handbags": ("Clutches", "Backpacks"),
    "Clutches": ("Handbags",), "Wallets": ("Clutches", "Mobile Pouch"), "Backpacks": ("Rucksacks", "Messenger Bag", "Handbags"),
    "Rucksacks": ("Backpacks",), "Laptop Bag": ("Messenger Bag", "Backpacks"), "Messenger Bag": ("Laptop Bag", "Handbags"),
    "Duffel Bag": ("Backpacks", "Trolley Bag"), "Trolley Bag": ("Duffel Bag", "Backpacks"), "Caps": ("Hat",), "Hat": ("Caps",),
    "Earrings": ("Jewellery Set",), "Necklace and Chains": ("Pendant", "Jewellery Set"), "Pendant": ("Necklace and Chains",),
    "Bangle": ("Bracelet",), "Bracelet": ("Bangle",), "Ties": ("Ties and Cufflinks",), "Cufflinks": ("Ties and Cufflinks",),
    "Scarves": ("Stoles", "Mufflers"), "Stoles": ("Scarves", "Dupatta"), "Mufflers": ("Scarves", "Stoles"),
    "Dupatta": ("Stoles", "Scarves"), "Watches": (), "Sunglasses": (), "Belts": (),
}  # fmt: skip

# Article types whose singular is an everyday word: recognised in the plural only ("flat", "short").
PLURAL_ONLY: frozenset[str] = frozenset({"Shorts", "Flats", "Tights", "Briefs", "Boxers", "Trunk", "Stockings", "Socks"})


def stocked(types: tuple[str, ...], have: frozenset[str]) -> tuple[str, ...]:
    """The types of ``types`` this catalogue holds (all of them when ``have`` is empty: no catalogue)."""
    return types if not have else tuple(t for t in types if t in have)


def nearest_stocked(types: tuple[str, ...], have: frozenset[str]) -> str | None:
    """The first stocked type nearest to any of ``types`` (None when nothing near is stocked)."""
    for article in types:
        for near in (article, *NEAREST_TYPES.get(article, ())):
            if not have or near in have:
                return near
    return None
