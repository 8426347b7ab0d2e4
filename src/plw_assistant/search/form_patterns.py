"""How English writes the forms of answer a question asks for: what comes next, how
something went, how far something reaches ("only for ESCP-4x, or for all?"), how something
changes over time ("are members getting keener on EU funding these days?"), what something
rests on ("what is the approach built on?") and why ("what was the point of …?"), each as a
question asks for it and as a passage says it (discourse markers, not the notes' own
phrasing)."""

from __future__ import annotations

import re

# What comes next: plans, what follows the series, the long run.
FUTURE_ASK = re.compile(
    r"\b(?:planned|upcoming|next\s+steps?|in\s+the\s+(?:future|long\s+run|longer\s+term)"
    r"|long[- ]term|afterwards|after\s+(?:that|this|it|the\s+(?:series|webinars?|last\s+\w+))"
    r"|coming\s+up|another\s+(?:one|webinar|plw|session|edition)|continue|carry\s+on"
    r"|will\s+there\s+be|(?:any|more|further)\s+(?:webinars?|plws?|sessions?|editions?)"
    r"|happen\w*\s+(?:next|after)"
    r"|keep\s+(?:on|working|going|collaborating|meeting)|lead\s+to)\b",
    re.I,
)
# The future as English writes it (not "plans": "adjust plans" is no plan for later).
FUTURE = re.compile(
    r"\b(?:will|shall|going\s+to|futures?|upcoming|next\s+(?:year|step|edition)"
    r"|continue|on\s+a\s+(?:short|long|longer)\s+(?:term|perspective))\b",
    re.I,
)
# How something turned out: a success, worth it, what it achieved.
JUDGEMENT_ASK = re.compile(
    r"\b(?:success|successful|worth\s+it|worthwhile|achieved?|achievements?|outcomes?|results?"
    r"|pay\s+off|paid\s+off|how\s+well|(?<!how\s)did\s+(?:it|they|the(?:\s+\w+){1,3})\s+(?:actually\s+|really\s+)?work"
    r"|(?:think|feel|find|say|believe)\s+(?:that\s+)?(?:it|they|the(?:\s+\w+){1,4})\s+"
    r"(?:actually\s+|really\s+)?work(?:ed|s)?"
    # ("Is it useful to look for synergies?" asks whether to do it, not how something went.)
    r"|(?:were|was|are|is)\s+(?:they|it|the\s+\w+)\s+(?:\w+\s+)?(?:useful|valuable|effective)"
    r"(?!\s+to\b))\b",
    re.I,
)
# A judgement as English writes one (not "strategic": that says what matters, not how it went).
JUDGEMENT = re.compile(
    r"\b(?:success(?:es|ful)?|useful|efficient|effective|powerful|valuable|worth(?:while)?|achiev\w*"
    r"|benefit\w*|fruitful|failure|failed)\b",
    re.I,
)

