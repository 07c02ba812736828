"""The words around the products: who, when, where, and the little words that change a meaning.

Tables for the wearer ("my wife", "son", "he"), season and weather ("winter", "it's raining",
"Shimla", "in January"), the cues that scope over what follows ("no …", "only …", "to go with …"),
the words that bound a scope, style words kept for the search text, and the stop words a parser may
drop without reporting them. Phrases are lower case with apostrophes removed ("he's" → "hes"), as
:mod:`core.understanding.text` reads them. Data only. Trade-off: places and months carry an Indian
reading of the climate (January is winter, July is monsoon); a request says more when it says more.
"""

from __future__ import annotations


def _words(text: str) -> tuple[str, ...]:
    return tuple(w.strip() for w in text.split("|") if w.strip())


def _table(**groups: str) -> dict[str, str]:
    """``value="a|b|c"`` → ``{"a": value, "b": value, "c": value}`` (underscores in a value read as spaces)."""
    return {word: value.replace("_", " ") for value, words in groups.items() for word in _words(words)}


# -- who: (sex m/f/u/None, age class adult/child/teen/offspring/None, kind word/kin/pronoun) -------------
# "offspring" (son, daughter) is a child unless the occasion is an adult one ("my daughter's graduation").
_MEN = "men|man|mens|male|males|gents|gent|gentleman|gentlemen|guy|guys|dude|boyfriend|bf"
_WOMEN = "women|woman|womens|ladies|lady|female|females|girlfriend|gf"
_MEN_KIN = ("husband|hubby|dad|daddy|father|papa|brother|bro|uncle|grandfather|grandpa|groom|fiance|father in law|"
            "brother in law|son in law|nephew")
_WOMEN_KIN = ("wife|wifey|mom|mum|mummy|mother|mama|sister|sis|aunt|aunty|auntie|grandmother|grandma|granny|nani|dadi|"
              "bride|bridesmaid|fiancee|mother in law|mom in law|sister in law|daughter in law|niece")
WEARER_WORDS: dict[str, tuple[str | None, str | None, str]] = {
    **{w: ("m", "adult", "word") for w in _words(_MEN)},
    **{w: ("f", "adult", "word") for w in _words(_WOMEN)},
    **{w: ("m", None, "kin") for w in _words(_MEN_KIN)},
    **{w: ("f", None, "kin") for w in _words(_WOMEN_KIN)},
    **{w: ("m", "offspring", "kin") for w in _words("son|sons")},
    **{w: ("f", "offspring", "kin") for w in _words("daughter|daughters")},
    **{w: ("m", "child", "kin") for w in _words("baby boy|little boy|schoolboy|boy|boys|little man")},
    **{w: ("f", "child", "kin") for w in _words("baby girl|little girl|schoolgirl|girl|girls")},
    **{w: (None, "child", "word") for w in _words("kid|kids|child|children|toddler|toddlers|baby|infant|newborn|kiddo|little one|"
                                                  "kidswear|kids wear")},
    **{w: (None, "teen", "word") for w in _words("teen|teens|teenager|teenagers|teenage|tween")},
    **{w: (None, "adult", "word") for w in _words("adult|adults|grown up|grownup")},
    **{w: ("m", None, "pronoun") for w in _words("he|him|his|himself|hes")},
    **{w: ("f", None, "pronoun") for w in _words("she|her|hers|herself|shes")},
    "unisex": ("u", None, "word"),
}
CHILD_AGE_LIMIT = 14  # under this age the catalogue's Boys/Girls fit; from it, Men/Women

# -- when and where ------------------------------------------------------------------------------
SEASON_WORDS: dict[str, str] = _table(
    winter="winter|winters|wintry|wintertime|winter season|in the winter|this winter",
    summer="summer|summers|summertime|summer season|summery|this summer",
    monsoon="monsoon|monsoons|rainy season|the rains|monsoon season",
    autumn="autumn|fall season|this fall|in the fall|in fall|autumnal",
    spring="spring|springtime|spring season|this spring",
)
WEATHER_WORDS: dict[str, str] = _table(
    rain="rain|raining|rainy|rains|drizzle|drizzling|downpour|pouring|wet|stormy|thunderstorm|showers|waterlogged|"
         "wet weather|rainy weather",
    cold="cold|chilly|freezing|frosty|icy|snow|snowy|snowing|sub zero|below zero|cold weather|bitter cold|nippy|"
         "minus degrees|foggy",
    hot="hot|humid|sweltering|scorching|heat|heatwave|heat wave|sunny|boiling|muggy|tropical|hot weather|"
        "warm weather|sultry|blazing sun",
)
PLACE_WEATHER: dict[str, str] = _table(
    cold="himalaya|himalayas|himalayan|shimla|manali|kashmir|srinagar|gulmarg|pahalgam|ladakh|leh|spiti|kasol|darjeeling|"
         "mussoorie|nainital|auli|sikkim|gangtok|tawang|kedarnath|kedarkantha|rohtang|triund|hampta|everest|switzerland|"
         "swiss alps|alps|iceland|norway|finland|lapland|canada|russia|siberia|antarctica|hill station|hills|mountains|"
         "the mountains",
    hot="rajasthan|jaisalmer|jodhpur|bikaner|dubai|abu dhabi|goa|chennai|thailand|bangkok|bali|maldives|singapore|"
        "desert|sahara|andaman|pondicherry|gokarna|phuket|jaipur|udaipur|ahmedabad|hyderabad",
    rain="cherrapunji|meghalaya|konkan|coorg|wayanad",
)
MONTH_SEASON: dict[str, str] = _table(
    winter="january|jan|february|feb|december|dec|in jan|in feb|in dec",
    spring="march|in mar",
    summer="april|apr|in may|june|in june|in april",
    monsoon="july|august|aug|september|sept",
    autumn="october|oct|november|nov",
)

