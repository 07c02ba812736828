"""The occasion table: what each occasion people name means in the catalogue's own terms.

One frozen row per occasion: the words and phrases that name it, how formal it is (0 casual … 4
black tie), its palette (colours to prefer, colours to avoid: a funeral avoids bright colours), the
article types that suit it and those that do not (catalogue spelling), what it implies about season
and weather, the catalogue ``usage`` it prefers, and how specific it is (when a message names two,
"a black-tie dinner", the more specific one wins: black tie over dinner). Data, not code: adding an
occasion is adding a row. Trade-off: palettes and type lists are a stylist's defaults, not rules;
the stylist may still relax them when the catalogue runs short.
"""

from __future__ import annotations

from dataclasses import dataclass

# Formality scale.
CASUAL, RELAXED, SMART, FORMAL, BLACK_TIE = range(5)

_BRIGHT = "Red, Orange, Yellow, Pink, Magenta, Lime Green, Turquoise Blue, Multi, Gold, Mustard"
_QUIET = "Navy Blue, Grey, White, Black, Blue, Charcoal, Beige, Off White"
_RICH = "Maroon, Gold, Red, Magenta, Pink, Green, Teal, Mustard, Purple, Navy Blue"
_FESTIVE = "Yellow, Orange, Red, Pink, Green, Gold, Maroon, Magenta, Mustard"
_PASTEL = "Peach, Lavender, Pink, Sea Green, Cream, Beige, Off White, White, Mauve"
_EARTHY = "Olive, Khaki, Brown, Tan, Grey, Navy Blue, Black, Green"

_FORMAL_WEAR = "Shirts, Trousers, Blazers, Formal Shoes, Belts, Ties, Watches, Heels, Flats, Handbags, Kurtas, Sarees"
_ETHNIC_WEAR = ("Kurtas, Kurta Sets, Kurtis, Nehru Jackets, Churidar, Salwar, Sarees, Lehenga Choli, Dupatta, Sandals, "
                "Flats, Heels, Clutches, Earrings, Bangle, Jewellery Set, Necklace and Chains, Watches")
_PARTY_WEAR = "Dresses, Jumpsuit, Shirts, Tops, Jeans, Trousers, Heels, Casual Shoes, Clutches, Earrings, Watches, Blazers"
_SPORT_WEAR = "Tshirts, Track Pants, Shorts, Leggings, Sweatshirts, Tracksuits, Sports Shoes, Caps, Socks, Wristbands"
_BEACH_WEAR = "Shorts, Tshirts, Shirts, Dresses, Tops, Flip Flops, Sandals, Sunglasses, Caps, Hat, Swimwear"
_TRAVEL_WEAR = "Tshirts, Shirts, Jeans, Track Pants, Sweatshirts, Jackets, Casual Shoes, Sports Shoes, Backpacks, Trolley Bag"
_SLOPPY = "Tshirts, Shorts, Flip Flops, Track Pants, Sports Shoes, Caps, Sweatshirts, Lounge Pants, Lounge Shorts"
_DRESSY = "Heels, Formal Shoes, Blazers, Sarees, Lehenga Choli, Clutches, Jewellery Set, Ties, Cufflinks"
_COLD_WEAR = "Jackets, Sweaters, Sweatshirts, Gloves, Mufflers, Caps, Track Pants, Socks, Booties, Sports Shoes"


@dataclass(frozen=True)
class Occasion:
    """One row of the table (see the module docstring for what each field means)."""

    name: str
    title: str
    words: tuple[str, ...]
    formality: int
    usage: str | None
    prefer: tuple[str, ...] = ()
    avoid: tuple[str, ...] = ()
    suits: tuple[str, ...] = ()
    unsuits: tuple[str, ...] = ()
    season: str | None = None  # winter, summer, monsoon, autumn, spring
    weather: tuple[str, ...] = ()  # cold, hot, rain
    specificity: int = 1  # 0: generic (dinner, party); 2: names the event exactly (black tie, funeral)

    def brief(self) -> dict:
        """The fields a screen or a JSON answer needs."""
        return {"name": self.name, "title": self.title, "formality": self.formality, "usage": self.usage}


