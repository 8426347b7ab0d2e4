"""What a question says that asks nothing: a greeting or an opener before it ("Hi there,",
"Quick question -", "Dear colleagues,"), who is asking ("I work for a regional cluster in
Spain."), thanks after it ("Thanks in advance!"), and words of degree and candour inside it
("When *exactly* was PLW#3 held?", "*Honestly*, why …?"). What the question asks for is read
without them, and a question asked indirectly ("Can you tell me who …?") as the one it holds.

Left in, they move the question's meaning: the model reads "Hi there, who organised the
webinars?" less like the passage that answers it (on the development sets a greeting before
each question cost one lead in twenty, thanks after it as many, a sentence saying who asks
one in ten), and a word of degree stands between a question word and its verb, where the
form of answer is read ("when exactly was …?" was read as asking for no date and got the
webinar's topics)."""

from __future__ import annotations

import re

# Said in the cluster network's languages too ("Hola, …", "Bonjour, …").
_GREETING = (
    r"hi|hello|hey|hiya|howdy|greetings|good\s+(?:morning|afternoon|evening|day)"
    r"|dear\s+(?:all|team|colleagues?|sirs?|madam|sir\s+or\s+madam|assistant|friends)"
    r"|bonjour|salut|hola|buenos\s+d[ií]as|ciao|buongiorno|salve|hallo|guten\s+tag|moin"
    r"|hoi|goedemorgen|goedendag|hej|dzie[nń]\s+dobry|cze[sś][cć]|ol[aá]|bom\s+dia"
)
_OPENER = (
    r"(?:a\s+)?(?:quick|short|small|simple)\s+question|(?:i\s+have\s+)?(?:a|one|another)\s+"
    r"(?:more\s+)?question|question|just\s+(?:curious|wondering|checking)|curious"
    r"|so|ok|okay|well|also|right|alright|anyway|btw|by\s+the\s+way|one\s+more\s+thing"
    # What a reader says of the answer before asking on ("Fine, but who ran the thing?").
    r"|(?:very\s+)?(?:fine|great|cool|nice|interesting|perfect|helpful|useful)|got\s+it|i\s+see"
    r"|understood|thanks?|thank\s+you|ah|oh|ok\s+thanks|okay\s+thanks"
    # The same in the network's languages ("Question rapide:", "Franchement,").
    r"|question\s+rapide|petite\s+question|pregunta\s+r[aá]pida|domanda\s+veloce|kurze\s+frage"
    r"|franchement|honn[eê]tement|sinceramente|francamente|ehrlich\s+gesagt|eerlijk\s+gezegd"
    # The notes named as the source: every answer comes from them ("According to the notes,").
    r"|(?:according\s+to|based\s+on|in|from)\s+(?:the\s+|your\s+)?(?:notes|lessons(?:\s+learn[te]d)?"
    r"|wrap-?up|article|report|documents?|webinars|plws|peer\s+learning\s+webinars|summary)"
)
_BEFORE = re.compile(
    rf"^\s*(?:(?:{_GREETING})(?:\s+(?:there|all|everyone|team|folks|guys|again))?\s*[,!.:;–—-]+"
    rf"|(?:{_OPENER})\s*[,!.:;–—-]+)\s*",
    re.I,
)
_THANKS = (
    r"(?:many\s+|big\s+)?thanks?(?:\s+(?:a\s+lot|so\s+much|very\s+much|in\s+advance|again))*"
    r"|thank\s+you(?:\s+(?:so\s+much|very\s+much|in\s+advance|kindly|again))*|thx|cheers"
    r"|(?:kind|best|warm|many)\s+regards|much\s+appreciated|appreciate\s+it"
    r"|grazie|merci|gracias|danke|dank\s+je(?:\s+wel)?|dzi[eę]kuj[eę]|obrigad[oa]"
)
# Thanks after the question (perhaps "for your help", perhaps signed); "best" and "regards"
# alone only as a sentence of their own ("What is the best?" ends in no thanks).
_AFTER = re.compile(
    rf"(?:[,.!?]\s*(?:best|regards|ta|ty)|(?:[,.!?]\s*|\s+)(?:{_THANKS}))"
    r"(?:\s+for\s+(?:your|the|any)\s+(?:help|time|answer|reply|replies|input))?"
    r"(?:\s*[,!.]*\s*[A-Z][\w’'-]*(?:\s+[A-Z][\w’'-]*){0,2})?\s*[.!:)]*\s*$",
    re.I,
)
# What the reader asks of the answer's form, not of the notes ("Please keep it short.").
_FORM = re.compile(
    r"(?:(?:^|(?<=[.?!]))\s*|\s+(?=please\b))(?:please\s+)?"
    r"(?:(?:keep\s+it|be|make\s+it)\s+(?:short|brief|concise|simple)"
    r"|(?:answer|reply|explain)\s+(?:briefly|shortly|simply|in\s+(?:one|a\s+few|two)\s+"
    r"(?:sentences?|lines?|words)|in\s+plain\s+(?:english|words))|(?:in\s+)?(?:one|a\s+few|two)"
    r"\s+(?:sentences?|lines?)\s+(?:please|is\s+(?:fine|enough))|(?:a\s+)?short\s+answer\s+"
    r"(?:please|is\s+(?:fine|enough))|tl;?dr(?:\s+please)?)(?:\s+please)?\s*[.!]*\s*$",
    re.I,
)
# Where the form of answer is read: after a question word or the verb asking ("When exactly
# was …?", "is it really worth …?"), opening a sentence ("Honestly, why …?") or ending the
# question ("what is it exactly?"). Elsewhere it may say something ("keep the programme
# exactly as planned").
_DEGREE = r"(?:exactly|precisely|actually|really|honestly|basically|specifically|concretely)"
_HEDGE = re.compile(
    rf"\b((?:when|what|who|whom|why|how|which|where|whose|is|are|was|were|did|does|do|it|that"
    rf"|this|they|there)\s+){_DEGREE}\b,?\s*|(?:^|(?<=[.?!]\s)){_DEGREE},?\s+|\s+{_DEGREE}(?=\s*\?)",
    re.I,
)