# -- cues that scope over what follows ----------------------------------------------------------
NEGATION = _words(
    "no|not|without|avoid|avoiding|except|except for|excluding|exclude|minus|skip|skipping|drop|remove|leave out|"
    "leave off|never|hate|hates|hated|dislike|dislikes|cant stand|cannot stand|dont like|dont want|dont need|"
    "dont include|dont add|dont love|dont wear|dont show|doesnt like|doesnt want|doesnt wear|doesnt need|doesnt love|"
    "do not want|do not like|do not need|do not include|do not show|does not like|does not want|does not wear|"
    "not into|isnt into|no need for|anything but|anything except|nothing|other than|instead of|rather than|"
    "allergic to|refuses|refuses to wear|wont wear|will not wear|not a fan of|not keen on|steer clear of|"
    "stay away from|none|neither|nor|ditch|lose the|free of|but not|hate wearing|hates wearing"
)
ONLY = _words("only|just|nothing but|exclusively|solely|purely|strictly|all|head to toe")
CONTEXT = _words(
    "to go with|go with|goes with|going with|to match|to match with|that matches|that match|matching my|to pair with|"
    "pair with|to wear with|wear with|to complement|complement|complements|with my|for my|over my|i have|i own|"
    "i already have|already have|i bought|ive got|i got|im wearing|i am wearing|ill be wearing|ill wear|i will wear|"
    "i will be wearing|wearing my|my existing|alongside|to team with|team with|to layer over"
)
PRICE_CUES: dict[str, str] = _table(
    cheaper="cheaper|cheap|less expensive|more affordable|affordable|budget friendly|inexpensive|lower price|"
            "lower the price|cut the cost|too expensive|too pricey|save money|economical|value for money",
    pricier="pricier|more expensive|premium|luxury|luxurious|high end|upmarket|designer|splurge",
)
OTHER_CUES: dict[str, str] = _table(
    instead="instead|swap|replace|change|switch",
    different="different|something else|other options|another|more options|show me more|alternatives|alternative|"
              "something different",
    same="same|similar|like this|like that",
)
OUTFIT_WORDS = _words(
    "outfit|outfits|look|looks|ensemble|attire|what to wear|what should i wear|something to wear|dress up|dressed up|"
    "clothes|clothing|wardrobe|getup|get up|ootd|style me|dressed|full look|complete look|head to toe look|to dress|i dress|"
    "should i dress|how to dress|we dress|dress code|dressing|what do i wear|what can i wear|something to put on"
)
CONNECTORS = frozenset({"or", "and", "nor", "&", "/", ",", "either", "neither", "plus", "also"})
FILLERS = frozenset({
    "a", "an", "the", "any", "anything", "my", "his", "her", "their", "your", "our", "wearing", "wear", "to", "too",
    "much", "very", "so", "of", "in", "colour", "colours", "color", "colors", "shade", "shades", "coloured", "colored",
    "tone", "tones", "kind", "type", "some", "those", "these", "that", "this", "really", "like", "want", "more",
    "bit", "pair", "thing", "things", "stuff", "items", "item", "piece", "pieces", "at", "all", "extra", "with", "for",
    "show", "me", "add", "include", "adding", "one", "ones", "at all", "even", "particularly", "especially",
})
NUMBER_WORDS: dict[str, int] = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10,
    "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17,
    "eighteen": 18, "nineteen": 19, "twenty": 20, "a couple of": 2, "couple of": 2, "a pair of": 1, "pair of": 1,
}

