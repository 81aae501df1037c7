"""The words that say what a figure measures and when: measure cues, time qualifiers, direction
and modality. Patterns only; ``newsdesk.facts`` applies them."""

from __future__ import annotations

import re

# Canonical measures, each with the words that name it right after a figure ("1,800 jobs",
# "$593 billion in market value") and the words that announce it before one ("valued at $29
# billion", "shares fell 17%"). Order matters: the first measure whose cue matches wins, so
# the specific ("market value") precede the general ("shares").
MEASURES: tuple[tuple[str, str, str], ...] = (
    # key, after the figure, before the figure (both matched case-insensitively, nearest first)
    (
        "market value",
        r"(?:(?:of|in|from|off)\s+(?:its\s+|the\s+company's\s+|their\s+)?)?(?:market\s+(?:value|valuation|cap(?:italis|italiz)?(?:ation)?)|stock\s+market\s+value)",
        r"market\s+(?:value|valuation|cap(?:italis|italiz)?(?:ation)?)|wiped\s+(?:out\s+)?|erased",
    ),
    ("valuation", r"valuation", r"valu(?:ed|ing|ation)\s+(?:\w+\s+){0,3}(?:at|of)"),
    ("net worth", r"net\s+worth", r"net\s+worth"),
    (
        "jobs cut",
        r"(?:\w+\s+){0,2}(?:jobs?|employees|workers|positions|staff(?:ers)?|roles|layoffs|job\s+cuts)\s+(?:\w+\s+){0,2}(?:cut|lost|eliminated|axed|shed|laid\s+off)",
        r"(?:cut(?:ting|s)?|lay(?:ing)?\s+off|laid\s+off|lays\s+off|eliminat\w+|slash\w*|shed(?:ding|s)?|ax(?:e|es|ed|ing)|layoffs?\s+of|job\s+cuts?\s+of)\s+(?:about\s+|around\s+|nearly\s+|some\s+|roughly\s+|another\s+|more\s+than\s+|an\s+additional\s+)?",
    ),
    ("layoffs", r"(?:layoffs|job\s+cuts|redundancies)", r""),
    (
        "headcount",
        r"(?:\w+\s+){0,2}(?:employees|workers|staff|people)(?=\s+(?:worldwide|globally|in\s+total|at\s+the\s+end))",
        r"(?:employs|employ|employed|employing|workforce\s+of|headcount\s+of|staff\s+of|employer\s+of)\s+(?:about\s+|around\s+|nearly\s+|some\s+|more\s+than\s+)?",
    ),
    ("parameters", r"(?:\w+\s+)?parameters?", r"parameter\s+count\s+of"),
    (
        "funding",
        r"(?:in\s+)?(?:new\s+|fresh\s+|venture\s+|additional\s+)?(?:funding|financing|investment|capital|round)",
        r"(?:rais(?:ed|es|e|ing)|secur(?:ed|es|ing)|invest(?:ed|s|ing|ment\s+of)?|funding\s+of|pour(?:ed|ing)|injection\s+of|backing\s+of|commit(?:ted|s)?)\s+(?:another\s+|an\s+additional\s+|a\s+further\s+|about\s+|nearly\s+|more\s+than\s+|up\s+to\s+)?",
    ),
    (
        "investment",
        r"(?:in\s+)?(?:new\s+)?investments?",
        r"(?:invest(?:ed|s|ing)|put|putting|pour(?:ed|ing)|plough(?:ed)?|sunk)\s+",
    ),
    ("settlement", r"(?:in\s+)?(?:a\s+)?settlements?", r"settl(?:ed|es|e|ing)\s+(?:(?:\w+|--|[\u2013\u2014])\s+){0,3}for\s+"),
    # A fine is no price and no payment: "fined $500", "a civil penalty of $40,000".
    (
        "fine",
        r"(?:in\s+)?(?:fines?|penalties)",
        r"(?:fined|fines?\s+of|(?:civil\s+|criminal\s+|maximum\s+)?penalty\s+of)\s+(?:up\s+to\s+)?",
    ),
    ("payment", r"in\s+(?:reimbursements?|payments?|fees)", r"(?:paid|pay|pays|paying)\s+(?:\w+\s+){0,2}"),
    (
        "users",
        r"(?:\w+\s+){0,2}(?:users|subscribers|members|customers|accounts|downloads|sign-?ups|listeners|viewers)",
        r"user\s+base\s+of",
    ),
    (
        "revenue",
        r"(?:in\s+)?(?:\w+\s+){0,2}(?:revenue|revenues|sales|turnover)",
        r"(?:revenue|revenues|sales|turnover)\s+(?:\w+\s+){0,3}(?:of|to|at|by|was|were|rose|fell|grew|climbed|jumped|dropped|declined|over)\s+",
    ),
    (
        "profit",
        r"(?:in\s+)?(?:\w+\s+)?(?:profit|profits|net\s+income|earnings)",
        r"(?:profit|profits|net\s+income|earnings)\s+(?:\w+\s+){0,3}(?:of|to|at|by|was|were|rose|fell)\s+",
    ),
    ("loss", r"(?:in\s+)?(?:\w+\s+)?(?:net\s+)?loss(?:es)?", r"(?:net\s+)?loss\s+of\s+"),
    (
        "deaths",
        r"(?:people\s+(?:(?:have|had)\s+been\s+|were\s+|have\s+|had\s+)?)?(?:dead|deaths|killed|died|fatalities|victims|lives)|(?:(?:other|more|(?!(?:was|has|is|does)\b)[a-z]{2,}s|[a-z]+men)\s+){1,2}(?:died|(?:were|have\s+been|had\s+been|have\s+died)\s+killed)",
        r"(?:killed|killing|death\s+toll\s+(?:\w+\s+){0,2}(?:of|to|at)|deaths\s+(?:of|to|at)|toll\s+of)\s+(?:at\s+least\s+)?",
    ),
    (
        "injured",
        r"(?:people\s+)?(?:injured|wounded|hurt)|(?:(?:other|more)\s+)?(?:were\s+(?:injured|wounded|hurt)|(?:had|suffered)\s+(?:[\w-]+\s+){0,2}injuries)",
        r"(?:injur\w+|wound\w+)\s+(?:at\s+least\s+)?",
    ),
    ("votes", r"(?:of\s+the\s+)?(?:votes?|ballots)", r""),
    (
        "price",
        r"(?:a|per)\s+(?:share|barrel|ounce|gallon|unit|ticket)",
        r"(?:pric(?:ed|e[ds]?)\s+(?:\w+\s+){0,2}(?:at|of)|costs?|costing|sells?\s+for|sold\s+(?:\w+\s+){0,6}for|fee\s+of|fine\s+of|fined)\s+",
    ),
    ("shares", r"(?:of\s+its\s+)?shares", r"(?:shares?|stock|stocks)\s+(?:\w+\s+){0,5}"),
    (
        "likelihood",
        r"(?:more|less)\s+likely|[\"\u201d\u2019']?\s*(?:certain|sure|likely|unlikely)\b",
        r"",
    ),
    ("age", r"-?years?-old|years?\s+old|-month-old", r"\baged\s+|\bages?\s+(?:of\s+)?"),
    (
        "sentence",
        r"years?\s+(?:in\s+prison|behind\s+bars|in\s+jail)|(?:-year)\s+(?:prison\s+)?(?:sentence|term)",
        r"sentenced\s+to\s+",
    ),
    (
        "rate",
        r"(?:interest\s+)?rate",
        r"(?:rate|rates|unemployment|inflation)\s+(?:\w+\s+){0,3}(?:of|to|at|by|from|was|were|is|are)\s+",
    ),
)