# Who is asking, told before the one sentence that asks ("I work for a regional
# cluster in Spain. Who organised the webinars?"): the asker, not what is asked. Not a
# partnership or project the notes write to ("We are a new ESCP-4x partnership."), nor a
# sentence telling what happened.
_WHO_ASKS = re.compile(
    r"^\s*(?:(?:i\s*(?:am|'m|’m)|we\s*(?:are|'re|’re))\s+(?:a|an|the|one\s+of\s+the)\s+"
    r"|i\s+work\s+(?:for|at|in|with)\s+|my\s+name\s+is\s+|i\s+(?:run|manage|lead|head"
    r"|coordinate)\s+(?:a|an|the|our)\s+|(?:i|we)\s*(?:am|'m|’m|are|'re|’re)\s+from\s+)"
    r"(?![^.!?]*\b(?:escp|partnerships?|projects?|consortium|consortia|plws?|webinars?|members?"
    r"|crisis|covid|pandemic|lockdown|funding|eu|and|but|our|whose|which|who|where|because"
    r"|since|so|that)\b)[^.!?]{0,120}[.!]\s+(?=[^.!?]+[?.!]?\s*$)",
    re.I,
)


# A question asked indirectly ("Can you tell me who organised them?", "I would like to know
# when …"): the question it holds is what is asked ("if" read as "whether": no condition).
_INDIRECTLY = re.compile(
    r"^\s*(?:please\s+)?(?:(?:can|could|would|will)\s+you\s+(?:please\s+)?(?:tell|show|explain\s+to"
    r"|let)\s+me(?:\s+know)?|tell\s+me|i\s*(?:'d|’d|would)\s+like\s+to\s+know|i\s+(?:want(?:ed)?"
    r"|need)\s+to\s+know|i\s+(?:was\s+)?wonder(?:ing)?|do\s+you\s+know"
    r"|(?:i'?m|i’m|i\s+am)\s+curious)"
    r"(?:\s+please)?\s*[:,]?\s+(?=(?:who|what|when|where|why|how|which|whether|if)\b)",
    re.I,
)
_IF = re.compile(r"^if\b", re.I)

_SPACE_BEFORE_STOP = re.compile(r"\s+(?=[?!.,](?:\s|$))")


def without_fillers(text: str) -> str:
    """``text`` without what asks nothing; as it is if it holds nothing else."""
    rest = _AFTER.sub(lambda m: "?" if "?" in m.group(0) else "", _BEFORE.sub("", text, count=1))
    rest = _WHO_ASKS.sub("", rest, count=1)
    direct = _INDIRECTLY.sub("", rest, count=1)
    rest = _IF.sub("whether", direct, count=1) if direct != rest else rest
    rest = _HEDGE.sub(lambda m: m.group(1) or "", _FORM.sub("", rest))
    rest = _SPACE_BEFORE_STOP.sub("", rest).lstrip(" ,")
    return rest if rest.strip(" ?!.") else text
