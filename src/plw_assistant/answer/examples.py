"""An English example question close to what was asked in any of the cluster network's
languages: words of the question are matched, after folding accents, against short
multilingual stem lists ("financ", "finanz", "finans" …) and the example sharing the most
weighted concepts wins."""

from __future__ import annotations

import re
import unicodedata

# Concepts a question may touch, as stems written in any of the network's languages and
# folded like the question (lower case, no accents, ł → l, ß → ss). A stem matches the start
# of a word; "=stem" only the whole word (or its plural in -s); "*stem" anywhere in a word
# (German compounds such as "Partnersuche", "Krisenkommunikation").
CONCEPTS: dict[str, str] = {
    "funding": (
        "=fund funding fundusz =fundos *financ *finanz *finans forder *fordermittel "
        "*forderprogramm subsid subvenc subvention sovvenz dotac =fonds =fondos =fondi grant "
        "horizon"
    ),
    "europe": "europ =eu =ue unijn",
    "members": "member membr miembr *mitglied =leden =lid czlonk adherent",
    "support": (
        "support soutien souten aide =aider accompagn *unterstu helf hilf =help helpen apoy "
        "ayud sosten sostegn aiut apoi ajud ondersteun begeleid wspier wspar pomag pomoc pomoz "
        "betreu begleit assist"
    ),
    "proposal": (
        "proposal proposition propuest propost *antrag *antrage voorstel wniosk candidat bewerb "
        "solicitud =monter montage build construi costrui aufbau opbouw opzet elabor prepar "
        "vorbereit voorbereid przygotow =call appel ausschreib convocat =bando =bandi oproep "
        "nabor konkurs"
    ),
    "project": "*project projet *projekt proyect progett escp",
    "partner": "*partner partenair parceir =socio",
    "search": (
        "search find encontr =found recherch cherch trouv such *suche busc busq procur ricerc "
        "cerca trova trovi zoek vind *szuk znalez identif match"
    ),
    "webinar": (
        "webina =plw seminar semina sesion session sessao sessio sessie bijeenkomst sitzung "
        "sesj spotkan =peer =pairs =pares =pari"
    ),
    "useful": (
        "useful utile =util =utiles =utili =uteis avantag vorteil zalet utilid utilit nutz "
        "nuetz sinnvoll hilfreich lohn nuttig zinvol waardevol przydat uzyteczn pozyteczn value "
        "valeur valor =wert mehrwert worth benefi vantag ventaj voordel korzys succes sucess "
        "exito erfolg sukces effica efficien eficac eficien effizien skutecz"
    ),
    "digital": "digit numerique numeris cyfr online virtu internet",
    "services": "servi *dienst uslug *leistung offre angebot ofert",
    "communication": "communic communiq comunic *kommunik kommuniz komunik",
    "crisis": (
        "*crisi crise *krise kryzy diffici dificil schwierig moeilijk trudn lockdown "
        "confinement incert unsicher onzeker niepewn uncertain brouillard =fog nebel niebla "
        "nebbia nevoeiro =mgla turbul"
    ),
    "sme": "=sme =pme =kmu =pyme =pmi =mkb =msp mittelstand =smb",
    "company": (
        "entrepris unternehm empres impres aziend bedrij onderneming przedsieb compan business"
    ),
    "covid": "covid corona pandem",
    "flexible": (
        "flexib flessib elastyczn adapt adatt *anpass aanpas dostos ajust adjust agil wendig soepel"
    ),
    "plan": "*plan =piano =piani pianific harmonogram",
    "synergy": "synerg sinerg",
    "cooperation": (
        "cooper kooper samenwerk colabor collabor kollabor wspolprac *zusammenarb together "
        "ensemble gemeinsam juntos insieme =samen razem"
    ),
    "revenue": (
        "revenu *einnahm einkommen ertrag umsatz ingreso ricav =entrate receit inkomst "
        "opbrengst przychod dochod income turnover"
    ),
    "diversify": "*diversif dywersyf",
    "topics": (
        "topic sujet =theme thema =themen tema =temi onderwerp discut discuss diskut dyskut "
        "bespr abord trata tratt behandel omow omaw inhalt contenu contenid contenut conteud "
        "inhoud tresc agenda"
    ),
    "participate": (
        "particip partecip *teilnehm teilnahm teilgenomm deelnem deelnam deelgenom uczestn "
        "attend represent rappresent reprezent vertret vertegenwoordig"
    ),
    "partnership": (
        "partnership partenariat *partnerschaft partnerschap partnerstw asociacion consorc "
        "consorz consort parceria"
    ),
    "who": "=who =qui =wer =quien =quienes =chi =kto =quem",
    "when": (
        "=when =quand =wann =cuando =quando =wanneer =kiedy date datum fecha =data =daty period "
        "zeitraum calend kalend =2020 =2021"
    ),
    "2022": "=2022",
    "extra": (
        "extra supplement suplement *zusatz weiter additi adicion aggiunt dodatk =another "
        "=autre =otro =outro =altro kolejn next prochain nachst proxim prossim volgend nastepn "
        "futur zukunft toekomst przyszl continu fortsetz fortfuhr voortzet kontynu"
    ),
    "organise": (
        "*organise *organisie organize organizo organizar organizad organizou organizzat "
        "zorganiz organizow organisator organisateur organizador organizzator organizator "
        "veranstalt host"
    ),
    "lessons": (
        "lesson lecon lehre erkenntn leccion lezion licao licoes =lessen lekcj learnt learned "
        "appris gelernt aprendid imparat geleerd naucz conclus schlussfolg fazit podsumow "
        "messag botschaft mensaj mensag boodschap wrap resume resumen resumo zusammenfass "
        "riassun sintesi samenvat bilan takeaway"
    ),
}

