"""How a question's words tell its kind: which webinar covered something, the list of
webinars, a word standing for the webinar named before ("it", "that session"), one named beside
another ("the next one")."""

from __future__ import annotations

import re

from .names import KIND

# "What webinars say about …?" asks what they said, not which one said it ("which" does).
SAYING = (
    r"(?!\s+(?:say|says|said|conclude|concluded|recommend|recommended|suggest|suggested|teach"
    r"|taught|advise|advised|tell|told|think|thought|show|showed|found)\b)"
)
WHICH = re.compile(
    rf"\bwhich\s+(?:one\s+of\s+the\s+)?{KIND}\b|\bwhat\s+(?:one\s+of\s+the\s+)?{KIND}\b{SAYING}"
    rf"|\bin\s+(?:which|what)\s+{KIND}\b"
    rf"|\bwhich\s+(?:one\s+)?of\s+the\s+(?:[\w-]+\s+){{0,3}}?{KIND}\b"
    rf"|\bin\s+one\s+of\s+the\s+{KIND}\b"
    # "Was IT covered in any PLW?", "discussed at a webinar?"
    rf"|\b(?:covered|discussed|addressed|presented|mentioned)\s+(?:in|at|during)\s+(?:any|a)\s+{KIND}\b"
    # "Was partner search one of the topics in the webinars?"
    rf"|\b(?:one\s+of\s+the|among\s+the|a)\s+(?:topics?|subjects?|themes?)\s+(?:in|of|at|during)"
    rf"\s+(?:the\s+|a\s+|any\s+)?{KIND}\b"
    # "Was there a session on …?", "Did any webinar cover …?": which one, in other words.
    rf"|\b(?:was|is|were)\s+there\s+(?:ever\s+)?(?:a|an|any|one)\s+(?:\w+\s+)?{KIND}\s+"
    r"(?:on|about|that|which|where|dealing|covering|discussing)\b"
    rf"|\b(?:did|does)\s+(?:any|a|one)\s+(?:of\s+the\s+)?{KIND}\s+(?:cover|deal|discuss|address"
    r"|talk|look|touch|tackle|treat|focus|mention|go)"
    r"|^\s*where\s+(?:did|was|were|do)\b.*\b(?:discuss|talk|cover|present|address)"
    # "the session where … – which one was that?": the session described, named.
    rf"|\bthe\s+{KIND}\s+(?:where|in\s+which|that|on|about)\b.*\bwhich\s+(?:one|{KIND})\b"
    # "When was X on the agenda?": in which webinar (the notes date only the series).
    r"|^\s*when\s+(?:was|were|did)\b.*\b(?:on\s+the\s+agenda|discussed|covered|addressed)\b",
    re.I,
)
SERIES = r"(?:plws|webinars|sessions|meetings)"
# A word standing for the one webinar the answer before was about.
_THAT_ONE = rf"(?:that|this|the\s+same)\s+(?:one|{KIND})"
IT = re.compile(rf"\b(?:{_THAT_ONE}|it)\b", re.I)
# … or for the webinars the answer before was about ("who ran them?").
POINTER = re.compile(rf"\b(?:{_THAT_ONE}|it|them)\b", re.I)
# A webinar named beside another: "the next webinar", "the one after that", "after it".
BESIDE = re.compile(rf"\b(?:{KIND}|ones?|before|after\s+(?:it|that|this))\b", re.I)
OTHER_ONES = re.compile(rf"\bothers?\b(?!\s+{KIND})", re.I)
LIST = re.compile(
    rf"\b(?:list|name|all|which|what)\b.*\b{SERIES}\b"
    r"|\b(?:webinar|session|plw)s?\s+(?:list|names|titles|overview)\W*$",
    re.I,
)
# "What happens after the five webinars?": what followed the series, not a list of it.
AFTER_SERIES = re.compile(rf"\b(?:after|following|beyond)\s+(?:\w+\s+){{0,3}}{SERIES}\b", re.I)