# Verbs that say what a sum of money is and nothing about a count or a percent: "lost $514
# million" is a loss, "shares lost 5%" a share move. Matched right before a money figure.
MONEY_VERBS: tuple[tuple[str, str], ...] = (
    ("loss", r"\b(?:lost|loses|lose|losing)"),
    ("debt", r"\b(?:owes|owe|owed|owing)"),
    ("spending", r"\b(?:spent|spends|spend|spending)"),
    ("donation", r"\b(?:donat(?:e|es|ed|ing)|(?:pledg(?:e|es|ed|ing)|promis(?:e|es|ed|ing))\s+to\s+(?:give|donate))"),
    ("income", r"\b(?:earned|earns|earn|earning|made|makes|make|making|pocketed|took\s+home)"),
)

# Stock indexes: a percent move of one is the index's move, not a share price.
INDEX = re.compile(
    r"\b(?:S&P(?:\s+500)?|Nasdaq(?:\s+(?:Composite|100))?|Dow(?:\s+Jones)?(?:\s+Industrial\s+Average)?|FTSE(?:\s+100)?|Nikkei(?:\s+225)?|DAX|CAC(?:\s+40)?|Hang\s+Seng|Russell\s+2000|Stoxx(?:\s+600)?|Euro\s+Stoxx\s+50)\b"
)