# "the third webinar", "le troisième webinaire", "die dritte Sitzung" … (with a webinar word).
ORDINALS: dict[int, str] = {
    1: "first premier =erste =ersten =erster primer =primo =prima primeir eerste pierwsz",
    2: "second deuxieme zweit segund tweede drugi",
    3: "third troisieme dritt tercer =terzo =terza terceir derde trzec",
    4: "fourth quatrieme viert cuart =quarto =quarta vierde czwart",
    5: "fifth cinquieme funft =quinto =quinta vijfde piat",
}
WEBINAR_NUMBER = re.compile(
    r"\b(?:plw|webina\w*|semina\w*|sess\w*|sesi\w*|sesj\w*|sitzung\w*)"
    r"\W{0,3}(?:n[or]?|nr|num\w*)?\W{0,3}([1-5])\b"
)

DEFAULT_EXAMPLE = "What are the main lessons learnt from the Peer Learning Webinars?"
# English questions the notes answer, each with the concepts (and weights) it is about.
EXAMPLES: list[tuple[str, dict[str, int]]] = [
    (
        "How can clusters support their members with EU funding?",
        {"funding": 3, "members": 1, "support": 1, "europe": 1},
    ),
    (
        "How can clusters help their members build EU projects?",
        {"proposal": 3, "project": 2, "members": 1, "support": 1, "europe": 1},
    ),
    (
        "How can clusters help their members find partners for EU projects?",
        {"partner": 2, "search": 2, "members": 1, "project": 1},
    ),
    ("Are peer learning webinars useful for ESCP-4x partnerships?", {"useful": 3, "webinar": 1}),
    (
        "Can the digitalisation of cluster services replace traditional actions?",
        {"digital": 3, "services": 1},
    ),
    (
        "How should clusters communicate with their members in difficult times?",
        {"communication": 3, "crisis": 1, "members": 1},
    ),
    (
        "What role do clusters play for SMEs during the COVID crisis?",
        {"sme": 3, "covid": 2, "crisis": 1, "company": 1},
    ),
    ("Why should partnerships be flexible and adjust their plans?", {"flexible": 3, "plan": 2}),
    (
        "How can ESCP-4x projects find synergies with each other?",
        {"synergy": 3, "cooperation": 2, "project": 1},
    ),
    (
        "How can European funding help clusters diversify their revenues?",
        {"revenue": 3, "diversify": 3, "funding": 1},
    ),
    *((f"What was discussed in PLW#{n}?", {f"plw{n}": 4, "topics": 1}) for n in range(1, 6)),
    ("Which topics did the Peer Learning Webinars cover?", {"topics": 3, "webinar": 1}),
    (
        "Which partnerships took part in the Peer Learning Webinars?",
        {"participate": 3, "partnership": 1, "who": 1},
    ),
    ("When did the Peer Learning Webinars take place?", {"when": 3, "webinar": 1}),
    ("Will there be an extra PLW in 2022?", {"2022": 3, "extra": 2}),
    ("Who organised the Peer Learning Webinars?", {"organise": 3, "who": 1}),
    (DEFAULT_EXAMPLE, {"lessons": 3}),
]
MIN_SCORE = 2  # one weak concept ("webinar", "members") is not enough to choose an example

_FOLD = str.maketrans({"ł": "l", "Ł": "l", "ß": "ss", "ø": "o", "æ": "ae", "œ": "oe"})


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.translate(_FOLD))
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def _tables() -> tuple[dict[str, set[str]], dict[str, set[str]], list[tuple[str, str]]]:
    prefix: dict[str, set[str]] = {}
    exact: dict[str, set[str]] = {}
    infix: list[tuple[str, str]] = []
    entries = [(c, s) for c, stems in CONCEPTS.items() for s in stems.split()]
    entries += [(f"ord{n}", s) for n, stems in ORDINALS.items() for s in stems.split()]
    for concept, stem in entries:
        if stem.startswith("="):
            exact.setdefault(stem[1:], set()).add(concept)
        elif stem.startswith("*"):
            infix.append((stem[1:], concept))
        else:
            prefix.setdefault(stem, set()).add(concept)
    return prefix, exact, infix


_PREFIX, _EXACT, _INFIX = _tables()


def concepts(question: str) -> set[str]:
    """The concepts of ``question`` (``CONCEPTS`` keys, and ``plw3`` for a named webinar)."""
    text = _fold(question)
    found: set[str] = set()
    for token in re.findall(r"[a-z0-9]+", text):
        found.update(_EXACT.get(token, ()))
        if token.endswith("s"):
            found.update(_EXACT.get(token[:-1], ()))
        for end in range(2, len(token) + 1):
            found.update(_PREFIX.get(token[:end], ()))
        found.update(concept for stem, concept in _INFIX if stem in token)
    found.update(f"plw{n}" for n in WEBINAR_NUMBER.findall(text))
    ordinals = {c for c in found if c.startswith("ord")}
    if ordinals and "webinar" in found:
        found.update(f"plw{c[3:]}" for c in ordinals)
    return found - ordinals


def example_for(question: str) -> str:
    """The English example question closest to ``question``, in any of the network's
    languages; ``DEFAULT_EXAMPLE`` when nothing in it is recognised."""
    found = concepts(question)
    best, best_score = DEFAULT_EXAMPLE, MIN_SCORE - 1
    for example, weights in EXAMPLES:
        score = sum(w for concept, w in weights.items() if concept in found)
        if score > best_score:
            best, best_score = example, score
    return best