# -- words kept for the search text (understood, harmless), and words dropped silently ------------
DESCRIPTORS = frozenset(_words(
    "elegant|classy|chic|minimal|minimalist|bold|edgy|sporty|relaxed|comfortable|comfy|smart|formal|casual|smart casual|"
    "business casual|"
    "trendy|stylish|classic|vintage|retro|boho|bohemian|preppy|sleek|muted|professional|cute|romantic|cool|cosy|cozy|"
    "statement|understated|simple|subtle|fun|festive|traditional|ethnic|modern|western|indo western|fusion|sharp|"
    "polished|breezy|light|lightweight|warm|heavy|dressy|glam|glamorous|sexy|sophisticated|quirky|playful|rugged|"
    "feminine|masculine|gender neutral|loose|oversized|slim|slim fit|skinny|straight|fitted|tailored|tapered|regular fit|"
    "cropped|high waisted|long|short|sleeveless|half sleeve|half sleeves|full sleeve|full sleeves|long sleeve|"
    "short sleeve|v neck|round neck|collared|hooded|printed|print|prints|floral|striped|stripes|checked|checks|check|"
    "plaid|polka|polka dot|graphic|embroidered|sequinned|sequined|sequin|embellished|solid|plain|textured|denim|"
    "cotton|linen|silk|silky|wool|woollen|woolen|leather|suede|velvet|satin|chiffon|georgette|khadi|polyester|knit|"
    "knitted|fleece|waterproof|water resistant|breathable|quick dry|stretchable|chunky|dainty|analog|analogue|digital|"
    "chronograph|aviator|wayfarer|round|square|oval|pointed|flat|high|low|mid|ankle|knee length|maxi|mini|midi|layered|"
    "matching|coordinated|co ord|party wear|office wear|ethnic wear|sportswear|streetwear|athleisure|loungewear|"
    "fancy|revealing|modest|covered|rain proof|rainproof|water proof|strap|straps|dial|buckle|laces|"
    "lace up|pockets|zip|zipper|collar|hood|neckline|handloom|handmade|block print|bandhani|ikat|chikankari|zari|"
    "banarasi|kanjeevaram|paisley|tie dye"
))
STOPWORDS = frozenset(_words(
    "i|me|my|mine|myself|we|us|our|ours|you|your|yours|it|its|itself|they|them|their|theirs|this|that|these|those|"
    "a|an|the|and|or|but|if|then|else|so|as|at|by|for|from|in|into|of|on|onto|to|with|within|up|down|out|off|over|"
    "about|around|after|before|during|between|through|via|per|each|every|some|any|all|both|few|more|most|other|such|"
    "own|same|than|too|very|can|could|will|would|shall|should|may|might|must|do|does|did|done|doing|be|been|being|"
    "am|is|are|was|were|has|have|had|having|get|gets|got|getting|go|goes|going|went|gone|need|needs|needed|want|"
    "wants|wanted|wanting|like|likes|liked|love|loves|loved|prefer|prefers|preferably|please|pls|plz|thanks|thank|"
    "hi|hello|hey|ok|okay|yes|yeah|also|just|really|quite|bit|little|lot|lots|something|anything|everything|"
    "nothing|someone|somebody|what|which|who|whom|whose|where|when|why|how|there|here|im|ive|id|ill|youre|dont|doesnt|"
    "isnt|arent|wasnt|cant|wont|shouldnt|wouldnt|couldnt|lets|thats|whats|theres|show|find|give|suggest|recommend|"
    "recommendation|recommendations|suggestion|suggestions|help|pick|choose|buy|buying|shop|looking|look|see|search|"
    "wear|wearing|worn|dress|dressed|put|together|attend|attending|visit|visiting|plan|planning|planned|trip|day|days|"
    "night|nights|evening|morning|afternoon|today|tonight|tomorrow|week|weeks|month|months|year|years|next|last|"
    "this|coming|upcoming|soon|later|now|new|nice|good|great|best|better|pretty|beautiful|lovely|awesome|perfect|"
    "ideal|appropriate|suitable|right|proper|decent|fine|ok|idea|ideas|option|options|item|items|piece|pieces|thing|"
    "things|stuff|product|products|one|ones|pair|pairs|set|kind|sort|type|style|styles|stylish|fashion|fashionable|"
    "gift|gifting|present|birthday gift|budget|price|prices|cost|costs|money|spend|spending|rupees|rs|inr|bucks|"
    "under|below|above|over|max|maximum|min|minimum|least|most|around|approx|approximately|roughly|upto|until|till|"
    "colour|colours|color|colors|shade|shades|tone|tones|match|matches|matching|complete|full|whole|entire|"
    "keep|make|made|let|know|think|feel|mind|sure|maybe|perhaps|probably|definitely|actually|basically|generally|"
    "usually|often|always|sometimes|ever|again|still|yet|already|only|even|especially|particularly|mostly|"
    "someone|friend|friends|family|people|person|everyone|colleague|colleagues|boss|who|whos|hes|shes|theyre|were|"
    "also|well|much|many|lot|lots|enough|less|least|very|super|extra|able|going|gonna|wanna|gotta|should|wear|"
    "event|events|function|occasion|occasions|ceremony|celebration|party|go|come|coming|place|time|times|first|second|"
    "age|aged|old|years old|year old|yo|yrs|turning|turns|fit|fits|fitting|suit|suits|suited|outfit|heading|headed|"
    "outfits|clothes|clothing|attire|look|looks|ensemble|idea|send|sending|going out|hang|us|via|etc|eg|ie|vs|yr|"
    "total|overall|altogether|combined|ideally|preferred|wise|fashion|wearable|nice looking|budget wise|instead|"
    "dollar|dollars|euro|euros|pound|pounds|rate|exchange|equals|currency|cash|cheaper|costly|expensive|pricey"
))