_MONTH = (
    r"(?:January|February|March|April|May|June|July|August|September|October|November|December"
    r"|(?:Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept?|Oct|Nov|Dec)\.?)"
)

# Time qualifiers, canonical key first; matched near the figure, nearest wins.
TIMES: tuple[tuple[str, str], ...] = (
    ("premarket", r"\b(?:in\s+)?pre-?market(?:\s+trading)?\b"),
    ("after hours", r"\b(?:in\s+)?(?:after-?hours|extended)\s+trading\b|\bafter\s+the\s+bell\b"),
    (
        "open",
        r"\bat\s+the\s+(?:open|opening(?:\s+bell)?|start\s+of\s+trading)\b|\b(?:in\s+)?early\s+(?:trading|trade|deals|dealings)\b|\bopened\b|\bat\s+the\s+start\s+of\s+the\s+(?:day|session)\b",
    ),
    (
        "midday",
        r"\b(?:by|at|around|as\s+of|before|near)\s+(?:mid-?day|noon|lunchtime)\b|\bmid-?(?:day|morning|afternoon)\b|\b(?:in\s+)?(?:morning|afternoon)\s+trading\b|\bintraday\b",
    ),
    (
        "close",
        r"\bat\s+the\s+(?:close|closing\s+bell|end\s+of\s+(?:the\s+)?(?:day|trading|session))\b|\b(?:by|before)\s+the\s+close\b|\bclos(?:ed|ing)\b|\bended\s+the\s+(?:day|session)\b|\bfinished\b|\bsettled\b",
    ),
    ("year to date", r"\byear[- ]to[- ]date\b|\bso\s+far\s+this\s+year\b|\bsince\s+the\s+start\s+of\s+the\s+year\b"),
    ("this year", r"\bthis\s+year\b"),
    ("last year", r"\blast\s+year\b|\ba\s+year\s+(?:earlier|ago|before)\b|\bthe\s+previous\s+year\b|\bprior\s+year\b"),
    ("next year", r"\bnext\s+year\b|\bthe\s+(?:next|following)\s+year\b"),
    (
        "years",
        rf"\bfrom\s+(?:{_MONTH}\s+)?(?:19|20)\d\d\s+(?:to|through|until)\s+(?:{_MONTH}\s+)?(?:19|20)\d\d\b"
        r"|\bbetween\s+(?:19|20)\d\d\s+and\s+(?:19|20)\d\d\b",
    ),
    # A calendar date: "on April 11", "on Dec. 31, 2009".
    ("date", rf"\b(?:on\s+)?{_MONTH}\s+\d{{1,2}}(?:st|nd|rd|th)?\b(?:,?\s+(?:19|20)\d\d\b)?"),
    (
        "quarter",
        r"\b(?:in\s+|during\s+|for\s+)?(?:the\s+)?(?:(?:fiscal|financial)\s+)?(?:first|second|third|fourth|1st|2nd|3rd|4th|final|latest)[- ]quarter(?:\s+of\s+(?:19|20)\d\d)?\b|\bQ[1-4](?:\s+(?:19|20)\d\d)?\b",
    ),
    ("year", r"\b(?:in|during|for|since|by|of)\s+(?:fiscal\s+)?(?:19|20)\d\d\b"),
    (
        "month",
        r"\b(?:last|this|next)\s+month\b|\bin\s+(?:January|February|March|April|May|June|July|August|September|October|November|December)\b",
    ),
    ("week", r"\b(?:last|this|next)\s+week\b"),
    # A time of day: "shortly before 6 a.m.", "around 10:40 p.m.", "at 9:30".
    (
        "clock",
        r"\b(?:(?:shortly|just|soon|sometime)\s+)?(?:before|after|at|around|about|by|until|near|from)\s+"
        r"\d{1,2}(?::\d\d)?\s*(?:[ap]\.?m\b\.?|o'clock\b)|\b\d{1,2}:\d\d\s*[ap]\.?m\b\.?",
    ),
    ("day", r"\b(?:on\s+)?(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)\b|\b(?:yesterday|today)\b"),
    (
        "span",
        r"\b(?:in|within|over|during)\s+(?:the\s+)?(?:(?:first|past|last|next|previous)\s+)?(?:\w+\s+)?(?:days?|weeks?|months?|years?|hours?)\b",
    ),
)
DAY_KEYS = frozenset({"day"})  # a weekday is weak: one side may leave it out