# How far something reaches: "only for ESCP-4x, or for all?", "beyond our strand?", "go fully
# digital?", "can EU money only pay for new services?".
SCOPE_ASK = re.compile(
    # (Not a quantity or whose: "only two of us", "or only my cluster?")
    r"\b(?:only(?!\s+(?:\d|one|two|three|four|five|a\s+few|a\s+couple|my|our|me|us|I)\b)"
    r"|solely|exclusively|beyond|restrict(?:ed)?|limit(?:ed)?\s+to|more\s+widely"
    r"|wider|widen(?:ed)?|broaden(?:ed)?|extend(?:ed)?\s+to|open(?:ed)?\s+(?:it\s+)?up"
    r"|not\s+just|just\s+(?:for|the|to)|replace\s+(?:all|everything)"
    r"|(?:fully|completely|entirely|100\s*%)\s+(?:digital|online|virtual))\b",
    re.I,
)
# A passage saying how far something reaches: "should not be restricted to … but to all …",
# "part of … but also …", "can't replace all …".
SCOPE = re.compile(
    r"\b(?:not\s+(?:be\s+)?(?:restricted|limited|confined)\s+to|not\s+only|but\s+also"
    r"|as\s+well\s+as|(?:can[’']?t|cannot|can\s+not)\s+replace\s+(?:all|every)\w*)\b",
    re.I,
)
# How something changes over time: "getting keener on EU funding these days?", "more and more?"
TREND_ASK = re.compile(
    r"\b(?:these\s+days|nowadays|lately|increasingly|more\s+and\s+more|keener|on\s+the\s+rise"
    r"|(?:getting|becoming|growing)\s+(?:more|less|keener)|trend(?:s|ing)?"
    r"|growing\s+(?:interest|demand|number))\b",
    re.I,
)
# A passage saying so: "Members are more and more interested …".
TREND = re.compile(
    r"\b(?:more\s+and\s+more|less\s+and\s+less|increasingly|ever\s+more|growing|rising"
    r"|on\s+the\s+rise)\b",
    re.I,
)
# What something rests on: "what is the approach built on?", "on what … were they based?".
# ("Based on your experience, …" says where an opinion comes from: no verb of being before it.)
_RESTING = r"(?:based|built|founded|grounded|centred|centered)"
BASIS_ASK = re.compile(
    rf"\b(?:is|are|was|were|be|been)\s+(?:[\w-]+\s+){{0,5}}?{_RESTING}\s+(?:on|upon|around)\b"
    rf"|^\s*(?:on|upon)\s+what\b.*\b{_RESTING}\b"
    r"|\b(?:principles?|idea|concept)\s+(?:behind|underlying)\b|\bunderlying\s+(?:principle|idea)",
    re.I,
)
# A passage saying it: "It is based on mutual interaction and cooperative learning."
BASIS = re.compile(
    rf"\b{_RESTING}\s+(?:on|upon|around)\b"
    r"|\b(?:rests?|relies|rely)\s+on\b",
    re.I,
)
# Why, what for: "why …?", "what was the point of …?", "were they meant to help …?".
PURPOSE_ASK = re.compile(
    # ("Honestly, why …?", "ok, why …": a word said before the question.)
    r"(?:^|[:;]|,\s+(?:and|but)\b|^\s*\w+,)\s*(?:and\s+|but\s+|so\s+)?why\b"
    r"|\bwhat\s+(?:was|is|were|are|'s)\s+(?:the|their|its)\s+(?:main\s+|real\s+|whole\s+)?"
    r"(?:point|purpose|aim|goal|objective|idea|reason|rationale)s?\b"
    r"|\bwhat\s+(?:was|is)\s+(?:it|that|this)\s+(?:all\s+)?for\b"
    r"|\b(?:point|purpose|aim|goal|objective|rationale)\s+(?:of|behind)\b(?!\s+contact)"
    r"|\b(?:meant|supposed|intended|designed|set\s+up)\s+to\s+(?:achieve|accomplish|do|deliver)\b"
    # "How were the webinars meant to help …?", "hoping to achieve", "was the aim only to …?"
    r"|\b(?:was|were|is|are)\s+(?P<subject>(?:\w+\s+){1,4}?)(?:meant|intended|designed)"
    r"\s+to\b(?!\s+be\b)"
    r"|\bhop(?:ed|ing)\s+to\s+(?:achieve|accomplish|get\s+out\s+of)\b"
    r"|\b(?:was|is)\s+(?:part\s+of\s+)?(?:the|their|its)\s+(?:main\s+|real\s+|whole\s+)?"
    r"(?:aim|goal|idea|purpose|point|objective)\s+(?:only\s+|just\s+|also\s+|really\s+)?to\b",
    re.I,
)
# Purpose and reason as English writes them (discourse markers, not the notes' phrasing).
PURPOSE = re.compile(
    r"\b(?:in\s+order\s+(?:to|that)|so\s+as\s+to|so\s+that|because|due\s+to|otherwise"
    r"|the\s+(?:idea|aim|goal|purpose|objective)\s+(?:was|is|being)|aim(?:s|ed)?\s+(?:to|at)"
    r"|(?:or|else)\s+(?:they|it|we|you|one)\s+risks?)\b"
    # A clause after a semicolon saying what it brings ("…; it can save a lot of time").
    r"|;\s*(?:when\s+[^,;]+,\s*)?it\s+(?:can|could|will|would|is|helps?|saves?)\b",
    re.I,
)
# Whether people came and joined in: "did most partnerships turn up?", "how was attendance?"
# (not "which partnerships took part?": a list of names answers that).
TURNOUT_ASK = re.compile(
    r"\b(?:most|many|all|few|everyone|everybody|anyone|anybody|people|ppl)\b[^?]*\b(?:take\s+part"
    r"|took\s+part|participat\w*|attend\w*|represented"
    r"|get\s+involved|got\s+involved|join(?:ed)?\s+in)\b|\b(?:attendance|turnout|turn-out)\b"
    # "Who showed up?": coming at all, said of people, is turnout whoever asks it.
    r"|\bjust\s+listen|\b(?:show|turn)(?:s|ed|ing)?\s+up\b",
    re.I,
)
# A passage saying so: "… were represented and actively participated".
TURNOUT = re.compile(r"\b(?:represented|participated|attended|attendance)\b", re.I)