def _split(text: str, sep: str = ",") -> tuple[str, ...]:
    return tuple(part.strip() for part in text.split(sep) if part.strip())


def _row(name: str, title: str, words: str, formality: int, usage: str | None, *, prefer: str = "", avoid: str = "",
         suits: str = "", unsuits: str = "", season: str | None = None, weather: str = "", specificity: int = 1) -> Occasion:
    """A row from readable strings: words split on "|", colours and types on ","."""
    return Occasion(name, title, _split(words, "|"), formality, usage, _split(prefer), _split(avoid), _split(suits),
                    _split(unsuits), season, _split(weather), specificity)


OCCASIONS: tuple[Occasion, ...] = (
    # -- work ---------------------------------------------------------------------------------
    _row("interview", "Interview", "interview|job interview|campus placement|placement interview|viva", FORMAL, "Formal",
         prefer=_QUIET, avoid=_BRIGHT, suits=_FORMAL_WEAR, unsuits=_SLOPPY + ", Sunglasses", specificity=2),
    _row("office", "Office", "office|work|workplace|corporate|at work|to work|office wear|workwear|9 to 5|business casual", SMART, "Formal",
         prefer=_QUIET, avoid="Multi, Lime Green, Magenta", suits=_FORMAL_WEAR + ", Tops, Kurtis", unsuits=_SLOPPY),
    _row("business-meeting", "Business meeting", "business meeting|client meeting|board meeting|meeting|presentation|pitch",
         FORMAL, "Formal", prefer=_QUIET, avoid=_BRIGHT, suits=_FORMAL_WEAR, unsuits=_SLOPPY, specificity=2),
    _row("conference", "Conference", "conference|seminar|summit|networking event|networking|workshop|expo", SMART, "Formal",
         prefer=_QUIET, avoid="Multi, Lime Green", suits=_FORMAL_WEAR + ", Laptop Bag", unsuits=_SLOPPY),
    _row("video-call", "Video call", "video call|zoom call|zoom meeting|work from home|wfh", RELAXED, "Smart Casual",
         prefer=_QUIET, suits="Shirts, Tops, Kurtis, Tshirts, Kurtas", unsuits="Sunglasses, Caps", specificity=2),
    # -- weddings and family ceremonies --------------------------------------------------------
    _row("wedding-guest", "Wedding guest", "wedding|wedding guest|friend's wedding|shaadi|marriage|engagement|ring ceremony|"
         "roka|wedding function|cousin's wedding", FORMAL, "Ethnic", prefer=_RICH, avoid="White, Black",
         suits=_ETHNIC_WEAR + ", Blazers, Formal Shoes", unsuits=_SLOPPY + ", Backpacks", specificity=2),
    _row("own-wedding", "Own wedding", "my wedding|our wedding|own wedding|getting married|bridal|bride|groom|my shaadi",
         BLACK_TIE, "Ethnic", prefer="Red, Maroon, Gold, Pink, Magenta, Cream, Off White", avoid="Black",
         suits=_ETHNIC_WEAR, unsuits=_SLOPPY + ", Backpacks", specificity=3),
    _row("sangeet", "Sangeet", "sangeet|sangeet night|sangeet ceremony", FORMAL, "Ethnic", prefer=_FESTIVE + ", Purple, Teal",
         suits=_ETHNIC_WEAR + ", Dresses", unsuits=_SLOPPY, specificity=2),
    _row("mehendi", "Mehendi", "mehendi|mehndi|mehandi|henna night", SMART, "Ethnic", prefer="Green, Yellow, Orange, Pink, Mustard",
         avoid="Black", suits=_ETHNIC_WEAR, unsuits="Heels, Formal Shoes, Blazers", specificity=2),
    _row("haldi", "Haldi", "haldi|haldi ceremony", RELAXED, "Ethnic", prefer="Yellow, Mustard, White, Off White, Orange",
         avoid="Black, Navy Blue", suits="Kurtas, Kurtis, Kurta Sets, Sarees, Flats, Sandals, Dupatta",
         unsuits="Heels, Formal Shoes, Blazers, Watches", specificity=2),
    _row("reception", "Reception", "reception|wedding reception|wedding party", BLACK_TIE, "Ethnic",
         prefer=_RICH + ", Black, Silver", suits=_ETHNIC_WEAR + ", Blazers, Suits, Formal Shoes, Dresses",
         unsuits=_SLOPPY + ", Backpacks", specificity=2),
    _row("baby-shower", "Baby shower", "baby shower|godh bharai|naming ceremony|christening|baptism", SMART, "Casual",
         prefer=_PASTEL, avoid="Black", suits="Dresses, Kurtas, Kurtis, Tops, Shirts, Flats, Sandals, Handbags",
         unsuits=_SLOPPY, specificity=2),
    _row("funeral", "Funeral", "funeral|cremation|memorial|memorial service|prayer meeting|condolence|wake|last rites|"
         "chautha|shraddh|uthala|mourning", FORMAL, "Formal", prefer="White, Off White, Cream, Beige, Grey, Black, Navy Blue",
         avoid=_BRIGHT + ", Purple, Green, Silver, Metallic, Blue, Teal, Sea Green, Lavender, Peach, Rust, Olive, Khaki",
         suits="Shirts, Trousers, Kurtas, Kurtis, Sarees, Churidar, Salwar, Formal Shoes, Flats, Dupatta",
         unsuits=_SLOPPY + ", Heels, Sunglasses, Jewellery Set, Earrings, Clutches, Dresses", specificity=3),
    _row("graduation", "Graduation", "graduation|convocation|commencement|graduation day", FORMAL, "Formal",
         prefer=_QUIET + ", Maroon", suits=_FORMAL_WEAR + ", Dresses, Kurta Sets", unsuits=_SLOPPY, specificity=2),
    _row("farewell", "Farewell", "farewell|farewell party|send off|send-off", SMART, "Ethnic",
         prefer="Black, Navy Blue, Maroon, Red, Gold, White", suits="Sarees, Kurta Sets, Kurtas, Blazers, Shirts, Dresses, Heels",
         unsuits=_SLOPPY),
    # -- evenings out ---------------------------------------------------------------------------
    _row("black-tie", "Black tie", "black tie|black-tie|white tie|gala|gala dinner|formal dinner|ball|banquet|award night|awards",
         BLACK_TIE, "Formal", prefer="Black, Navy Blue, Charcoal, White, Silver, Gold, Maroon",
         avoid=_BRIGHT + ", Khaki, Olive, Purple, Brown, Tan, Beige, Blue, Green, Teal, Lavender, Peach, Rust, Sea Green, Mauve",
         suits="Suits, Blazers, Shirts, Trousers, Ties, Cufflinks, Formal Shoes, Dresses, Sarees, Heels, Clutches, Earrings, Watches",
         unsuits=_SLOPPY + ", Jeans, Backpacks, Casual Shoes", specificity=3),
    _row("cocktail", "Cocktail party", "cocktail|cocktails|cocktail party|cocktail evening|drinks|soiree", FORMAL, "Party",
         prefer="Black, Navy Blue, Maroon, Gold, Silver, Red, Teal", suits=_PARTY_WEAR, unsuits=_SLOPPY, specificity=2),
    _row("dinner", "Dinner", "dinner|restaurant|fine dining|supper|dinner out", SMART, "Casual",
         suits=_PARTY_WEAR + ", Formal Shoes", unsuits="Flip Flops, Track Pants, Shorts, Sports Shoes", specificity=0),
    _row("date", "Date", "date|date night|first date|dinner date|romantic dinner|anniversary|valentine|valentine's day|valentines day",
         SMART, "Casual", prefer="Red, Maroon, Black, Navy Blue, Pink, White", suits=_PARTY_WEAR + ", Formal Shoes",
         unsuits="Flip Flops, Track Pants, Sports Shoes, Backpacks", specificity=2),
    _row("party", "Party", "party|parties|birthday|birthday party|night out|club|clubbing|new year|new year's eve|nye|"
         "girls night|girls night out|kitty party|office party|disco|pub|bar|party wear|partywear", SMART, "Party",
         prefer="Black, Red, Maroon, Gold, Silver, Navy Blue, Purple", suits=_PARTY_WEAR, unsuits="Track Pants, Flip Flops",
         specificity=0),
    _row("house-party", "House party", "house party|get together|get-together|potluck|game night|sleepover|slumber party",
         RELAXED, "Casual", suits="Tshirts, Shirts, Tops, Jeans, Dresses, Casual Shoes, Flats", unsuits=_DRESSY, specificity=2),
    _row("brunch", "Brunch", ("brunch|lunch|cafe|café|coffee|coffee date|brunch date|lunch date|breakfast date|day date|"
         "high tea|tea party"), RELAXED, "Casual",
         prefer="White, Beige, Blue, Pink, Yellow, Peach", suits="Shirts, Tshirts, Tops, Dresses, Jeans, Casual Shoes, Flats, "
         "Sandals, Sunglasses, Handbags", unsuits=_DRESSY),
    _row("festival-concert", "Concert or festival", "concert|gig|music festival|live show|live music|sunburn|lollapalooza|rave",
         RELAXED, "Casual", suits="Tshirts, Tops, Jeans, Shorts, Casual Shoes, Sunglasses, Caps, Backpacks, Jackets",
         unsuits=_DRESSY),
    # -- campus ---------------------------------------------------------------------------------
    _row("college", "College", "college|campus|university|uni|class|classes|lecture|lectures", RELAXED, "Casual",
         suits="Tshirts, Shirts, Tops, Kurtis, Jeans, Casual Shoes, Sports Shoes, Backpacks, Watches", unsuits=_DRESSY,
         specificity=0),
    _row("first-day-college", "First day at college", "first day at college|first day of college|first day at uni|"
         "first day at university|first day of university|orientation|freshers|fresher's day|freshers day", RELAXED, "Casual",
         suits="Tshirts, Shirts, Tops, Kurtis, Jeans, Casual Shoes, Backpacks, Watches", unsuits=_DRESSY, specificity=2),
    _row("college-fest", "College fest", "college fest|fest|cultural fest|techfest|tech fest|annual fest", RELAXED, "Casual",
         prefer=_FESTIVE, suits="Tshirts, Tops, Kurtis, Kurtas, Jeans, Casual Shoes, Sunglasses, Backpacks",
         unsuits="Blazers, Formal Shoes, Ties", specificity=2),
    _row("school", "School", "school|school function|annual day|sports day|school trip|parent teacher meeting|ptm",
         RELAXED, "Casual", suits="Tshirts, Shirts, Tops, Shorts, Jeans, Casual Shoes, Sports Shoes, Backpacks",
         unsuits=_DRESSY),
    # -- festivals and faith -------------------------------------------------------------------
    _row("diwali", "Diwali", "diwali|deepavali|dhanteras|diwali party|bhai dooj", FORMAL, "Ethnic", prefer=_FESTIVE,
         avoid="Black", suits=_ETHNIC_WEAR, unsuits=_SLOPPY, season="autumn", specificity=2),
    _row("eid", "Eid", "eid|eid ul fitr|eid al fitr|eid al adha|bakrid|ramzan|ramadan|iftar", SMART, "Ethnic",
         prefer="White, Off White, Cream, Green, Sea Green, Beige, Peach, Gold", suits=_ETHNIC_WEAR, unsuits=_SLOPPY,
         specificity=2),
    _row("holi", "Holi", "holi|holi party|rang panchami", CASUAL, "Casual", prefer="White, Off White",
         suits="Tshirts, Kurtas, Kurtis, Shorts, Track Pants, Flip Flops, Sunglasses, Caps",
         unsuits="Heels, Formal Shoes, Blazers, Sarees, Watches, Handbags, Clutches, Jewellery Set", season="spring",
         specificity=2),
    _row("christmas", "Christmas", "christmas|xmas|christmas party|christmas eve|secret santa", SMART, "Party",
         prefer="Red, Green, White, Gold, Maroon, Silver", suits=_PARTY_WEAR + ", Sweaters", unsuits="Flip Flops, Shorts",
         season="winter", specificity=2),
    _row("navratri", "Navratri / garba", "navratri|navaratri|garba|dandiya|garba night|dandiya night", SMART, "Ethnic",
         prefer=_FESTIVE + ", Blue, Purple", suits="Kurtas, Kurta Sets, Kurtis, Lehenga Choli, Churidar, Dupatta, Flats, "
         "Sandals, Bangle, Earrings", unsuits="Heels, Formal Shoes, Blazers, Ties", season="autumn", specificity=2),
    _row("puja", "Puja", "puja|pooja|havan|griha pravesh|housewarming|durga puja|ganesh chaturthi|satyanarayan", SMART,
         "Ethnic", prefer="Yellow, Red, Orange, White, Cream, Maroon, Gold", avoid="Black", suits=_ETHNIC_WEAR,
         unsuits=_SLOPPY + ", Dresses", specificity=2),
    _row("temple", "Temple visit", "temple|temple visit|gurudwara|gurdwara|church|mosque|dargah|darshan|pilgrimage",
         RELAXED, "Ethnic", prefer="White, Cream, Off White, Yellow, Orange", avoid="Black",
         suits="Kurtas, Kurtis, Kurta Sets, Sarees, Churidar, Salwar, Dupatta, Sandals, Flats, Flip Flops",
         unsuits="Shorts, Capris, Rompers, Swimwear, Dresses, Skirts", specificity=2),
    _row("rakhi", "Raksha Bandhan", "rakhi|raksha bandhan|rakshabandhan", SMART, "Ethnic", prefer=_FESTIVE,
         suits=_ETHNIC_WEAR, unsuits=_SLOPPY, specificity=2),
    _row("karwa-chauth", "Karwa Chauth", "karwa chauth|karva chauth|teej", FORMAL, "Ethnic", prefer="Red, Maroon, Pink, Gold",
         avoid="Black, White", suits=_ETHNIC_WEAR, unsuits=_SLOPPY, specificity=2),
    _row("onam-pongal", "Onam / Pongal", "onam|pongal|vishu|ugadi|sankranti|lohri|baisakhi|bihu", SMART, "Ethnic",
         prefer="Off White, Cream, Gold, Yellow, Green", suits=_ETHNIC_WEAR, unsuits=_SLOPPY, specificity=2),
    # -- holidays and travel --------------------------------------------------------------------
    _row("beach", "Beach", "beach|beach day|seaside|beach party|by the sea|island", CASUAL, "Casual",
         prefer="White, Blue, Turquoise Blue, Yellow, Beige, Peach", suits=_BEACH_WEAR,
         unsuits=_DRESSY + ", Sweaters, Jackets, Booties", season="summer", weather="hot"),
    _row("pool", "Pool / swimming", "pool|pool party|poolside|swimming|swim|swimming pool|water park", CASUAL, "Sports",
         suits="Swimwear, Flip Flops, Sunglasses, Shorts, Tshirts, Caps", unsuits=_DRESSY + ", Jeans, Watches",
         season="summer", weather="hot", specificity=2),
    _row("honeymoon", "Honeymoon", "honeymoon|babymoon", RELAXED, "Casual", prefer="White, Red, Pink, Blue, Peach",
         suits=_BEACH_WEAR + ", Dresses, Heels, Clutches", unsuits="Formal Shoes, Ties, Laptop Bag", specificity=2),
    _row("vacation", "Vacation", "vacation|holiday|holidays|trip|travel|travelling|traveling|road trip|getaway|weekend getaway|"
         "sightseeing|tour|train journey|journey|bike trip|biking trip", CASUAL, "Casual", suits=_TRAVEL_WEAR + ", Sunglasses",
         unsuits=_DRESSY, specificity=0),
    _row("airport", "Airport", "airport|flight|long flight|plane|airport look|layover", RELAXED, "Travel",
         suits="Track Pants, Sweatshirts, Jackets, Tshirts, Jeans, Casual Shoes, Backpacks, Trolley Bag, Duffel Bag",
         unsuits="Heels, Formal Shoes, Sarees, Lehenga Choli, Jewellery Set"),
    _row("trek", "Trek / hike", "trek|trekking|hike|hiking|trail|mountaineering|mountain trip|nature walk", CASUAL, "Sports",
         prefer=_EARTHY, avoid="White, Off White, Cream", suits="Tshirts, Jackets, Sweatshirts, Track Pants, Sports Shoes, "
         "Caps, Backpacks, Rucksacks, Sunglasses, Socks, Rain Jacket",
         unsuits="Heels, Formal Shoes, Flip Flops, Sarees, Dresses, Handbags, Clutches, Jeans, Booties", specificity=2),
    _row("camping", "Camping", "camping|camp|campfire|bonfire|glamping|jungle safari|safari", CASUAL, "Sports",
         prefer=_EARTHY, suits="Tshirts, Jackets, Sweatshirts, Track Pants, Sports Shoes, Caps, Backpacks, Rucksacks",
         unsuits="Heels, Formal Shoes, Sarees, Dresses, Clutches", specificity=2),
    _row("ski", "Ski trip", "ski|skiing|ski trip|snowboarding|snow trip", CASUAL, "Sports", suits=_COLD_WEAR,
         unsuits="Shorts, Flip Flops, Sandals, Tshirts, Heels, Dresses", season="winter", weather="cold", specificity=2),
    _row("monsoon-commute", "Monsoon commute", "monsoon commute|rainy commute|commute in the rain|commute in the monsoon|"
         "rainy day|rainy days", CASUAL, "Casual", prefer="Navy Blue, Black, Grey, Olive, Yellow",
         suits="Rain Jacket, Rain Trousers, Flip Flops, Sandals, Backpacks, Umbrellas, Caps, Tshirts, Track Pants",
         unsuits="Formal Shoes, Casual Shoes, Heels, Booties, Sarees", season="monsoon", weather="rain", specificity=2),
    _row("picnic", "Picnic", "picnic|day out|outing|park|garden party|farm visit", CASUAL, "Casual",
         prefer="White, Yellow, Blue, Green, Pink, Peach", suits="Tshirts, Shirts, Tops, Dresses, Shorts, Jeans, Sandals, "
         "Casual Shoes, Sunglasses, Caps, Hat", unsuits=_DRESSY),
    _row("everyday", "Everyday", "everyday|daily wear|day to day|weekend|hangout|hanging out|errands|shopping|movie|movies|mall|"
         "commute|commuting|casual|casual wear",
         CASUAL, "Casual", suits="Tshirts, Shirts, Tops, Kurtis, Jeans, Shorts, Casual Shoes, Sandals, Flip Flops, Watches",
         unsuits=_DRESSY, specificity=0),
    # -- sport ------------------------------------------------------------------------------------
    _row("gym", "Gym", "gym|workout|work out|working out|training|weights|crossfit|fitness|exercise|hiit|zumba|aerobics",
         CASUAL, "Sports", suits=_SPORT_WEAR + ", Duffel Bag", unsuits=_DRESSY + ", Jeans, Casual Shoes, Flip Flops, Flats, Sandals"),
    _row("running", "Running", "running|run|runs|jog|jogging|marathon|half marathon|sprint|morning run|5k run|10k run|"
         "5k race|10k race", CASUAL, "Sports",
         suits=_SPORT_WEAR, unsuits=_DRESSY + ", Jeans, Casual Shoes, Flip Flops, Sandals, Flats", specificity=2),
    _row("yoga", "Yoga", "yoga|pilates|meditation|stretching", CASUAL, "Sports",
         suits="Tshirts, Tops, Track Pants, Leggings, Capris, Shorts", unsuits=_DRESSY + ", Jeans, Sports Shoes, Watches, Flats, "
         "Flip Flops, Sandals, Casual Shoes",
         specificity=2),
    _row("cycling", "Cycling", "cycling|cycle|cycle ride|bike ride|biking|bicycle|spin class", CASUAL, "Sports",
         suits=_SPORT_WEAR + ", Sunglasses", unsuits=_DRESSY + ", Sarees, Dresses, Skirts, Flip Flops, Flats", specificity=2),
    _row("sport", "Sport", "sport|sports|football|cricket|tennis|badminton|basketball|squash|volleyball|golf|match|match day",
         CASUAL, "Sports", suits=_SPORT_WEAR, unsuits=_DRESSY + ", Jeans, Flats, Flip Flops"),
)
OCCASION_BY_NAME: dict[str, Occasion] = {o.name: o for o in OCCASIONS}


def occasion_named(name: str | None) -> Occasion | None:
    """The row called ``name`` (its canonical name, e.g. ``"black-tie"``), or None."""
    return OCCASION_BY_NAME.get(name or "")