UP = re.compile(
    r"\b(?:rose|rise[sn]?|rising|gain(?:ed|s|ing)?|climb(?:ed|s|ing)?|jump(?:ed|s|ing)?|surg(?:ed|es|ing|e)|soar(?:ed|s|ing)?|rall(?:ied|ies|y)|"
    r"advanc(?:ed|es|ing)|up|higher|increas(?:ed|es|e|ing)|gr[eo]w(?:n|s|ing)?|add(?:ed|s|ing)|boost(?:ed|s)?|doubled|tripled|spik(?:ed|es))\b",
    re.I,
)
DOWN = re.compile(
    r"\b(?:fell|fall(?:s|en|ing)?|drop(?:ped|s|ping)?|declin(?:ed|es|e|ing)|lost|los(?:e|es|ing)|slid(?:e|es|ing)?|slipp?(?:ed|s)?|sank|sink(?:s|ing)?|"
    r"plung(?:ed|es|e|ing)|tumbl(?:ed|es|e|ing)|shr[ai]nk(?:s|ing)?|shrank|down|lower|slump(?:ed|s)?|tank(?:ed|s)?|crash(?:ed|es)?|"
    r"cut(?:s|ting)?|shed(?:s|ding)?|wip(?:ed|es|e|ing)|erased|decreas(?:ed|es|e|ing)|reduc(?:ed|es|e|ing)|eliminat\w+|laid\s+off|lay(?:ing)?\s+off)\b",
    re.I,
)
HEDGED = re.compile(
    r"\b(?:may|might|could|would|expects?|expected|forecasts?|forecast|projected|predicts?|predicted|estimates?|estimated|plans?\s+to|planned|aims?\s+to|hopes?\s+to|"
    r"seeks?\s+to|targets?|proposed|reportedly|likely|in\s+talks|considering)\b",
    re.I,
)
FUTURE = re.compile(
    r"\b(?:will|shall|plans?\s+to|planned|planning\s+to|is\s+set\s+to|are\s+set\s+to|to\s+(?:cut|raise|invest|eliminate))\b", re.I
)
NEGATED = re.compile(r"\b(?:not|n't|never|no\s+longer|denied|den(?:y|ies))\b", re.I)


# Nationality adjectives, which read as names ("a Chinese man", "Ugandan rangers") but name no party.
DEMONYMS = frozenset(
    """Afghan Albanian Algerian American Argentine Argentinian Armenian Australian Austrian Azerbaijani
    Bangladeshi Belarusian Belgian Bolivian Bosnian Brazilian British Bulgarian Burmese Cambodian
    Cameroonian Canadian Chilean Chinese Colombian Congolese Croatian Cuban Cypriot Czech Danish Dutch
    Ecuadorian Egyptian Emirati English Eritrean Estonian Ethiopian European Filipino Finnish French
    Georgian German Ghanaian Greek Guatemalan Haitian Honduran Hungarian Icelandic Indian Indonesian
    Iranian Iraqi Irish Israeli Italian Ivorian Jamaican Japanese Jordanian Kazakh Kenyan Korean Kosovar
    Kurdish Kuwaiti Latvian Lebanese Liberian Libyan Lithuanian Malaysian Malian Maltese Mexican
    Moldovan Mongolian Moroccan Mozambican Nepalese Nigerian Nigerien Norwegian Omani Pakistani
    Palestinian Panamanian Paraguayan Persian Peruvian Polish Portuguese Qatari Romanian Russian Rwandan
    Saudi Scottish Senegalese Serbian Singaporean Slovak Slovenian Somali Spanish Sudanese Swedish
    Swiss Syrian Taiwanese Tajik Tanzanian Thai Tibetan Tunisian Turkish Ugandan Ukrainian Uruguayan
    Uzbek Venezuelan Vietnamese Welsh Yemeni Zambian Zimbabwean""".split()
)
