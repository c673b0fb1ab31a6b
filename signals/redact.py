"""Redaction of Dutch personal data, before anything is stored as a signal or shown to analysts.

deduce (Dutch de-identification, built for clinical notes) finds capitalised names, streets,
places, dates, phone numbers, e-mail and BSN. Parents and youths type differently from
doctors: lower case, names that are also words, school names, IBANs. What deduce misses is
added here by rules, measured on `tests/redaction/dev.yml` and judged on the frozen table
`tests/redaction/messages.yml` (`python -m evaluation.redaction_report`):

- patterns: e-mail, IBAN, every Dutch phone format and international ones with + or 00
  (parents who moved here keep their number), BSN (with the 11-test, or any eight or nine
  digits right after "bsn": a mistyped BSN is still someone's), postcode (but not "in 2024
  en": a year and a word), street + house number, dates of birth (also "30-6-'12"), licence
  plates (hyphenated in every sidecode; without hyphens only after "kenteken");
- names in lower case, from deduce's own name lists, when the word is rare in Dutch (a word
  frequency list) or stands where a name stands ("mijn zoon roos", "juf anja", "groetjes, bas");
  right after "mijn zoon/dochter/broertje ..." also names that no list has ("mijn dochter
  oksana"), unless the word is one that usually follows there;
- places in lower case from deduce's list, the same way ("in ede"), and neighbourhoods after
  "wijk" ("in de wijk kattenbroek" -> [wijk]);
- school names ("obs de regenboog", "sbo de wegwijzer", "het carmel college", "zit op de
  klimboom"), but never the field's long compounds ("het ontwikkelingsperspectiefplan",
  "de zorgcoördinator").

Terms of the field ("groep 8", "3 havo", "cluster 2", "artikel 40", "SP-00042", "Kentalis",
"LBT") are protected: nothing that overlaps them is redacted. Every finding becomes a typed
placeholder such as `[naam]`, `[telefoon]`, `[school]`.

Identifiers are redacted even where they overlap a field term: ticket codes in any case and
spelling ("K7MP-Q2XD", "k7mp q2xd": a code opens a ticket and its staff reply for whoever types
it), @-handles and e-mail addresses, also when written as "info [at] voorbeeld [dot] nl"
(steunpunt/identifiers.py). The text is NFKC-normalised first, and every pattern looks at a
view in which other scripts' digits are 0-9 and invisible characters are spaces, so
"０６１２３４５６７８" is a phone number too.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from dataclasses import dataclass
from datetime import date
from itertools import pairwise
from pathlib import Path
from typing import Iterable, List, Optional, Set, Tuple

from signals.areas import NEIGHBOURHOOD_NAME
from signals.foreign_words import CYRILLIC_PLACE, FOREIGN_CHILD_BEFORE, is_foreign_word, script_child_names
from steunpunt import clock
from steunpunt.codes import code_spans
from steunpunt.identifiers import DISGUISED_EMAIL, EMAIL, HANDLE, PHONE, detection_view

KINDS = (
    "naam",
    "email",
    "telefoon",
    "bsn",
    "iban",
    "postcode",
    "adres",
    "geboortedatum",
    "woonplaats",
    "school",
    "url",
    "code",
    "handle",
    "kenteken",
    "wijk",
    "nummer",
)

#: deduce's configuration (public: evaluation/action_memory.py measures its tables apart).
DEDUCE_CONFIG = Path(__file__).with_name("deduce_base_config.json")

# --- field terms: never personal data ----------------------------------------------------
_PROTECTED_WORDS = (
    # school and youth-care software and services that stand as a sentence's subject
    # ("Zermelo is niet bijgewerkt"), which the subject rule would take for a name
    "Zermelo",
    "Squla",
    # programmes and methods in class ("meedoen met Schoolfruit", "lezen met Nieuwsbegrip")
    "Nieuwsbegrip",
    "Schoolfruit",
    "Kanjertraining",
    "Rots en Water",
    "Rots & Water",
    "Ouder- en Kindteam",
    # the field's own bodies and services, named alone ("overleg met Leerplicht, Jeugdzorg")
    "Leerplicht",
    "Jeugdzorg",
    "Entree",
    "Ouder- en Jeugdsteunpunt",
    "Schoolmaatschappelijk Werk",
    "Schoolmaatschappelijk werker",
    "Momento",
    "itslearning",
    "MijnDUO",
    "Valys",
    "Wizwijs",
    "Rekentuin",
    "Taalzee",
    "Muiswerk",
    "Bloon",
    "Prowise",
    "Chromebook",
    "Keti Koti",  # the commemoration of the abolition of slavery
    "Nidos",  # guardianship of young refugees
    "COA",
    "Vluchtelingenwerk",
    "LPA",  # leerplichtambtenaar
    "JGZ",
    "Sociaal Wijkteam",  # "van het Sociaal Wijkteam": a body, not a school
    "sociaal team",
    "OV",  # public transport: "een uur met OV"
    "Kurzweil",  # reading software for dyslexia
    "ReadSpeaker",
    "ClaroRead",
    "buddy",  # a volunteer of the youth care: "zo'n buddy van jeugdhulp"
    "Kentalis",
    # youth-care, mental-health and disability care providers parents are referred to ("een
    # verwijzing naar Lentis", "ervaring met Yulius?"): bodies, not people or schools
    *"""Yulius Karakter Accare Lentis Pluryn Cardea Levvel Parnassia Altrecht Lucertis Curium
    Dimence Mediant Jeugdformaat Youz Triversum Bascule Koraal Amarant Sherpa Youké Youke Entrea
    Timon Elker Yorneo Intermetzo Juvent GGzE Emergis Breburg Reinaerde Ipse Zozijn Abrona
    Tragel Severinus Ambiq Trajectum Arkin Brijder Tactus Jellinek Novadic Kenter Humanitas
    Jeugdbescherming""".split(),
    "'s Heeren Loo",
    "Leger des Heils",
    "LBT",
    "Auris",
    "Visio",
    "Bartiméus",
    "Bartimeus",
    "Koninklijke Visio",
    "TLV",
    "OPP",
    "MDO",
    "SOP",
    "OPR",
    "MR",
    "GMR",
    "IB",
    "IB'er",
    "ib'er",
    "IBer",
    "GGD",
    "CJG",
    "ADHD",
    "ADD",
    "ASS",
    "PDD-NOS",
    "DUO",
    "LKC",
    "ISK",
    "zml",
    "lwoo",
    "pro",
    "sbo",
    "so",
    "vso",
    "havo",
    "vwo",
    "vmbo",
    "mbo",
    "hbo",
    "swv",
    "passend onderwijs",
    "Geschillencommissie",
    "Geschillencommissie passend onderwijs",
    "Onderwijsconsulenten",
    "onderwijsconsulent",
    "leerplichtambtenaar",
    "jeugdarts",
    "wijkteam",
    "samenwerkingsverband",
    "ondersteuningsplanraad",
    "Inspectie",
    "Inspectie van het Onderwijs",
    "Steunpunt",
    "Centrum voor Consultatie en Expertise",
    "CCE",
    "Centrum voor Jeugd en Gezin",
    "Veilig Thuis",
    "Landelijke Klachtencommissie",
    "Onderwijsgeschillen",
    "Entree-opleiding",
    "Entreeopleiding",
    "Wet passend onderwijs",
    "Leerplichtwet",
    "Jeugdwet",
    # brands a pupil is teased or envied for ("gepest om zijn Moncler"); not those that are first
    # names too ("mijn dochter Chanel")
    *"Gucci Adidas Zara Primark Moncler".split(),
    "Louis Vuitton",
    "Canada Goose",
    "Awb",  # Algemene wet bestuursrecht: "ik las iets over de Awb"
    "WVO",
    "Wlz",
    "Zvw",
    "Mijn Kind Online",  # a parents' portal
    "corona",  # "zoals tijdens corona"
    "covid",
    "covid-19",
    "Zorg- en Adviesteam",
    "Internationale Schakelklas",
    "Raad voor de Kinderbescherming",
    "Kinderbescherming",
    "Jeugdbescherming",
    "Rijksoverheid",
    "Onderwijsinspectie",
    "Regionaal Expertisecentrum",
    "Expertisecentrum",
    "Educatieve Voorziening",
    "Zorgplicht",
    "CvA",
    "CvB",
    "ZAT",
    "TOS",
    "Plusklas",
    "Leonardo-onderwijs",
    "Leonardoschool",
    # bodies and boards that are no person or school
    "Kinderombudsman",
    "Nationale ombudsman",
    "ombudsman",
    "College van Bestuur",
    "Raad van Toezicht",
    "DigiD",
    "BSN",
    # laws, schemes and school software: "de Wlz", "in Somtoday", "Parro berichten"
    "Wlz",
    "Wmo",
    "Zvw",
    "WPO",
    "WVO",
    "WEC",
    "AVG",
    "PGB",
    "Meldcode",
    "Somtoday",
    "Magister",
    "Parnassys",
    "Parro",
    "Snappet",
    "Gynzy",
    "Basispoort",
    "Eduarte",
    "Social Schools",
    # shops where youths work or do a work placement
    "Albert Heijn",
    "Jumbo",
    "Lidl",
    "Aldi",
    "HEMA",
    "Kruidvat",
    # conditions named after people
    "Gilles de la Tourette",
    "William Schrikker Stichting",
    "William Schrikker Groep",
    "syndroom van Down",
    "Asperger",
    # diagnoses typed as abbreviations ("een kind met ODD")
    "ODD",
    "DCD",
    "OCD",
    "PTSS",
    "NLD",
    "EED",
    # holidays and school holidays ("na de Kerstvakantie", "Ramadan en school")
    "Kerst",
    "Kerstmis",
    "Pasen",
    "Pinksteren",
    "Hemelvaart",
    "Ramadan",
    "Suikerfeest",
    "Offerfeest",
    "Sinterklaas",
    "Carnaval",
    "Koningsdag",
    # the school levels themselves ("naar het vo", "overstap po-vo"); "Vo" is in a name list
    "vo",
    "po",
    # roles typed as abbreviations ("wat is nou IB, ZOCO??") and job titles in signatures
    "AB'er",
    "ZOCO",
    "zorgco",
    "orthopedagoog",
    "orthopedagoog-generalist",
    "GZ-psycholoog",
    # television that children watch and parents mention ("'s avonds Wie is de Mol kijken"):
    # the titles hold words of the name lists
    "Wie is de Mol",
    "Boer zoekt Vrouw",
    "Heel Holland Bakt",
    "Expeditie Robinson",
    "Goede tijden, slechte tijden",
    "GTST",
    "SpangaS",
    "De Luizenmoeder",
    "Ninja Warrior",
    "The Voice Kids",
    "Junior Songfestival",
    # the German salutation: "Damen" is a Dutch surname too
    "Damen und Herren",
)
_PROTECTED_PATTERNS = [
    r"\bSP-?\d{3,6}\b",  # ticket numbers
    r"\b(?:groep|klas|leerjaar|jaar|niveau|cluster|artikel|art\.|lid|sub|week|les|lesuur|uur|leerweg|type|fase|grade|year)\s*\d{1,3}[a-z]?\b",
    r"\b\d\s*(?:havo|vwo|vmbo(?:-[a-z]{1,2})?|atheneum|gymnasium|mavo|tl|kb|bb|gl)\b",
    r"\b(?:havo|vwo|vmbo|mavo)\s*\d\b",
    r"\b(?:vmbo|mavo|havo|vwo)-[a-z]{1,3}\b",
    r"\b0[89]00[\s-]?\d{2,4}[\s-]?\d{0,4}\b",  # free and service numbers
    r"\b\d{1,2}(?:[.:]\d{2})?\s*uur\b",
    r"\b(?:NT|EM|CM|NG|GZ)/(?:NT|EM|CM|NG|GZ)\b",  # the profiles of havo/vwo: "NT/NG"
    r"\bcat(?:egorie)?\.?\s*(?:[1-3]|laag|midden|hoog)\b",  # the TLV's category: "cat. 1", "cat. midden"
    r"\bwet\s+op\s+(?:de\s+|het\s+)?[\w-]+",  # "Wet op de expertisecentra" (not "ik wet Sanne ...")
    r"\bhet\s+Rijk\b",  # the state: "Heeft het Rijk ook regels ..."
    r"\bBouw!",  # a reading programme
    # hospitals and clinics, often named after a person: "het Wilhelmina Kinderziekenhuis"
    r"(?-i:\b(?:[A-ZÀ-Ý][\w'À-ÿ-]+\s+){1,2}(?:Kinderziekenhuis|Ziekenhuis|Kliniek|Medisch Centrum)\b)",
    r"(?-i:\b[A-ZÀ-Ý][\w'À-ÿ-]*(?:kliniek|ziekenhuis)\b)",
]
#: "Samenwerkingsverband PO Eindhoven", "Samenwerkingsverband Zuid-Kennemerland": a body, though
#: its name holds a town (case-sensitive: the place is capitalised in a body's name).
_BODY_WITH_PLACE = re.compile(
    r"\b(?:[Ss]amenwerkingsverband(?:\s+(?:PO|VO|po|vo|[Pp]assend [Oo]nderwijs))?"
    # a region's public bodies: "GGD Hollands Noorden", "Veiligheidsregio Twente"
    r"|GGD|Veiligheidsregio|Jeugdbescherming|Leerplicht|RBL|Regionaal Bureau Leerplicht)"
    r"\s+[A-ZÀ-Ý][\w'À-ÿ-]+(?:[ -](?:aan|en|de|[A-ZÀ-Ý][\w'À-ÿ-]+))*"
)

#: A region's part by its compass point: "regio noord", "Wijkteam Zuid", "stadsdeel Oost" (apart
#: from the words above, where "Wijkteam" alone would match first and leave "Zuid").
_COMPASS_PART = re.compile(
    r"\b(?:regio|wijkteam|team|stadsdeel|district|afdeling|locatie|vestiging)\s+"
    r"(?:noord|oost|zuid|west|noordoost|noordwest|zuidoost|zuidwest|midden|centrum)\b",
    re.IGNORECASE,
)


def _protected_regex() -> re.Pattern:
    words = sorted(_PROTECTED_WORDS, key=len, reverse=True)
    alternatives = [r"(?<![\w-])" + re.escape(w) + r"(?![\w-])" for w in words] + _PROTECTED_PATTERNS
    return re.compile("|".join(alternatives), re.IGNORECASE)


_PROTECTED = _protected_regex()

# --- patterns --------------------------------------------------------------------------------
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+", re.UNICODE)
_URL = re.compile(r"\b(?:https?://|www\.)\S+", re.IGNORECASE)
_IBAN = re.compile(r"\b[A-Z]{2}\d{2}[\s-]?[A-Z]{4}(?:[\s-]?\d{2,4}){3,4}\b", re.IGNORECASE)
#: Any country's IBAN, however grouped ("NL 36 INGB 0007 6543 21", "BE68 5390 0754 7034",
#: "DE89 3704 0044 0532 0130 00"): taken when its check digits hold (mod 97), so the
#: grouping may be loose. The country code is a real one, and a space after it only in
#: capitals ("NL 36 ...", not "op 0049 151 ..."). The Dutch shape above also takes a mistyped one.
_IBAN_COUNTRIES = (
    "NL BE DE FR ES PT IT LU AT CH LI GB IE PL TR UA CZ SK HU RO BG GR HR SI DK SE NO FI IS LT LV EE CY "
    "MT SA AE QA JO LB TN IL BA RS ME MK AL MD GE AZ KZ BR MC SM AD GI"
).split()
_IBAN_ANY = re.compile(
    r"\b(?:(?:" + "|".join(_IBAN_COUNTRIES) + r")\s?|(?i:" + "|".join(_IBAN_COUNTRIES) + r"))"
    r"-?\d{2}(?:[\s-]?[A-Za-z0-9]){11,30}\b"
)
#: A phone number said to a voice keyboard: "nul zes een twee drie vier vijf zes zeven acht".
_DIGIT_WORD = r"(?:nul|een|één|twee|drie|vier|vijf|zes|zeven|acht|negen|\d)"
_SPOKEN_PHONE = re.compile(
    r"\b(?:nul|plus)(?:[\s,-]+" + _DIGIT_WORD + r"){8,}\b"
    # nine or more digit words in a row, however it starts: "zes nul vier twee acht ..."
    r"|\b(?:nul|een|één|twee|drie|vier|vijf|zes|zeven|acht|negen)(?:[\s,-]+" + _DIGIT_WORD + r"){8,}\b",
    re.IGNORECASE,
)
#: Numbers that point at one pupil or one case: "leerlingnummer 204815", "dossiernummer bij
#: het swv: 2024-0457", "zaaknummer Z/24/118392", "kenmerk 23-0456". The value follows within
#: a few words, has four digits or more and may hold letters, slashes and hyphens.
_NUMBER_WORD = re.compile(
    r"\b(?:(?:leerling|dossier|klant|zaak|cli[eë]nt|referentie|registratie|polis|lid|student|relatie|"
    r"aanvraag|debiteur|factuur|inschrijf|inschrijvings|kind|patiënt|patient|verzekerden|pas|ticket|"
    r"klacht|casus|melding|meld)"
    r"[-\s]?(?:nummer|nr\.?|no\.?)|kenmerk|"
    r"[^\W\d_]{2,}nummer|"  # any compound: "ritnummer 2286-447", "ordernummer", "volgnummer"
    r"lln?[-.]?nr\.?|ref\.?|leerling[-\s]?id|"
    r"leerling(?=\s+\d{5,}\b)|lln(?=\s+\d{3,}\b)|ticket(?=\s+#?[A-Za-z]{0,3}-?\d)|"
    # also as the end of a compound: "Leerlingdossier 88213-B"
    r"[^\W\d_]*(?:dossier|beschikking|besluit|zaak|aanvraag|casus)(?:\s+(?:nr\.?|no\.?|nummer))?"
    r"(?=[\s:]+[A-Za-z]{0,3}[/.-]?\d))",
    re.IGNORECASE,
)
#: "nummer is #58213": a number written with a hash sign, as systems show tickets and orders.
_HASH_NUMBER = re.compile(r"(?<![\w#&])#\d{4,}(?![\w])")
_NUMBER_VALUE = re.compile(
    r"[^\d\n.?!]{0,45}?(?<![\w])((?:[A-Za-z]{1,3}[/.-]?)?\d[\w/.-]*[\dA-Za-z])(?![\w])"
)
#: Every Dutch format and international ones with + or 00 (+32 470 12 34 56, +599 9 123 4567):
#: the same pattern as the tracker store's, so no store keeps a number the other hides.
_PHONE = PHONE
_BSN = re.compile(r"(?<![\w.])(\d{4})[.\s]?(\d{2})[.\s]?(\d{3})(?![\w])")
#: Nine digits typed as three groups of three with one kind of separator ("192-285-142",
#: "475 037 668", "123.456.789"): the way a BSN is written on a card or a letter. No phone
#: number, date or count is written like that, so even one that fails the 11-test (a typing
#: mistake) is taken; only a sum of money ("€ 125.000.000") is not.
_BSN_GROUPED = re.compile(r"(?<![\w.,€-])(\d{3})([.\s-])(\d{3})\2(\d{3})(?![\w-]|[.,]\d)")
#: Nine digits in any other grouping ("174 37 37 03", "1743.73.703") that pass the 11-test.
_BSN_ANY = re.compile(r"(?<![\w.,€+-])(?<!\d[.\s-])\d(?:[.\s]?\d){8}(?![\w]|[.,\s-]?\d)")
#: After "bsn" every number of eight or nine digits in the same sentence is one: "het bsn van
#: Meron is ... en van Filmon 174 37 37 03".
_BSN_WORD = re.compile(r"\b(?:bsn|burger\s?service\s?nummer|sofi-?nummer)\b", re.IGNORECASE)
_BSN_LATER = re.compile(r"(?<![\w.])(?<!\d[.\s-])\d(?:[.\s-]?\d){7,8}(?![\d]|[.\s-]\d)")
#: "bsn bekend, TLV loopt tot 31-07-2027": eight digits written as a date are a date.
_DAY_MONTH_YEAR = re.compile(r"\d{1,2}[-/.]\d{1,2}[-/.]\d{4}")
_MONEY_AFTER = re.compile(r"\s*(?:euro|eur|,-)", re.IGNORECASE)
#: Eight or nine digits (in any grouping) right after "bsn" or "burgerservicenummer": a BSN
#: typed with a mistake fails the 11-test but is still someone's, and the context says what it
#: is. Only non-digits may stand between ("bsn van mijn zoon is ..."), and the number must not
#: run on into more digits, so "bsn weet ik niet, bel 06 123 456 78" stays a phone number.
_BSN_AFTER_WORD = re.compile(
    r"\b(?:bsn|burger\s?service\s?nummer|sofi-?nummer)(?:[-\s]?(?:nummer|nr\.?))?"
    r"[^\d\n]{0,40}?(?<![\d.])(\d(?:[.\s-]?\d){7,8})(?![\d]|[.\s-]\d)",
    re.IGNORECASE,
)
#: Dutch licence plates in every sidecode (XX-99-99 ... 99-XXX-9, XX-999-X, 9-XXX-99,
#: XXX-99-X, ...): three groups joined by hyphens, six characters in all, each group only
#: letters or only digits, letters and digits both present. Dutch plates use no vowels, which
#: keeps words like "po-vo" out.
_PLATE_GROUP = r"(?:[b-df-hj-np-tv-z]{1,3}|\d{1,3})"
_PLATE = re.compile(rf"(?<![\w-]){_PLATE_GROUP}-{_PLATE_GROUP}-{_PLATE_GROUP}(?![\w-])", re.IGNORECASE)
#: Without hyphens ("52xnl7", "ZB 561 T") six letters and digits are too often something else,
#: so they count as a plate only a few words after "kenteken" or "nummerbord".
_PLATE_WORD = re.compile(r"\b(?:kenteken(?:plaat|nummer)?|nummerbord|nummerplaat)\b", re.IGNORECASE)
_PLATE_PIECE = re.compile(r"[a-z0-9]+", re.IGNORECASE)
_PLATE_WINDOW = 40
#: In capitals with spaces ("GZ 708 K"), letters and digits taking turns, also without "kenteken".
_SPACED_GROUP = r"([B-DF-HJ-NP-TV-Z]{1,3}|\d{1,3})"
_PLATE_SPACED = re.compile(rf"(?<![\w-]){_SPACED_GROUP} {_SPACED_GROUP} {_SPACED_GROUP}(?![\w-])")
#: A plate typed as one word in any case ("17rkz4", "GZ708K"): six letters and digits in three
#: alternating runs, the letters without vowels (as on every Dutch plate since 1978), which
#: no Dutch word or school-level abbreviation ("havo4", "mbo2") is.
_PLATE_JOINED = re.compile(r"(?<![\w-])[A-Za-z0-9]{6}(?![\w-])")
#: Codes and case numbers that a ticket system, a portal or a municipality hands out
#: ("AZRT-5512", "TK-2025-55810", "8KD2-PQ71", "ZX9-44B", "LLV/2025/01932"): two to four parts of
#: letters and digits joined by hyphens or slashes, six characters or more, letters and digits
#: both present, and no part a word ("covid-19", "mbo-4", "vso-plaatsing" and a school year
#: "2025-2026" are none of them). Whoever holds such a code can often open the case behind it.
_CODE_TOKEN = re.compile(r"(?<![\w/-])[A-Za-z0-9]{1,8}(?:[-/][A-Za-z0-9]{1,8}){1,3}(?![\w/-]|[.,]\w)")
#: The value after a code word: "verificatiecode 771 302", "inlogcode van magister is jdr9x4k"
#: (not after "postcode", which has its own rule).
_CODE_WORD_VALUE = re.compile(
    r"\b(?:(?!post)\w*code|wachtwoord|pin|password|login)\b[^\n.?!]{0,60}?(?<![\w-])"
    # two groups of digits, not a school year ("toegangscode ...: 7781 2290")
    r"((?!(?:19|20)\d\d[\s-](?:19|20)\d\d)\d{3,4}[\s-]\d{2,4}|\d{2}[\s-]\d{3,4}|\d{2}(?:[\s-]\d{2}){2,3}|\d(?:\s\d){4,7}"
    # "XT48 9K": two groups, the first of letters and digits both
    r"|(?=[a-z0-9]*[a-z])(?=[a-z0-9]*\d)[a-z0-9]{3,6}\s[a-z0-9]{2,6}"
    r"|(?=[a-z0-9-]*\d)[a-z0-9]{1,6}-[a-z0-9]{2,8}|(?=[a-z0-9]*\d)[a-z0-9]{5,12})(?![\w-])",
    re.IGNORECASE,
)
#: The code's word in one sentence, its value (digits in groups of two or three) in the next:
#: "Ik heb een verificatiecode nodig via ParnasSys. Ik kreeg 59 31 08, klopt dat?"
_CODE_NEXT_SENTENCE = re.compile(
    r"\b(?!post)\w*code\b[^\n.?!]{0,80}[.?!]\s+[^\n.?!\d]{0,40}?(?<![\w-])(\d{2,3}(?:\s\d{2,3}){2,3})(?![\w-]|[.,]\d)",
    re.IGNORECASE,
)
_LETTERS_THEN_DIGIT_GROUPS = re.compile(
    r"(?<![\w-])(?-i:[A-Z]{1,3})(?:\s(?!(?:19|20)\d\d\b)\d{2,4}){2,3}(?![\w-]|[.,]\d)"
)
#: "pincode ... is 4471", "Pin 2580": a PIN has four to six digits only.
_PIN_VALUE = re.compile(
    r"\b(?:pin|pincode|pin-code)\b[^\n.?!\d]{0,40}?(?<![\w-])(\d{4,6})(?![\w-])", re.IGNORECASE
)
#: Abbreviations of the field that may stand before a year without making a code ("TLV-2025").
_FIELD_ABBREVIATIONS = frozenset(
    "tlv opp mdo sop po vo so sbo vso vmbo havo vwo mbo hbo pro isk bso lwoo swv gpo lkc cce bsn".split()
)
#: ... and, with a few more, before a hyphen in a compound that names no school ("de Cito-week").
_COMPOUND_ABBREVIATIONS = _FIELD_ABBREVIATIONS | {"cito", "ib", "mdo"}
#: A user name after the platform's name, without its @: "snap: kimmie_x2009". Taken only when
#: it looks like one (a digit, an underscore or an inner dot), so "insta is leuk" stays.
_PLATFORM_HANDLE = re.compile(
    r"\b(?:snap(?:chat)?|insta(?:gram)?|tiktok|discord|twitter|facebook|fb|telegram|twitch|roblox|"
    r"fortnite|psn|xbox|steam)\b\s*(?::|=|is|naam|name)?\s*(?<![@\w])([A-Za-z0-9_][A-Za-z0-9_.]{2,29})",
    re.IGNORECASE,
)
_POSTCODE = re.compile(r"\b[1-9]\d{3}(?:\s|-(?=[A-Z]{2}\b))?(?!SA|SD|SS)[A-Za-z]{2}\b")
#: Two letters that are a Dutch word: "in 2024 en 2025", "1 oktober 2024 is", "2023 op" are a
#: year (or a count) and a word, not a postcode. Written in capitals ("3817 EN") they stay one.
_POSTCODE_WORDS = frozenset(
    "af al as bv ca da de ed en er ga ha he ie ik in is ja je ka me mn na nu of oh ok om on op "
    "pa re te to tv uw we wo ze zn zo".split()
)
_STREET_SUFFIX = (
    r"(?:straat|laan|weg|plein|singel|gracht|kade|dijk|pad|hof|dreef|steeg|park|baan|"
    r"ring|plantsoen|markt|erf|veld|wal|haven|burg|donk|hoeve|akker|kamp|oord|"
    r"horst|lei|zoom|rade|stede|wijk|dam|berg|meer)"
)
_ADDRESS = re.compile(
    r"\b(?:(?:[1-9]e\s)?(?:[A-Za-zÀ-ÿ'-]+\s){0,3}[A-Za-zÀ-ÿ'-]*" + _STREET_SUFFIX + r")\s+\d{1,5}"
    r"(?:-(?:rood|zwart|boven|beneden|achter|voor|huis|bis)\b|(?:\s?[a-zA-Z](?![a-zA-Z]))?(?:-(?:[0-9]+|[A-Za-z]{1,3}))?)"
    r"(?:,?\s+bus\s+\d{1,4}\b)?",  # a Belgian box number: "Slotplein 5 bus 2"
    re.IGNORECASE,
)
#: "schoolplein 2 keer", "snelweg 40 minuten", "schoolkamp 3 dagen": a count, not a house number.
_COUNTED = re.compile(
    r"\s*(?:keer|keren|x|dag|dagen|nacht|nachten|minuut|minuten|min|uur|uren|week|weken|maand|maanden|"
    r"jaar|jaren|km|kilometer|meter|euro|procent|%|kinderen|leerlingen|lessen|plekken|scholen|klassen|"
    r"groepen|stuks|mensen|ouders|jongeren|kwartier|seconden|punten|cijfers)\b",
    re.IGNORECASE,
)
#: A house number and what Dutch addresses add to it: "14b", "23 a", "301-3hs", "8-II",
#: "45 hs", "12-14", "3 bis".
_HOUSE_NUMBER = re.compile(
    r"(?<![\w/.,:-])(?!0)\d{1,5}(?:"  # never a leading zero: "Intake 05-11" is a date
    r"-(?!0)\d{1,3}(?:\s?(?:hs|hg|bg|[a-z]))?(?![\w-])"  # nor an addition: "Huisbezoek 28-01"
    r"|[\s-]?(?:hs|hg|bg|bis|huis|boven|beneden|I{1,3}|IV|V|VI)(?![\w-])"
    r"|-(?:rood|zwart|achter|voor)(?![\w-])"  # "Nieuwe Gracht 8-rood"
    r"|,?\s+bus\s+\d{1,4}(?![\w-])"  # "Slotplein 5 bus 2"
    r"|[\s-]?[a-z](?![\w-])"  # "14b", "1024-B"
    r"|(?![\w-]))",
    re.IGNORECASE,
)
#: Words that say an address follows: "wij wonen op de brink 14b", "ons adres is Overtoom
#: 301", "post graag naar achter de hoven 23a", "nieuw adres: Lange Voorhout 8-II".
_ADDRESS_CONTEXT = re.compile(
    r"\b(?:wonen|woon|woont|wonend|woonachtig|verhuisd|adres|woonadres|postadres|huisadres|bezoekadres|post|brief|brieven|"
    r"opsturen|sturen|langskomen|t\.?a\.?v\.?)\b",
    re.IGNORECASE,
)
_STREET_WORD = re.compile(r"(?<!\w)(?:[1-9]e(?!\w)|[A-Za-zÀ-ÿ'][\w'À-ÿ.-]*)")  # "2e Jan Steenstraat"
#: The word right before `end`, with only spaces between ("brink" in "de brink 14b").
_WORD_THEN_SPACE = re.compile(r"(?<![\w'À-ÿ.-])([A-Za-zÀ-ÿ'][\w'À-ÿ-]*\.?)[ \t]+$")
#: "Kerkweg 17a, 3911 xs": a house number right before, so a postcode after all.
_HOUSE_NUMBER_BEFORE = re.compile(r"[A-Za-zÀ-ÿ]\s+\d{1,5}\s?[a-zA-Z]?(?:-\w{1,4})?\s*,?\s*$")
#: Words of a street's name that may stand before its last word ("Van Goghlaan", "Achter de
#: Hoven", "Lange Voorhout", "de Savornin Lohmanlaan").
_STREET_INNER_WORDS = frozenset("van de den der ter ten 't het achter over onder boven".split())
#: "sinds kort op de brink 14b": the street's name starts after the last of these.
_BEFORE_STREET = frozenset("op aan naar in bij via is is: zijn".split())
_MONTHS = "|".join(
    clock.MONTHS + ("jan", "feb", "mrt", "apr", "jun", "jul", "aug", "sep", "sept", "okt", "nov", "dec")
)  # and the usual abbreviations
#: "de datum 1 september": a day and a month, not a house number.
_MONTH_AFTER = re.compile(r"\s*(?:" + _MONTHS + r")\b", re.IGNORECASE)
#: A year of two digits may be written with an apostrophe ("30-6-'12", "3 april ’15").
_APOSTROPHE = "'\u2019\u2018`\u00b4"
_DATE = re.compile(
    r"\b(?:\d{1,2}[-/.]\d{1,2}[-/.](?:[" + _APOSTROPHE + r"]\d{2}|(?:19|20)?\d{2})"
    r"|\d{1,2}\s+(?:" + _MONTHS + r")\.?\s+(?:(?:19|20)\d{2}|[" + _APOSTROPHE + r"]\d{2})"
    r"|(?:19|20)\d{2}([-/.])\d{1,2}\1\d{1,2})\b",
    re.IGNORECASE,
)
#: A date without "geboren" is a date of birth when its year lies this many years back or more:
#: the youngest children a steunpunt hears about are three, and the dates parents mention
#: otherwise (a TLV's end, a meeting, 1 oktober) are recent or coming.
_BIRTH_YEARS_BACK = 3
_SHORT_YEAR = re.compile(r"[-/.\s][" + _APOSTROPHE + r"]?(\d{2})$")
_NOT_BIRTH_BEFORE = re.compile(r"\b(?:sinds|vanaf|per|tot|ingang van|na|voor)\s+$", re.IGNORECASE)
_BIRTH_CONTEXT = re.compile(
    r"(?:geboren|geb\.?|geboortedatum|verjaardag|jarig|is van)\W{0,3}(?:op\s+)?$", re.IGNORECASE
)

# --- names, places, schools ----------------------------------------------------------------------
#: Family and the people close by: a name often follows ("mijn schoonmoeder Gülay", "kind
#: Selam, 9 jaar"), and one that ends a sentence does not make the next word a name.
_KIN = (
    r"zoon|zoontje|dochter|dochtertje|kind|kindje|broer|broertje|zus|zusje|man|vrouw|"
    r"partner|vriend|vriendje|vriendin|moeder|vader|stiefvader|stiefmoeder|oma|opa|neef|neefje|nicht|"
    r"nichtje|tante|oom|schoonmoeder|schoonvader|schoonzus|schoonzoon|schoondochter|zwager|"
    r"grootmoeder|grootvader|pleegmoeder|pleegvader|stiefbroer|stiefzus|halfbroer|halfzus|"
    r"buurman|buurvrouw|buurjongen|buurmeisje|peettante|peetoom"
)
_NAME_TRIGGER = re.compile(
    r"\b(?:"
    + _KIN
    + r"|juf|juffrouw|meester|meneer|mevrouw|mevr\.?|mw\.?|dhr\.?|heer|mentor|mentrix|leerkracht|"
    r"docent|docente|lerares|leraar|directeur|directrice|coach|begeleider|ib'?er|leerling|leerlinge|"
    r"intern begeleider|zorgcoördinator|zorgcoordinator|ambtenaar|consulent|"
    r"contactpersoon(?:\s+(?:ouder|ouders|school|thuis))?\s*:|"  # "contactpersoon ouder: Ketut Wijaya"
    r"ik ben|ik heet|heet|heten|mijn naam is|naam is|naam|noem mij|noem me|met|namens|genaamd|"
    r"noemt (?:zich|zichzelf|hem|haar)|i am|i'm|name is|mi ta|"
    r"groetjes|groeten|groet|gr\.?|mvg|m\.v\.g\.?|liefs|vriendelijke groet|hartelijke groet|"
    r"dank je|bedankt|"
    # whose number or file: "het bsn van Meron", "het OPP van Mila"
    r"(?:bsn|burgerservicenummer|geboortedatum|adres|telefoonnummer|opp|tlv|dossier)\s+van"
    r")(?:\s+(?:is|heet|genaamd))?[\s,:!.]+$",
    re.IGNORECASE,
)
_INTERFIX = (
    "van der",
    "van den",
    "van de",
    "van het",
    "van 't",
    "in 't",
    "in de",
    "op de",
    "de",
    "den",
    "der",
    "van",
    "ter",
    "ten",
    "te",
    "el",
    "al",
    "la",
    "le",
    "da",
    "di",
    "du",
)
#: Compiled once: the redactor runs on every turn.
_INTERFIX_THEN_WORD = tuple(
    re.compile(r"[ \t]+" + re.escape(interfix) + r"[ \t]+([\w'À-ÿ-]+)", re.IGNORECASE)
    for interfix in _INTERFIX
)
#: A name goes on within its line only: "Naam leerling: Owen Kuijpers\nGroep: 6".
_SPACE_THEN_WORD = re.compile(r"[ \t]+([\w'À-ÿ-]+)")
_SURNAME = (
    r"((?:(?:van der|van den|van de|van 't|van t|van het|in 't|in de|op de|van|de|den|der|ter|ten|el|al)\s+)?"
    r"([\w'À-ÿ-]{2,}))"
)
#: "mevrouw de haan", "meester ruud": the title stays, the name goes.
_TITLED_SURNAME = re.compile(
    r"\b(?:juf|juffrouw|meester|meneer|mnr\.?|mevrouw|mevr\.?|mw\.?|dhr\.?|mr\.|"
    r"heer|familie|fam\.?)\s+" + _SURNAME,
    re.IGNORECASE,
)
#: A title that opens a name deduce found ("meneer Hoekstra", "Dhr. A. Kaya"): it identifies
#: nobody and the reader needs it ("de directeur, meneer ...").
_LEADING_TITLE = re.compile(
    r"(?:juf|juffrouw|meester|meneer|mevrouw|mevr\.|mw\.|dhr\.?|de heer|collega)\s+", re.IGNORECASE
)
#: "e. de jong", "b. yildiz": initials and the surname go.
_INITIALS_NICKNAME = re.compile(
    r"(?<![\w.])(?:[A-Z]\.\s?){1,4}\s*\((?-i:[A-ZÀ-Ý][a-zà-ÿ]+)\)\s+"
    r"(?:(?:van der|van den|van de|van|de|der|den|ter|ten|el)\s+)?(?-i:[A-ZÀ-Ý][\w'À-ÿ-]+)"
)
_NAMED_SURNAME = re.compile(
    r"\b(?:heet|heten|genaamd|naam is)\s+(?:ook\s+|eigenlijk\s+)?"
    r"((?:van der|van den|van de|van|de|der|den|ter|ten)\s+(?-i:[A-ZÀ-Ý][\w'À-ÿ-]+))",
    re.IGNORECASE,
)
_INITIALS_SURNAME = re.compile(r"(?<![\w.])((?:[a-zA-Z]\.\s?)+)" + _SURNAME, re.IGNORECASE)
#: Abbreviations written like initials: "t.a.v. fam. de boer" is no name "t.a.v. fam".
_ABBREVIATIONS = frozenset(
    "t.a.v. t.n.v. i.v.m. m.b.t. m.v.g. o.a. a.u.b. z.s.m. d.w.z. n.a.v. i.p.v. m.a.w. v.w.b. "
    "e.d. e.a. o.b.v. i.o.m. i.c.m. t.z.t. p.s. b.v. s.v.p. m.i. n.v.t. a.s. j.l. v.d. t.b.v. i.o.v. t.g.v. "
    "m.i.v. i.s.m. t.o.v. m.b.v. i.h.k.v. o.l.v. i.v.t. t.a.p. z.o.z. n.b. t.w. i.e. e.g.".split()
)
#: Words that stand where a surname might but are none: "t.a.v. fam.", "gr. dhr. ...".
_TITLE_WORDS = frozenset(
    "fam fam. familie dhr dhr. mevr mevr. mw mw. heer mevrouw meneer mnr mnr. juf meester".split()
)
#: Trades and jobs that are also surnames ("Kok", "Molenaar", "Bakker") or name-list words. In
#: lower case and not right after a title or a first name they say what someone does, not who
#: they are: "mijn man is kok", "hij is molenaar", "ze werkt als kapster" ("juf bakker" and
#: "jan visser" stay names).
_ROLE_WORDS = frozenset(
    """
    kok bakker banketbakker molenaar visser slager schilder timmerman smid boer boerin koster
    kapper kapster metselaar stukadoor loodgieter elektricien monteur automonteur chauffeur
    buschauffeur taxichauffeur vrachtwagenchauffeur schoonmaker schoonmaakster postbode bezorger
    koerier agent politieagent brandweerman militair soldaat piloot stewardess verpleger
    verpleegster zuster dokter tandarts apotheker advocaat notaris rechter accountant boekhouder
    secretaresse kassière caissière verkoper verkoopster winkelier ondernemer programmeur
    ontwikkelaar ingenieur architect kunstenaar muzikant zanger zangeres fotograaf journalist
    schrijver dominee imam pastoor predikant schipper tuinman hovenier dakdekker glazenwasser
    machinist conducteur beveiliger portier barman barvrouw serveerster ober kelner kraamverzorgster
    schoonheidsspecialiste hulpverlener mantelzorger huisman huisvrouw student studente scholier
    stagiair stagiaire vrijwilliger uitvaartverzorger herder jager ruiter brouwer kuiper
    dekker koopman verver wever snijder kleermaker naaister klusjesman conciërge concierge
    huismeester klokkenluider bibliothecaris tolk vertaler inburgeringsdocent bouwvakker
    installateur lasser magazijnmedewerker orderpicker heftruckchauffeur vuilnisman stratenmaker
    hoefsmid slotenmaker verhuizer""".split()
)
#: A title or form of address right before: "juf bakker", "meneer de boer", "fam. visser".
_TITLE_BEFORE = re.compile(
    r"\b(?:juf|juffrouw|meester|meneer|mevrouw|mevr|mw|dhr|heer|fam|familie|mr|dr|drs|ir|ing|prof)\.?\s+$",
    re.IGNORECASE,
)
#: A relation or role word that ends a sentence: the next sentence's first word has its capital
#: from there ("stapt in bij de oma. Bus VN-43-PB rijdt ..."); "gr. Jan", "dhr. Visser" are no
#: sentence ends.
_RELATION_THEN_STOP = re.compile(
    r"\b(?:" + _KIN + r"|mentor|leerkracht|docent|leerling|coach|begeleider|directeur|consulent|ambtenaar)"
    r"[.!?]\s+$",
    re.IGNORECASE,
)
#: A profession a case note names someone by, right before with only a space: "jeugdarts
#: Chidinma Okafor". Weaker than the words above: only a capitalised word the name lists have
#: or Dutch does not know ("orthopedagoog GZ", "leerplichtambtenaar Regio Achterhoek" stay).
_ROLE_BEFORE = re.compile(
    r"\b(?:jeugdarts|jeugdverpleegkundige|orthopedagoog|psycholoog|maatschappelijk werker|gezinscoach|"
    r"casusregisseur|jeugdconsulent|onderwijsconsulent|leerplichtambtenaar|ambulant begeleider)[ \t]+$",
    re.IGNORECASE,
)
#: A family word right before: a capitalised word there is a name even when another language
#: has it as a word ("kind Selam", "mijn man Can").
_KIN_BEFORE = re.compile(r"\b(?:" + _KIN + r")[ \t]+$", re.IGNORECASE)
#: ... and right after: "Mien dochter Femke" makes "Mien" a possessive, not a name.
_KIN_AFTER = re.compile(r"\s+(?:" + _KIN + r")\b", re.IGNORECASE)
#: Cyrillic letters: names in them are capitalised, other words not ("Моя донька Софія").
_CYRILLIC = re.compile("[\u0400-\u04ff]")
#: What follows a verb, not a surname, after a title: "de juf kent ons kind", "meester vindt het
#: goed". Many surnames look like verbs ("kort", "brandt", "holt"); the next word tells them apart.
_VERB_OBJECT_AFTER = re.compile(
    r"[ \t]+(?:ons|onze|mijn|m'n|mn|me|mij|je|jou|hem|haar|het|de|een|dat|die|dit|niet|geen|ook|"
    r"altijd|nooit|alles|iets|er|zo|toch|hun|zich|elke|iedere)\b",
    re.IGNORECASE,
)
#: Words that say a name follows: after them even a trade ("ik heet bakker") or a nationality
#: word is a name.
_NAMING_BEFORE = re.compile(r"\b(?:heet|heten|naam is|genaamd|noem me|noem mij|naam\s*:)\s+$", re.IGNORECASE)
#: The place of what someone is, not who: "mijn man is kok", "noemt hem star".
_PREDICATE_BEFORE = re.compile(
    r"\b(?:is|was|ben|bent|wordt|werd|blijft|werkt\s+als|noem(?:t|en|de|den)\s+(?:hem|haar))\s+$",
    re.IGNORECASE,
)
#: After these a rare word is a name even in lower case ("ik heet kacper").
_STRONG_NAME_TRIGGER = re.compile(
    r"\b(?:ik heet|heet|heten|mijn naam is|naam is|genaamd|noem me|noem mij|ik ben|"
    # the same in the languages parents mix in: "my name is", "me llamo", "benim adım",
    # "nazywam się", "mene zvaty", "magacaygu waa", "ismi", "mi nòmber ta"
    r"(?:my|his|her|their) name is|(?:is|are) called|me llamo|je m'appelle|ich hei(?:ß|ss)e|mein name ist|"
    r"(?:benim )?adım|nazywam si[eę]|"
    r"mam na imi[eę]|nazywa si[eę]|mene zvaty|menya zovut|мене звати|мене звуть|меня зовут|"
    r"mera naam|meri naam|imeto mi e|името ми е|казвам се|"
    r"magacaygu waa|magacayguna|ismi|smiti|mi n[oò]mber ta|ane|ana|"
    r"(?:voor)?naam(?:\s+(?:kind|leerling|ouder|moeder|vader|zoon|dochter))?\s*:|"
    r"(?:zoon|dochter|kind|broer|zus|pleegzoon|pleegdochter|kleinzoon|kleindochter)\s+(?:is|heet))\s+$",
    re.IGNORECASE,
)
#: "mijn zoon oksana", "mijn oudste dochter tymofii": right after these a word Dutch does not
#: know is a name, also one from another language that no name list has. The words that
#: usually follow there ("heeft", "zit", "van", "die", an age) are Dutch or digits; the rarer
#: ones that are not names are in _CHILD_FOLLOWERS.
_CHILD_BEFORE = re.compile(
    r"\b(?:mijn|m'n|mn|onze|ons)\s+(?:(?:oudste|jongste|middelste|kleine|grote|lieve|eigen)\s+)?"
    r"(?:zoon|zoontje|dochter|dochtertje|kind|kindje|broer|broertje|zus|zusje|neef|neefje|nicht|"
    r"nichtje|pleegzoon|pleegdochter|pleegkind|stiefzoon|stiefdochter|kleinzoon|kleindochter|"
    r"meid|meisje|jongen|ventje|mannetje)\s+$"
    # "ik ben de vader van adam", "de moeder van yara": a parent introduces the child
    r"|\b(?:vader|moeder|papa|mama|ouders?|voogd|pleegvader|pleegmoeder|oma|opa)\s+van\s+$",
    re.IGNORECASE,
)
#: A word of quantity right before: what follows is a noun ("wat fleur", "een buddy"); not "de"
#: or "het", which open surnames and neighbourhoods ("meneer de haan", "wijk de vogelaar").
#: An article after a preposition, or opening a sentence: a lower-case word Dutch knows that
#: follows is a noun, not a surname with its prefix ("in de polder", "De pauw is ...").
_ARTICLE_NOUN_BEFORE = re.compile(
    r"(?:\b(?:in|op|naar|uit|met|over|door|onder|aan|tegen|achter)\s+(?:de|het)|(?:^|[.!?\n]\s*)(?-i:De|Het))\s+$",
    re.IGNORECASE,
)
_DETERMINER_BEFORE = re.compile(
    r"\b(?:een|wat|geen|veel|weinig|meer|minder|deze|dit|elke|ieder|iedere|"
    # a possessive right before a lower-case word: "hij heeft zijn fleur terug"
    r"zijn|z'n|zn|haar|d'r|hun|jullie)\s+$",
    re.IGNORECASE,
)
_CHILD_FOLLOWERS = frozenset(
    """
    heeft had hebben is was zit zat gaat ging van en die dat wordt werd kan kon moet moest wil
    wilde mag mocht krijgt kreeg zegt doet leert speelt woont komt kwam loopt ligt staat blijft
    durft vindt voelt weet ziet hoort praat leest slaapt eet huilt ook nu al nog niet sinds zelf
    thuis net pas heel erg altijd nooit soms vaak weer toen dus maar of want omdat als in op bij
    met naar uit voor zonder jaar jarig hoogbegaafd thuiszit thuiszitter thuiszittend slechtziend
    slechthorend doof blind dyslectisch autistisch gehandicapt ziek gepest depressief angstig
    stottert spijbelt blowt gamet sport zwemt tekent rekent schrijft stuurt appt belt mailt
    inmiddels intussen tegenwoordig momenteel eigenlijk gewoon helaas hier daar toch echter
    zowel zn mn z'n m'n d'r ff effe idd ivm mbt nav ofzo enzo tho btw gwn egt echt rly sws wss mss
    miss nie ni tog haha hahaha lol xd omg pff """.split()
)
#: One to three words alone at the very end, after a sentence: a signature.
#: Participles with a separable prefix ("aangemeld", "doorverwezen") and strong ones
#: ("geschreven", "gebleven"): verbs, never names.
_PARTICIPLE = re.compile(
    r"(?:aan|af|op|in|uit|mee|door|over|terug|weg|toe|bij|na|vast|voor|om|los|thuis|langs|onder|"
    r"achter|door|rond|samen|tegen|vrij)?ge[a-zà-ÿ]{2,}(?:d|t|en)"
)
#: An infinitive with a separable prefix ("terugplaatsen", "doorsturen", "aanmelden"): the
#: part after the prefix is a common verb of five letters or more.
_SEPARABLE_INFINITIVE = re.compile(
    r"(?:aan|af|op|in|uit|mee|door|over|terug|weg|toe|bij|na|vast|voor|om|los|thuis|langs|onder|"
    r"achter|rond|samen|tegen|vrij)([a-zà-ÿ]{3,}en)"
)
#: The stem of a separable verb at the end of a clause: "als ik mijn kind aanmeld".
_SEPARABLE_STEM = re.compile(
    r"(?:aan|af|op|in|uit|mee|door|over|terug|weg|toe|bij|vast|los|thuis|langs|achter|rond|samen|tegen)"
    r"([a-zà-ÿ]{3,})"
)
#: "is hoogsensitief / prikkelgevoelig / faalangstig": an adjective after "is", never a name.
_ADJECTIVE_ENDING = re.compile(r"(?:ief|isch|lijk|baar|zaam|achtig|loos|gevoelig|angstig)$")
_SIGN_OFF = re.compile(r"[.!?,]\s+([\w'À-ÿ-]+(?:\s+[\w'À-ÿ-]+){0,2})\s*[.!]?\s*$")
#: The greeting itself is no signature: "... samenwerkingsverband. mvg", "... vragen. doei".
_SIGN_OFF_WORDS = frozenset(
    "mvg groet groeten groetjes gr grt grtjs liefs doei dag bedankt dank thanks thx cheers xx xxx "
    "fijne avond dag weekend nog succes dankjewel dankuwel 谢谢 شكرا спасибо дякую "
    "vriendelijke hartelijke alvast hoi hallo ok oke oké top super hai hey hee heey hi hello "
    "goedemorgen goedemiddag goedenavond hoogachtend".split()
)
#: "groetjes, ana", "danki, shirley": right after a greeting even a name that is also a word of
#: another language is a name.
_GREETING_BEFORE = re.compile(
    r"\b(?:groet|groeten|groetjes|gr|grt|mvg|liefs|doei|bedankt|dank|thanks|regards|cheers|danki|"
    r"pozdrawiam|selamlar|dyakuyu|shukran|merci|gracias|grüße|gruss|gruß)\W*$",
    re.IGNORECASE,
)
#: A mail app's closing line after the signature: "groet, wilma\n\nVerzonden vanaf mijn iPhone".
_SENT_FROM = re.compile(
    r"\s*(?:verzonden|verstuurd|sent|gesendet)\s+(?:vanaf|van|met|from|vom|von)\s+(?:mijn|my|meinem)\s+\S+"
    r"(?:\s+\S+)?\s*$",
    re.IGNORECASE,
)
_MODAL_BEFORE = re.compile(
    r"\b(?:wil|wilt|willen|kan|kun|kunt|kunnen|moet|moeten|mag|mogen|ga|gaat|gaan|zal|zullen|zou|zouden|te|"
    r"liever|graag|even|ff|mij|me|alleen|niet)\s+$",  # "kunt u mij appen", "niet bellen alleen appen"
    re.IGNORECASE,
)
_COUNTRIES = {  # and the provinces (not their capitals): a region identifies nobody
    "holland",
    "zeeland",
    "friesland",
    "fryslân",
    "drenthe",
    "overijssel",
    "gelderland",
    "flevoland",
    "noord-holland",
    "zuid-holland",
    "noord-brabant",
    "brabant",
    "zeeuws-vlaanderen",
    "west-brabant",
    "zuid-limburg",
    # countries as their own people and English write them
    "deutschland",
    "romania",
    "românia",
    "bulgaria",
    "polska",
    "türkiye",
    "österreich",
    "españa",
    "lithuania",
    "latvia",
    "hungary",
    "limburg",
    "noord-limburg",
    "midden-limburg",
    "twente",
    "achterhoek",
    "veluwe",
    "randstad",
    "betuwe",
    "kennemerland",
    "nederland",
    "belgië",
    "belgie",
    "duitsland",
    "polen",
    "turkije",
    "marokko",
    "suriname",
    "syrië",
    "syrie",
    "oekraïne",
    "oekraine",
    "eritrea",
    "afghanistan",
    "somalië",
    "irak",
    "iran",
    "roemenië",
    "bulgarije",
    "spanje",
    "frankrijk",
    "engeland",
    # as they are written in English
    "ukraine",
    "poland",
    "syria",
    "turkey",
    "morocco",
    "somalia",
    "iraq",
    "germany",
    "belgium",
    "netherlands",
    "spain",
    "england",
    "curaçao",
    "curacao",
    "aruba",
    "india",
    "china",
    # the rest of the world's countries and its parts, as Dutch writes them: where a family goes
    # on holiday or comes from says nothing about who they are ("de berg op in Oostenrijk")
    *"""
    europa azië azie afrika amerika noord-amerika zuid-amerika midden-amerika latijns-amerika
    oceanië oceanie australië australie antarctica scandinavië scandinavie caraïben caraiben
    midden-oosten balkan kaukasus
    albanië andorra armenië azerbeidzjan bosnië bosnië-herzegovina cyprus denemarken estland
    finland georgië griekenland hongarije ierland ijsland italië kazachstan kosovo kroatië letland
    liechtenstein litouwen luxemburg malta moldavië monaco montenegro noord-macedonië macedonië
    noorwegen oostenrijk portugal rusland san-marino servië slovenië slowakije tsjechië
    vaticaanstad wit-rusland belarus zweden zwitserland groot-brittannië verenigd-koninkrijk
    schotland wales noord-ierland vlaanderen wallonië
    afghanistan bahrein bangladesh bhutan brunei cambodja filipijnen indonesië israël palestina
    japan jemen jordanië koeweit kirgizië laos libanon maleisië maldiven mongolië myanmar birma
    nepal noord-korea zuid-korea korea oezbekistan oman pakistan qatar saoedi-arabië singapore
    sri-lanka tadzjikistan taiwan thailand tibet turkmenistan vietnam koerdistan
    algerije angola benin botswana burkina-faso burundi djibouti egypte equatoriaal-guinea
    ethiopië gabon gambia ghana guinee guinee-bissau ivoorkust kaapverdië kameroen kenia congo
    lesotho liberia libië madagaskar malawi mali mauritanië mauritius mozambique namibië niger
    nigeria oeganda rwanda senegal sierra-leone soedan zuid-soedan swaziland eswatini tanzania
    togo tsjaad tunesië zambia zimbabwe zuid-afrika
    argentinië bahama's barbados belize bolivia brazilië canada chili colombia costa-rica cuba
    dominicaanse-republiek ecuador el-salvador grenada guatemala guyana haïti haiti honduras
    jamaica mexico nicaragua panama paraguay peru trinidad uruguay venezuela verenigde-staten
    usa vs bonaire sint-maarten sint-eustatius saba
    fiji nieuw-zeeland papoea-nieuw-guinea samoa tonga
    turkey italy france greece portugal austria switzerland sweden norway denmark finland ireland
    scotland russia egypt brazil mexico canada australia japan""".split(),
}
_COUNTRIES |= {country.replace("-", " ") for country in _COUNTRIES}  # "Sri Lanka", "Sri-Lanka"
_LONGEST_COUNTRIES_FIRST = sorted(_COUNTRIES, key=len, reverse=True)  # "guinee-bissau" before "guinee"
_ANY_COUNTRY = "|".join(re.escape(country) for country in _LONGEST_COUNTRIES_FIRST)
#: "in Duitsland (Emmerich)" (group 1), "Kleve, Duitsland", "Gronau (Duitsland)" (group 2): a
#: town beside its country.
_TOWN_BY_COUNTRY = re.compile(
    r"(?:" + _ANY_COUNTRY + r")\s*\(\s*(?-i:([A-ZÀ-Ý][\w'À-ÿ-]+))\s*\)"
    r"|(?<![\w-])(?-i:([A-ZÀ-Ý][\w'À-ÿ-]+))\s*[,(]\s*(?:in\s+)?(?:" + _ANY_COUNTRY + r")(?![\w-])",
    re.IGNORECASE,
)
#: A country of two words is protected as a whole: the name detectors would take "Sri" or "Rica"
#: for a person.
_COUNTRY_OF_WORDS = re.compile(
    r"(?<![\w-])(?:"
    + "|".join(re.escape(c).replace(r"\ ", r"[\s-]") for c in _LONGEST_COUNTRIES_FIRST if " " in c)
    + r")(?![\w-])",
    re.IGNORECASE,
)
_PLACE_TRIGGER = re.compile(
    r"\b(?:in|uit|te|naar|bij|rond|omgeving|regio|gemeente|buurt van|woonachtig|"
    r"moved to|live in|living in|from|to|wohnen in|aus)\s+$",
    re.IGNORECASE,
)
#: Words that always introduce a school's name ("obs de regenboog", "sbo de wegwijzer",
#: "vso de ruimte": the word after a type prefix is the school, however common the word) ...
_SCHOOL_TYPES = (
    r"christelijke basisschool|openbare basisschool|katholieke basisschool|basisschool|obs|cbs|"
    r"pcbs|pcbo|rkbs|kbs|ibs|ikc|sbs|sbo|vso|so|csg|rsg|osg|sboschool|montessorischool|daltonschool|"
    r"jenaplanschool|vrijeschool|praktijkschool|scholengemeenschap|kindcentrum|mytylschool|tyltylschool"
)
#: ... and words after which a name must look like one (capitalised or a rare word).
_WEAK_SCHOOL_TYPES = r"school|mavo|isk|speciale school|brede school|vrije school"
#: "rkbs sint jozef", "pcbo st. ludger", "ibs el feth": a saint's or title word, or an Arabic
#: article, belongs to the name.
_SCHOOL_NAME_TITLE = r"(?:(?:sint|st\.?|don|pater|mgr\.?|dr\.?|koning|prins|prinses|koningin|el|al)\s+)?"
_NAME_WORD = r"[\w'À-ÿ-]+"
_TITLED_SCHOOL_NAME = re.compile(_SCHOOL_NAME_TITLE + r"\S+", re.IGNORECASE)
_CAPITALISED_WORD = r"(?-i:[A-ZÀ-Ý][\w'À-ÿ-]*)"
#: Nouns of screens that the frequency list, older than them, does not know: "de Somtoday-app",
#: "de Magister-portal" are a thing, not a school.
_SCREEN_NOUNS = frozenset("app apps portal login inlog mailtje webshop".split())
#: "het terugstorten", "het aanvragen": a verb used as a noun.
_NAME_CONNECTORS = frozenset("a à van von de der den 't het op aan in en".split())
_NOMINAL_VERB = re.compile(r"[a-zà-ÿ]{3,}(?:en)")
#: Kinds of school that are no one school's name: "de montessori school", "de brede school".
_SCHOOL_METHODS = frozenset(
    "montessori dalton jenaplan vrije brede speciale gewone nieuwe oude andere middelbare basis "
    "internationale islamitische christelijke katholieke openbare zwarte witte goede".split()
)
_SCHOOL_AFTER_TYPE = re.compile(
    r"\b(?:("
    + _SCHOOL_TYPES
    + r")|"
    + _WEAK_SCHOOL_TYPES
    + r")\b\s*[:(]?\s*(?:is\s+)?((?:de|het|'t|t)\s+)?("
    + _SCHOOL_NAME_TITLE
    + _NAME_WORD
    + r"(?:[ \t]+"  # a name ends with its line: "School: Het Kompas\nWoonplaats: ..."
    + _CAPITALISED_WORD
    + r")*)",
    re.IGNORECASE,
)
#: "De Zevensprong", "Het Noorderlicht" in the middle of a sentence: a proper name, mostly a school.
_CAPITALISED_NAME = re.compile(
    r"(?:(?<=[\w,;]\s)|(?<=\()|(?<=\(\s))(?:[Dd]e|[Hh]et|'t)[ \t]+[A-ZÀ-Ý](?![A-Z]+\b)[\w'À-ÿ-]+"
    r"(?:[ \t]+[A-ZÀ-Ý][\w'À-ÿ-]+)*"
)
_SCHOOL_SUFFIX = re.compile(
    r"\b((?:(?:het|de|'t)\s+)?(?:[\w'À-ÿ-]+\s+){0,2}[\w'À-ÿ-]*"
    r"(?:college|lyceum|gymnasium|scholengemeenschap|scholengroep|campus|academie|"
    r"montessorischool|daltonschool|jenaplanschool))\b",
    re.IGNORECASE,
)
#: "zitten op Al Wafa", "naar El Boukhari", "het ROC Midden Nederland": an Islamic school's name
#: opens with its article; a regional college's with "ROC".
_PREFIXED_SCHOOL = re.compile(
    r"(?:\b(?:op|naar|van|bij)\s+(?-i:((?:Al|El|As|An|Ar|Ad|Ibn|Ibn-i)[\s-][A-ZÀ-Ý][\w'À-ÿ-]+)))"
    r"|(?-i:\b((?:ROC|Roc)\s+(?:van\s+)?[A-ZÀ-Ý][\w'À-ÿ-]+(?:\s+[A-ZÀ-Ý][\w'À-ÿ-]+)?))"
)
#: The teaching methods a school's name holds, capitalised there: "het Stedelijk Dalton".
_METHODS = r"Dalton|Montessori|Jenaplan|Freinet"
#: "ingeschreven op het Dalton Maaspoort", "naar de Montessori Zuid": a method, then a name.
_METHOD_THEN_NAME = re.compile(
    r"\b(?:op|naar|bij|van)\s+((?:de|het|'t)\s+(?-i:(?:" + _METHODS + r")(?:[ \t]+[A-ZÀ-Ý][\w'À-ÿ-]+){1,3}))",
    re.IGNORECASE,
)
_METHOD_BEFORE = re.compile(r"\b(?:de|het|'t)\s+(?-i:" + _METHODS + r")[ \t]+$", re.IGNORECASE)
_METHOD_AFTER = re.compile(r"(?-i:[ \t]+(?:" + _METHODS + r"|Vrije School))(?![\w-])")
_SCHOOL_AFTER_PREPOSITION = re.compile(r"\b(op|bij|van|naar)\s+((?:de|het|'t)\s+[\w'À-ÿ-]+)", re.IGNORECASE)
#: A name in quotes or alone in brackets: "zit op 'de wegwijzer'", "skol 'de Bongerd'",
#: "(de wissel)". People quote and bracket names, not common nouns.
_QUOTED_NAME = re.compile(
    r"(?:(?<=\s)|^)['‘\"“]((?:de|het|'t)\s+[\w'À-ÿ-]+(?:\s+[\w'À-ÿ-]+){0,2})['’\"”](?!\w)"
    r"|\(\s*((?:de|het|'t)\s+[\w'À-ÿ-]+(?:\s+[\w'À-ÿ-]+)?)\s*\)",
    re.IGNORECASE,
)
#: "op de al ghazali school", "de Wereldwijzer school": a name between the article and "school".
_NAME_THEN_SCHOOL = re.compile(
    r"\b(?:de|het|'t)\s+((?:(?:al|el|sint|st\.?)[\s-])?[\w'À-ÿ-]+(?:\s+[\w'À-ÿ-]+)?)\s+school\b",
    re.IGNORECASE,
)
#: "op de klimboom": a school when the word is capitalised or not a common Dutch word.
_SCHOOL_WORD_FREQUENCY = 2000
_GENERIC_SCHOOL_WORDS = {
    "school",
    "scholen",
    "basisschool",
    "middelbare",
    "brugklas",
    "klas",
    "groep",
    "bank",
    "les",
    "lessen",
    "gang",
    "plek",
    "plaats",
    "vso",
    "so",
    "sbo",
    "havo",
    "vwo",
    "vmbo",
    "mavo",
    "mbo",
    "hbo",
    "praktijkonderwijs",
    "isk",
    "opvang",
    "bso",
    "roc",
    "rebound",
    "brede",
    "kinderopvang",
    "peuterspeelzaal",
    "speciaal",
    "speciale",
    "nieuwe",
    "oude",
    "andere",
    "zelfde",
    "huidige",
    "eigen",
    "vorige",
    "volgende",
    "hele",
    "goede",
    "juiste",
    "taalklas",
    "schakelklas",
    "plusklas",
    "wachtlijst",
    "lijst",
    "computer",
    "laptop",
    "weg",
    "hoogte",
    "gemeente",
    "website",
    "site",
    "afdeling",
    "kamer",
    "bus",
    "taxi",
    "fiets",
    "trein",
    "straat",
    "markt",
    "hoek",
    "zorg",
    "ib",
    "ib'er",
    "mentor",
    "directeur",
    "leerplicht",
    "dagbesteding",
    "universiteit",
    "hogeschool",
    "locatie",
    "steunpunt",
    "telefoon",
    "mail",
    "email",
    "vakantie",
    "zomer",
    "winter",
    "ochtend",
    "middag",
    "avond",
    "dag",
    "week",
    "maand",
    "jaar",
    "tijd",
    "toets",
    "eindtoets",
    "doorstroomtoets",
    "cito",
    "lwoo",
    "pro",
    "rugzak",
    "bovenbouw",
    "onderbouw",
    # "naar het vso de komende jaren", "op het sbo de laatste tijd"
    "komende",
    "aankomende",
    "afgelopen",
    "laatste",
    "eerste",
    "tweede",
    "derde",
    "meeste",
    "rest",
    # what is in and around a school building: "eet haar boterham op de wc", "tikken op de tablet"
    "wc",
    "toilet",
    "tablet",
    "chromebook",
    "ipad",
    "kantine",
    "aula",
    "gymzaal",
    "trap",
    "parkeerplaats",
}
#: The last part of the field's long compounds: "ontwikkelingsperspectiefplan",
#: "zorgcoördinator", "schoolondersteuningsprofiel", "orthopedagoog" are roles and documents,
#: never a school's name, even capitalised after "de"/"het". Only compounds count: a school
#: may well be called "Het Perspectief".
_FIELD_TERM_HEADS = (
    "plan",
    "profiel",
    "verband",
    "coördinator",
    "coordinator",
    "begeleider",
    "begeleiding",
    "consulent",
    "ambtenaar",
    "arts",
    "pedagoog",
    "psycholoog",
    "therapeut",
    "onderzoek",
    "verklaring",
    "beschikking",
    "indicatie",
    "commissie",
    "overleg",
    "gesprek",
    "traject",
    "arrangement",
    "budget",
    "regeling",
    "beleid",
    "protocol",
    "dossier",
    "rapport",
    "advies",
    "aanvraag",
    "ondersteuning",
    "team",
    "loket",
    "document",
    "perspectief",
    "werker",
    "vervoer",
    "vervoerder",
    "voorziening",
    "stoornis",
    "onderwijs",
    "raad",
    "praktijk",
    "zitter",  # "thuiszitter"
    "bescherming",  # "Jeugdbescherming"
    "plicht",  # "Zorgplicht"
    "overheid",  # "Rijksoverheid"
    "inspectie",  # "Onderwijsinspectie"
    "centrum",  # "Expertisecentrum"
    "schakelklas",  # "Internationale Schakelklas"; not "klas" alone, which ends names ("Nicklas")
    "plusklas",
    "taalklas",
    "nieuwkomersklas",
    "opleiding",  # "Entree-opleiding"
    "plaatsing",  # "vso-plaatsing"
    "formulier",  # "het aanmeldformulier"
    "vakantie",  # "de Kerstvakantie"
    "groep",  # "de Uilengroep", "de Kangoeroegroep": a class, not a school
    "bank",  # "de Sociale Verzekeringsbank"
    "stichting",  # "de William Schrikker Stichting"
    "format",  # "het OPP-format"
    "fonds",  # "het Jeugdfonds Sport"
    "portaal",  # "het ouderportaal"
    "hulp",  # "jeugdhulp", "thuishulp"
    "persoon",  # "schoolcontactpersoon", "vertrouwenspersoon"
    "toets",  # "de eindtoets", "de PTA-toets"
    "toetsen",
    "syndroom",  # "het Downsyndroom"
    "voogd",  # "ik ben voogd", "de gezinsvoogd"
    "plek",  # "de invalidenplek", "een stageplek"
    "mail",  # "in Zorgmail", "de e-mail"
    "pact",  # "het Thuiszitterspact"
    "aanpak",  # "de Doorbraakaanpak"
    "manager",  # "casemanager", "zorgmanager"
    "kundige",  # "verpleegkundige", "jeugdverpleegkundige"
)
#: Above this frequency a capitalised word that opens a sentence may be the word itself.
_SENTENCE_WORD_FREQUENCY = 1000
#: Sentence-opening prepositions that are no part of a school's name: "Namens het college".
_PREPOSITIONS = frozenset(
    """namens volgens vanuit via tijdens sinds zonder tegen onder over met naast dankzij vanwege
    richting door voor bij naar op van uit aan in""".split()
)
#: A holiday, a school event or an outing: "bij de Koningsspelen", "na de Kinderboekenweek", "op
#: de Avondvierdaagse"; never a school.
_EVENT_WORD = re.compile(
    r"[a-zà-ÿ'-]{3,}(?:spelen|dag|dagen|week|weken|feest|feesten|markt|vierdaagse|viering|kamp|toernooi|"
    r"voorstelling|musical|disco|avond|vakantie|reis)"
)
#: Places and firms parents name that are no school: outings, shops, transport, services.
_NOT_SCHOOL_NAMES = frozenset(
    """efteling walibi duinrell slagharen toverland madurodam artis blijdorp burgers' burgers
    ouwehands apenheul beekse nemo rijksmuseum jumbo lidl aldi hema action kruidvat etos ikea
    blokker intratuin mediamarkt coolblue bol.com marktplaats ziggo kpn vodafone odido ns ret gvb
    htm arriva connexxion qbuzz keolis hermes ebs valys belastingdienst toeslagen svb cjib cak
    ind coa ggz sinterklaas kerstmis pasen pinksteren ramadan suikerfeest offerfeest carnaval
    noordzee waddenzee ijsselmeer markermeer veluwemeer oosterschelde westerschelde
    klokhuis jeugdjournaal sesamstraat zapp nickelodeon
    ardennen alpen eifel sauerland biesbosch waddeneilanden wadden""".split()
)
#: Heads that name a role, a body or a document even standing alone and capitalised: "De
#: Commissie van Begeleiding", "De Intern Begeleider", "Het Speciaal Onderwijs" are none of
#: them a school. ("Het Perspectief" may be one, so not every head is here.)
_NEVER_A_SCHOOL = frozenset(
    """commissie begeleider begeleiding coördinator coordinator consulent consulenten ambtenaar arts
    pedagoog psycholoog therapeut overleg gesprek regeling beleid protocol dossier rapport loket team
    onderwijs zorgteam inspectie gemeente raad verband intern ambulant centrum wet praktijkschool
    voorziening overheid portaal formulier stichting plein schoolplein speelplaats verordening
    syndroom förderschule forderschule grundschule gesamtschule hauptschule realschule sonderschule
    berufsschule sekundarschule""".split()
)
#: "het Nederlandse (equivalent)", "de Belgische (grens)": an adjective of a country or a
#: region, never a school's name.
_NATIONALITY_ADJECTIVE = re.compile(
    r"(?:nederlandse|hollandse|belgische|vlaamse|duitse|engelse|britse|franse|spaanse|italiaanse|"
    r"portugese|poolse|roemeense|bulgaarse|oekraïense|oekraiense|russische|turkse|marokkaanse|"
    r"tunesische|algerijnse|egyptische|syrische|iraakse|iraanse|afghaanse|koerdische|arabische|"
    r"eritrese|ethiopische|somalische|surinaamse|antilliaanse|arubaanse|caribische|kaapverdische|"
    r"ghanese|nigeriaanse|chinese|indiase|pakistaanse|indonesische|amerikaanse|europese|"
    r"internationale|friese|limburgse|brabantse|zeeuwse|groningse|twentse|drentse)",
    re.IGNORECASE,
)
#: The same adjectives without their -e ("ik ben Marokkaans", "hij is Pools"); not "Frans" and
#: "Engels", which are also a first name and a surname.
_NATIONALITY = re.compile(
    r"(?:nederlands|hollands|belgisch|vlaams|duits|brits|spaans|italiaans|portugees|pools|roemeens|"
    r"bulgaars|oekraïens|oekraiens|russisch|turks|marokkaans|tunesisch|algerijns|egyptisch|syrisch|"
    r"iraaks|iraans|afghaans|koerdisch|arabisch|eritrees|ethiopisch|somalisch|surinaams|antilliaans|"
    r"arubaans|caribisch|kaapverdisch|ghanees|nigeriaans|chinees|indiaas|pakistaans|indonesisch|"
    r"amerikaans|fries|limburgs|brabants|zeeuws|gronings|twents|hindoestaans|molukse?|berbers|"
    r"tigrinya|amhaars|farsi|dari|pasjtoe|urdu|hindi|tamil|vietnamees|thais|filipijns)"
)
#: "in de wijk kattenbroek", "onze wijk Schilderswijk": the word after "wijk" names the
#: neighbourhood, which narrows down where a family lives as much as a village does.
_NEIGHBOURHOOD = re.compile(
    r"\b(?:wijk|woonwijk|stadswijk|stadsdeel|wijkteam)\s+((?:(?:oud|nieuw|noord|zuid|oost|west)[\s-])?[\w'À-ÿ-]+)",
    re.IGNORECASE,
)
#: "de componistenbuurt", "de Indische Buurt", "het Oranjekwartier": a neighbourhood's name
#: by its last part, unless it is a kind of neighbourhood ("woonwijk", "nieuwbouwwijk").
_AREA_COMPOUND = re.compile(
    r"\b(?:[A-ZÀ-Ý][\w'À-ÿ-]+\s+(?-i:Buurt|Wijk|Kwartier)|[\w'À-ÿ-]{3,}(?:buurt|wijk|kwartier))\b"
)
_AREA_KINDS = (
    "woon",
    "nieuwbouw",
    "probleem",
    "achterstands",
    "vinex",
    "buiten",
    "stads",
    "kracht",
    "bloemkool",
    "arbeiders",
    "villa",
    "volks",
    "achter",
    "rand",
    "focus",
    "school",
    "naoorlogse",
    "eigen",
    "hele",
)
#: "wij wonen in de bijlmer", "ik woon in presikhaaf (arnhem)", "bij ons in lombok": after
#: "in", where the sentence is about where someone lives, a word Dutch hardly knows is the
#: neighbourhood's name.
_IN_AREA = re.compile(
    r"\b(?:(?:in|uit|from|(?<=verhuisd\s)naar|(?<=verhuist\s)naar|(?<=verhuizen\s)naar)\s+"
    r"(?:de\s+|het\s+)?([^\W\d_][\w'À-ÿ-]{3,})"
    r"|van\s+(?:de\s+|het\s+)?([^\W\d_][\w'À-ÿ-]{3,})(?=\s+naar\b))"  # "verhuisd van X naar Y"
)
_LIVING = re.compile(
    r"\b(?:woon|wonen|woont|wonend|woonachtig|verhuisd|verhuizen|bij ons|hier in|onze buurt|"
    r"kom uit|komen uit|kwam uit|kwamen uit|gevlucht|ik ben \w+ uit|(?:i'?m|i am|we are|come) from|moved|"
    r"(?:ik\s+)?(?:bn|ben|wn)\s+in)\b",  # "bn in de bijlmer": a youth says where they are
    re.IGNORECASE,
)
#: "ik woon in Ondiep": right after these, a capitalised word is where someone lives even when
#: it is also a Dutch word ("ondiep", "shallow").
_LIVES_IN = re.compile(r"\b(?:woon|woont|wonen)\s+in\s+(?:de\s+|het\s+)?$", re.IGNORECASE)
_AREA_WORDS = frozenset(
    """binnenstad randstad polder stad dorp centrum buurt wijk regio omgeving provincie gemeente
    nieuwbouw buitengebied platteland flat appartement huurhuis woning noorden zuiden oosten westen
    buitenland azc opvang zomer winter""".split()
)
#: "Rotterdam-Zuid", "Amsterdam-Noord": a town and its part.
_DISTRICT_SUFFIX = re.compile(
    r"-(?:zuid|noord|oost|west|centrum|zuidoost|zuidwest|noordoost|noordwest)$", re.I
)
#: "een gezin in Overvecht", "in Holendrecht zijn veel thuiszitters": a capitalised word rare
#: in Dutch, right after "in" or "uit", is where someone lives; a town would be in deduce's
#: list, so this is most often a neighbourhood.
_IN_CAPITALISED = re.compile(
    r"\b(?:[Ii]n|[Uu]it|[Vv]anuit|[Bb]uurt van|[Oo]mgeving van)\s+"
    r"([A-ZÀ-Ý][a-zà-ÿ']{3,}(?:-[A-ZÀ-Ý]?[a-zà-ÿ']+)*)(?![\w-])"
)
#: A capitalised word before a verb a person does, or after one in an inverted clause.
_SUBJECT_VERBS = (
    r"(?:heeft|had|is|was|zit|zat|gaat|ging|wil|wilde|kan|kon|moet|moest|krijgt|kreeg|wordt|werd|mag)"
)
_SUBJECT_NAME = re.compile(
    r"(?<![\w'-])([A-ZÀ-Ý][a-zà-ÿ']{2,})(?=\s+" + _SUBJECT_VERBS + r"\b)"
    r"|\b" + _SUBJECT_VERBS + r"\s+([A-ZÀ-Ý][a-zà-ÿ']{2,})(?=\s+(?:op|in|naar|bij|al|nog|niet|geen)\b)"
)
#: Verbs of chatting that deduce's place list also has (Appen is a German town).
_CHAT_VERBS = frozenset({"appen", "whatsappen", "mailen", "sms'en", "facetimen", "bellen"})
#: "AVG-vraag", "OPP-gesprek": an abbreviation joined to a Dutch word names a thing.
_ABBREVIATION_COMPOUND = re.compile(r"[A-Z]{2,6}-[a-zà-ÿ]{3,}")
_AND_CAPITALISED = re.compile(r"\s+(?:en|of)\s+([A-ZÀ-Ý][a-zà-ÿ'-]{3,})(?![\w-])")
#: "zit in groep Roos", "klas Vlinder": the word after is a class's name, not a person's.
_CLASS_NAME_BEFORE = re.compile(r"\b(?:groep|klas)\s+$", re.IGNORECASE)
#: "PlayStation", "iPad", "YouTube": a capital inside a word marks a brand, not a name or school.
_INNER_CAPITAL = re.compile(r"[a-zà-ÿ][A-ZÀ-Ý]")
#: "Transvaal, Den Haag. Mijn zoon ...": a word alone at the start of a sentence, before a town.
_AREA_BEFORE_TOWN = re.compile(r"(?:^|[.!?\n]\s*)([A-ZÀ-Ý][\w'À-ÿ-]{3,}|[a-zà-ÿ][\w'À-ÿ-]{3,}),\s*$")
_WORD = re.compile(r"[\w'À-ÿ-]+", re.UNICODE)
#: A surname after a word: an interfix or a capitalised word in the same clause.
_SURNAME_FOLLOWS = re.compile(r"[ \t]+(?:(?:van|de|der|den|ter|ten|el|al|la|le|da|di|du)\s+)?[A-ZÀ-Ý]")
#: Languages and school subjects: "vrijstelling voor duits en frans", "zij spreekt Engels",
#: "mijn moeder spreekt alleen spaans". Some are names too (Frans, Engels), so only after
#: "ik heet", "mijn zoon" and the like are they taken for one.
_LANGUAGE_NAMES = re.compile(
    r"(?:engels|frans|duits|spaans|turks|arabisch|pools|oekraïens|oekraiens|russisch|"
    r"somalisch|tigrinya|tigrinja|papiaments|sranantongo|portugees|italiaans|chinees|"
    r"koerdisch|perzisch|farsi|dari|berbers|tamazight|nederlands|fries|latijn|grieks)",
    re.IGNORECASE,
)
#: The same as whole words inside a text.
_LANGUAGE_WORD = re.compile(r"(?<![\w-])" + _LANGUAGE_NAMES.pattern + r"(?![\w-])", re.IGNORECASE)
#: Above this frequency (per pyspellchecker's Dutch list) a name-like word is a common word
#: too ("roos", "storm", "wil") and is taken as a name only where a name stands.
_COMMON_WORD_FREQUENCY = 300
_VERY_COMMON_WORD_FREQUENCY = 20000


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    kind: str


def _is_plate(text: str) -> bool:
    """Six letters and digits in three groups, each all letters or all digits, with both
    letters and digits: every Dutch sidecode. "JC-4471" (two groups) and "Q8-MX-41" (a group
    that mixes) are handed-out codes, for `_code_kind`."""
    groups = text.split("-")
    return (
        len(groups) == 3
        and sum(map(len, groups)) == 6
        and all(g.isdigit() or g.isalpha() for g in groups)
        and any(g.isdigit() for g in groups)
        and any(g.isalpha() for g in groups)
    )


def _joined_plate(word: str) -> bool:
    """ "17rkz4", "gz708k": three alternating runs of letters without vowels and digits."""
    runs = _RUNS.findall(word)
    return (
        len(runs) == 3
        and _is_plate("-".join(runs))
        and _takes_turns(runs)
        and not any(ch in "aeiouyAEIOUY" for ch in word)
    )


def _code_kind(token: str) -> Optional[str]:
    """ "code" for a handed-out code or case number, None for anything else that looks alike."""
    parts = re.split(r"[-/]", token)
    letters = sum(ch.isalpha() for ch in token)
    digits = sum(ch.isdigit() for ch in token)
    if letters == 0 or digits == 0 or letters + digits < 6 or _is_plate(token):
        return None
    if len(parts) == 2 and parts[0].isdigit() and len(parts[1]) <= 3:
        return None  # a house number with its addition: "240-3hg" (the address rule has it)
    if re.fullmatch(r"SP-?\d{3,6}", token, re.IGNORECASE):
        return None  # a ticket number, which analysts see on purpose
    for part in parts:
        if part.isalpha() and (len(part) > 4 or (part.islower() and len(part) > 2)):
            return None  # a word: "covid-19", "vso-plaatsing", "groep-8a"
    if all(
        (p.isdigit() and len(p) == 4 and p[:2] in ("19", "20")) or p.lower() in _FIELD_ABBREVIATIONS
        for p in parts
    ):
        return None  # "TLV-2025", "havo-2026"
    return "code"


def _takes_turns(groups: Iterable[str]) -> bool:
    """ "GZ 708 K": letters and digits alternate from group to group."""
    kinds = [group.isdigit() for group in groups]
    return all(a != b for a, b in pairwise(kinds))


def iban_valid(compact: str) -> bool:
    """The IBAN check (mod 97) of an IBAN without spaces."""
    if not 15 <= len(compact) <= 34 or not compact[:2].isalpha() or not compact[2:4].isdigit():
        return False
    moved = compact[4:] + compact[:4]
    try:
        return int("".join(str(int(ch, 36)) for ch in moved)) % 97 == 1
    except ValueError:
        return False


def _valid_ibans(text: str) -> List[Span]:
    """IBANs of any country, grouped in any way, whose check digits hold. The pattern may run
    on into the next word ("... 7034 tnv"), so the longest valid prefix that ends a group counts."""
    spans = []
    for match in _IBAN_ANY.finditer(text):
        positions = [match.start() + i for i, ch in enumerate(match.group()) if ch.isalnum()]
        compact = "".join(text[i] for i in positions).upper()
        for length in range(min(len(compact), 34), 14, -1):
            end = positions[length - 1] + 1
            if (end == len(text) or not text[end].isalnum()) and iban_valid(compact[:length]):
                spans.append(Span(match.start(), end, "iban"))
                break
    return spans


def _is_field_term(word: str) -> bool:
    """A compound of the field ("ontwikkelingsperspectiefplan", "Zorgcoördinator"), or one of
    its heads in lower case ("de vervoerder"); "Het Perspectief" may still be a school."""
    lower = word.lower()
    if word == lower and lower in _FIELD_TERM_HEADS:
        return True
    # the plural too: "ouders van thuiszitters", "de consulenten"
    forms = {lower} | ({lower[:-1], lower[:-2]} if lower.endswith(("s", "en")) and len(lower) > 6 else set())
    return any(
        form.endswith(head) and len(form) > len(head) + 2 for form in forms for head in _FIELD_TERM_HEADS
    )


def _plate_after_word(text: str, start: int) -> Optional[Tuple[int, int]]:
    """The first plate in the few words after "kenteken" at `start`, typed without hyphens or
    with spaces ("52xnl7", "ZB 561 T"): one to three pieces of letters or digits, six in all,
    both present, no vowels (Dutch plates have none), at most three runs of letters or digits."""
    window = text[start : start + _PLATE_WINDOW]
    pieces = list(_PLATE_PIECE.finditer(window))
    for first in range(len(pieces)):
        for last in range(first, min(first + 3, len(pieces))):
            if last > first and window[pieces[last - 1].end() : pieces[last].start()] not in (" ", "-"):
                break
            joined = "".join(p.group() for p in pieces[first : last + 1])
            if len(joined) > 6:
                break
            if (
                len(joined) == 6
                and (
                    not _VOWELS.intersection(joined.lower())
                    # "kenteken 12-ABC-3": three groups with hyphens, typed as a plate; a vowel
                    # makes it no real one, but it is still someone's as remembered
                    or (
                        last - first == 2
                        and window[pieces[first].end() : pieces[last].start()].count("-") == 2
                    )
                )
                and any(c.isdigit() for c in joined)
                and any(c.isalpha() for c in joined)
                and len(_RUNS.findall(joined)) <= 3
            ):
                return start + pieces[first].start(), start + pieces[last].end()
    return None


_RUNS = re.compile(r"\d+|[^\W\d_]+")
_VOWELS = frozenset("aeiou")


def bsn_valid(digits: str) -> bool:
    """The Dutch 11-test for a 9-digit BSN."""
    if len(digits) != 9 or not digits.isdigit() or digits == "0" * 9:
        return False
    total = sum(int(d) * w for d, w in zip(digits[:8], range(9, 1, -1), strict=True)) - int(digits[8])
    return total % 11 == 0


class WordLists:
    """deduce's name and place lists, lower-cased, and a Dutch word-frequency list."""

    def __init__(self) -> None:
        import deduce
        from spellchecker import SpellChecker

        base = Path(deduce.__file__).parent / "data" / "lookup" / "src"
        self.first_names = _read_items(base / "names" / "lst_first_name")
        self.surnames = _read_items(base / "names" / "lst_surname") | _read_items(
            base / "names" / "lst_interfix_surname"
        )
        self.places = set()
        for sub in ("lst_residence", "lst_municipality"):
            self.places |= _read_items(base / "locations" / "lst_placename" / sub)
        self.stop_words = _read_items(base / "whitelist" / "lst_stop_word") | {
            "één",  # "Eén krijgt wel een TLV": the numeral with its accent
            "eén",
            "ik",
            "je",
            "jij",
            "hij",
            "zij",
            "ze",
            "we",
            "wij",
            "u",
            "jullie",
            "mijn",
            "zijn",
            "haar",
            "onze",
            "ons",
            "is",
            "was",
            "een",
            "de",
            "het",
            "en",
            "of",
            "maar",
            "dat",
            "die",
            "dit",
            "wat",
            "wie",
            "waar",
            "hoe",
            "op",
            "in",
            "naar",
            "van",
            "met",
            "voor",
            "niet",
            "geen",
            "ook",
            "nog",
            "al",
            "heel",
            "erg",
            "zo",
            "dan",
            "wel",
            "nu",
            "er",
            "hier",
            "daar",
        }
        self.frequency = SpellChecker(language="nl").word_frequency

    def freq(self, word: str) -> int:
        return self.frequency[word.lower()]

    def is_name(self, word: str) -> bool:
        lower = word.lower()
        return lower in self.first_names or lower in self.surnames

    def is_place(self, word: str) -> bool:
        return word.lower() in self.places


def _read_items(folder: Path) -> Set[str]:
    path = folder / "items.txt"
    if not path.exists():
        return set()
    return {line.strip().lower() for line in path.read_text(encoding="utf-8").splitlines() if line.strip()}


class Redactor:
    """Finds personal data in a text and replaces it with typed placeholders. Thread-safe;
    load once per process (deduce needs ~1 s from its cache, ~90 s to build the cache)."""

    def __init__(self, today: Optional[date] = None) -> None:
        from deduce import Deduce

        self._deduce = Deduce(load_base_config=False, config=str(DEDUCE_CONFIG))
        self._lexicon = WordLists()
        self._lock = threading.Lock()
        self._year = (today or clock.today()).year

    # -- public ---------------------------------------------------------------------------------
    def redact(self, text: str) -> str:
        text = unicodedata.normalize("NFKC", text or "")
        return apply(text, self.spans(text))

    def spans(self, text: str) -> List[Span]:
        """Spans of `text` to redact, found in its detection view (same length)."""
        if not text or not text.strip():
            return []
        text = detection_view(text)
        words = _shouting_view(text)  # the words' detectors read capitals as a cue; a shout has none
        protected = [(m.start(), m.end()) for m in _PROTECTED.finditer(text)]
        protected += [(m.start(), m.end()) for m in _BODY_WITH_PLACE.finditer(text)]
        protected += [(m.start(), m.end()) for m in _COUNTRY_OF_WORDS.finditer(text)]
        protected += [(m.start(), m.end()) for m in _COMPASS_PART.finditer(text)]
        protected += [
            (m.start(), m.end())
            for m in _LANGUAGE_WORD.finditer(text)
            if not (
                _NAME_TRIGGER.search(text[max(0, m.start() - 40) : m.start()])
                or _CHILD_BEFORE.search(text[max(0, m.start() - 40) : m.start()])
                or _SURNAME_FOLLOWS.match(text, m.end())  # "Frans de Vries", "Engels Bakker": a person
            )
        ]
        found = self._pattern_spans(text) + self._deduce_spans(words) + self._school_spans(words)
        found += self._name_spans(words) + self._place_spans(words) + self._neighbourhood_spans(words)
        # a number after a number word stays hidden even when it ends in a field term:
        # "dossiernummer ... 23.0917.PO"
        # (a ticket number, "SP-00042", stays as it is)
        kept = [
            s
            for s in found
            if not _overlaps_any(s, protected)
            or (s.kind == "nummer" and not any(a <= s.start and s.end <= b for a, b in protected))
        ]
        numbers = [s for s in kept if s.kind in ("telefoon", "bsn", "iban")]
        identifiers = [  # "+49 151 23456789" holds eight digits that also make a code
            s
            for s in _identifier_spans(words) + self._code_token_spans(text)
            if not (s.kind == "code" and any(n.start <= s.start and s.end <= n.end for n in numbers))
        ]
        kept += [s for s in self._subject_names(words, kept) if not _overlaps_any(s, protected)]
        kept += [s for s in self._listed_areas(text, kept) if not _overlaps_any(s, protected)]
        repeated = [s for s in self._repeated_names(text, kept) if not _overlaps_any(s, protected)]
        kept += [s for s in self._area_after_town(text, kept) if not _overlaps_any(s, protected)]
        kept += [s for s in self._town_beside(text, kept) if not _overlaps_any(s, protected)]
        return _resolve(kept + identifiers + repeated)

    def _town_beside(self, text: str, found: List[Span]) -> List[Span]:
        """A town abroad that no place list holds, known by where it stands: right after an
        address ("Bahnhofstraße 4, Gronau") or beside its country ("in Duitsland (Emmerich)",
        "Kleve, Duitsland")."""
        spans = []
        candidates = [m.start(1) if m.group(1) else m.start(2) for m in _TOWN_BY_COUNTRY.finditer(text)]
        for span in found:
            bracketed = re.match(r"\s*\(\s*(?-i:[A-ZÀ-Ý])[\w'À-ÿ-]+\s*\)", text[span.end :])
            if span.kind in ("wijk", "woonplaats") and bracketed:
                word = _WORD.search(text, span.end)
                if (
                    word
                    and self._rare(word.group())
                    and not is_foreign_word(word.group())
                    and word.group().lower() not in _COUNTRIES
                ):
                    spans.append(Span(word.start(), word.end(), "wijk"))  # "in Zuidoost (Kraaiennest)"
            if span.kind in ("adres", "postcode"):
                after = re.match(r",?[ \t]+(?-i:[A-ZÀ-Ý])", text[span.end :])
                label = re.match(r",?[ \t]+[\w'À-ÿ-]+:", text[span.end :])  # "6441BK Telefoon: ..."
                if after and not label:
                    candidates.append(span.end + after.end() - 1)
        for start in candidates:
            word = _WORD.match(text, start)
            if word is None:
                continue
            name = word.group()
            if (
                name.lower() in _COUNTRIES
                or name.lower() in self._lexicon.stop_words
                or _is_field_term(name)
                or is_foreign_word(name)
                or any(s.start <= start < s.end for s in found)
                or not (self._rare(name) or self._lexicon.is_place(name))
            ):
                continue
            spans.append(Span(start, word.end(), "woonplaats"))
        return spans

    def _area_after_town(self, text: str, found: List[Span]) -> List[Span]:
        """A capitalised word Dutch does not know right after a town is the neighbourhood in it:
        "wij wonen in Emmen, Angelslo", "Amsterdam Nieuw-West", "Groningen, Paddepoel"."""
        spans = []
        for span in found:
            if span.kind != "woonplaats":
                continue
            before = _AREA_BEFORE_TOWN.search(text[: span.start])
            if before:  # "Transvaal, Den Haag. Mijn zoon ...": the neighbourhood, then its town
                word = before.group(1)
                if not (self._no_area_name(word) or word.lower() in _SIGN_OFF_WORDS or not self._rare(word)):
                    spans.append(Span(before.start(1), before.end(1), "wijk"))
            after = re.match(  # within the line: "Garderen\nHulpvraag:" is the next label
                r"(?:,[ \t]*|[ \t]+)"
                r"((?:Oud|Nieuw|Noord|Zuid|Oost|West)-[A-ZÀ-Ý][\w'À-ÿ-]*|[A-ZÀ-Ý][\w'À-ÿ-]{3,})",
                text[span.end :],
            )
            if not after:
                continue
            word = after.group(1)
            if (
                self._no_area_name(word)
                or word.lower() in _GENERIC_SCHOOL_WORDS
                or not (self._rare(word) or "-" in word)
            ):
                continue
            start = span.end + after.start(1)
            spans.append(Span(start, start + len(word), "wijk"))
        return spans

    def _no_area_name(self, word: str) -> bool:
        """Words beside a town that name no part of it: stop words, words of other languages,
        field terms and words for an area ("centrum", "buitengebied")."""
        return (
            word.lower() in self._lexicon.stop_words
            or is_foreign_word(word)
            or _is_field_term(word)
            or word.lower() in _AREA_WORDS
        )

    def _subject_names(self, text: str, found: List[Span]) -> List[Span]:
        """A capitalised word Dutch does not know at all, as the subject of a verb ("Bartek heeft
        autisme", "Tot vorige week zat Oleksandr op ..."): a person, unless it is a place, a
        field term, a brand ("PlayStation") or a word of another language."""
        spans = []
        for match in _SUBJECT_NAME.finditer(text):
            group = 1 if match.group(1) else 2
            word = match.group(group)
            if (
                self._lexicon.freq(word) > 0
                or word.lower() in self._lexicon.stop_words  # "Eén krijgt wel een TLV"
                or self._compound(word)
                or self._lexicon.is_place(word)
                or word.lower() in _COUNTRIES
                or _is_field_term(word)
                or _INNER_CAPITAL.search(word)
                or is_foreign_word(word)
                or _LANGUAGE_NAMES.fullmatch(word)
                or _NATIONALITY_ADJECTIVE.fullmatch(word.lower())
                or any(s.start <= match.start(group) < s.end for s in found)
            ):
                continue
            spans.append(Span(match.start(group), match.end(group), "naam"))
        return spans

    def _compound(self, word: str) -> bool:
        """ "Ticketnummer", "Zorgmail": a known word of three letters or more, then a common word
        of five or more."""
        lower = word.lower()
        return any(
            self._lexicon.freq(lower[:cut]) > 0 and self._lexicon.freq(lower[cut:]) >= _COMMON_WORD_FREQUENCY
            for cut in range(3, len(lower) - 4)
        )

    def _listed_areas(self, text: str, found: List[Span]) -> List[Span]:
        """ "vooral in Overvecht en Transvaal": a capitalised word Dutch does not know, joined by
        "en"/"of" to a neighbourhood or town found, is one too."""
        spans = []
        for span in found:
            if span.kind not in ("wijk", "woonplaats"):
                continue
            joined = _AND_CAPITALISED.match(text, span.end)
            if (
                joined
                and self._rare(joined.group(1))
                and not (
                    joined.group(1).lower() in _COUNTRIES
                    or _is_field_term(joined.group(1))
                    or is_foreign_word(joined.group(1))
                    or _LANGUAGE_NAMES.fullmatch(joined.group(1))
                )
            ):
                kind = "woonplaats" if self._lexicon.is_place(joined.group(1)) else span.kind
                spans.append(Span(joined.start(1), joined.end(1), kind))
        return spans

    def _repeated_names(self, text: str, found: List[Span]) -> List[Span]:
        """A name found once is a name wherever it stands again in the same message: "de vader
        van adam ... school zegt adam moet naar sbo" (the second time without a cue)."""
        words = {
            word.lower()
            for span in found
            if span.kind == "naam"
            for word in _WORD.findall(text[span.start : span.end])
            if len(word) > 2
            and word.lower() not in self._lexicon.stop_words
            and word.lower() not in _INTERFIX
        }
        return [
            Span(m.start(), m.end(), "naam")
            for m in _WORD.finditer(text)
            if m.group().lower() in words and not any(s.start <= m.start() < s.end for s in found)
        ]

    # -- finders -------------------------------------------------------------------------------
    def _pattern_spans(self, text: str) -> List[Span]:
        spans = [Span(m.start(), m.end(), "email") for m in _EMAIL.finditer(text)]
        spans += [Span(m.start(), m.end(), "url") for m in _URL.finditer(text)]
        spans += [
            Span(m.start(), m.end(), "iban")
            for m in _IBAN.finditer(text)
            if sum(ch.isdigit() for ch in m.group()) >= 10
        ]
        spans += _valid_ibans(text)
        spans += [Span(m.start(), m.end(), "telefoon") for m in _PHONE.finditer(text)]
        spans += [Span(m.start(), m.end(), "telefoon") for m in _SPOKEN_PHONE.finditer(text)]
        for match in _BSN.finditer(text):
            if bsn_valid("".join(ch for ch in match.group() if ch.isdigit())):
                spans.append(Span(match.start(), match.end(), "bsn"))
        spans += [
            Span(m.start(1), m.end(1), "bsn")
            for m in _BSN_AFTER_WORD.finditer(text)
            if not _DAY_MONTH_YEAR.fullmatch(m.group(1))
        ]
        spans += [
            Span(m.start(), m.end(), "bsn")
            for m in _BSN_ANY.finditer(text)
            if bsn_valid("".join(ch for ch in m.group() if ch.isdigit()))
        ]
        for word in _BSN_WORD.finditer(text):
            sentence = re.match(r"[^?!\n]*?(?=[.?!]\s|[?!\n]|$)", text[word.end() :])
            stop = word.end() + (sentence.end() if sentence else 0)
            spans += [
                Span(m.start(), m.end(), "bsn")
                for m in _BSN_LATER.finditer(text, word.end(), stop)
                if not _DAY_MONTH_YEAR.fullmatch(m.group())
            ]
        spans += [
            Span(m.start(), m.end(), "bsn")
            for m in _BSN_GROUPED.finditer(text)
            if not _MONEY_AFTER.match(text, m.end())
        ]
        spans += [
            Span(m.start(), m.end(), "kenteken")
            for m in _PLATE_JOINED.finditer(text)
            if _joined_plate(m.group())
        ]
        spans += [Span(m.start(), m.end(), "kenteken") for m in _PLATE.finditer(text) if _is_plate(m.group())]
        spans += [
            Span(m.start(), m.end(), "kenteken")
            for m in _PLATE_SPACED.finditer(text)
            if _is_plate("-".join(m.groups())) and _takes_turns(m.groups())
        ]
        for match in _PLATE_WORD.finditer(text):
            plate = _plate_after_word(text, match.end())
            if plate:
                spans.append(Span(plate[0], plate[1], "kenteken"))
        for match in _NUMBER_WORD.finditer(text):
            value = _NUMBER_VALUE.match(text, match.end())
            if (
                value
                and sum(ch.isdigit() for ch in value.group(1)) >= 4
                and not re.fullmatch(r"(?:19|20)\d{2}", value.group(1))  # "... zit sinds 2019 op school"
            ):
                spans.append(Span(value.start(1), value.end(1), "nummer"))
        spans += [Span(m.start(), m.end(), "nummer") for m in _HASH_NUMBER.finditer(text)]
        spans += [
            Span(m.start(1), m.end(1), "handle")
            for m in _PLATFORM_HANDLE.finditer(text)
            if re.search(r"[\d_]|\w\.\w", m.group(1))
        ]
        for match in _POSTCODE.finditer(text):
            if self._is_postcode(text, match):
                spans.append(Span(match.start(), match.end(), "postcode"))
        for match in _ADDRESS.finditer(text):
            if _COUNTED.match(text, match.end()):
                continue  # "het schoolplein 2 keer", "de snelweg 40 minuten"
            spans.append(Span(self._street_start(text, match.start(), match.end()), match.end(), "adres"))
        spans += self._house_number_spans(text)
        for match in _DATE.finditer(text):
            if self._is_birth_date(text, match):
                spans.append(Span(match.start(), match.end(), "geboortedatum"))
        return spans

    def _code_token_spans(self, text: str) -> List[Span]:
        """Handed-out codes and case numbers (`_CODE_TOKEN`); after a number word ("dossiernummer
        ... SWV-24-00817") they count as that number. Also the value after a code word
        ("verificatiecode 771 302", "inlogcode van magister is jdr9x4k"). Never held back by a
        field term inside ("kenmerk SWV/2026/0412")."""
        spans = []
        for match in _CODE_TOKEN.finditer(text):
            if _code_kind(match.group()) is None:
                continue
            before = text[max(0, match.start() - 60) : match.start()]
            numbered = re.search(r"(?:nummer|\bnr\.?|\bkenmerk)\b[^.?!]*$", before, re.IGNORECASE)
            kind = "nummer" if numbered else "code"
            spans.append(Span(match.start(), match.end(), kind))
        for m in _CODE_WORD_VALUE.finditer(text):
            start = m.start(1)
            prefix = re.search(r"(?<![\w-])([a-z]{1,3})\s+$", text[max(0, start - 5) : start], re.IGNORECASE)
            if (
                prefix
                and prefix.group(1).lower() not in self._lexicon.stop_words
                and self._rare(prefix.group(1))
            ):
                start -= len(prefix.group(0))  # "jongerencode: jc 81 44 27": the letters belong to it
            spans.append(Span(start, m.end(1), "code"))
        spans += [Span(m.start(1), m.end(1), "code") for m in _CODE_NEXT_SENTENCE.finditer(text)]
        # "KC 7731 0924", "AB 12 34 56": capitals and two or more groups of digits, no years
        spans += [Span(m.start(), m.end(), "code") for m in _LETTERS_THEN_DIGIT_GROUPS.finditer(text)]
        spans += [
            Span(m.start(1), m.end(1), "code")
            for m in _PIN_VALUE.finditer(text)
            if not _MONEY_AFTER.match(text, m.end(1))  # "via pin betaald, 1500 euro"
        ]
        return spans

    def _is_postcode(self, text: str, match: re.Match) -> bool:
        """ "3911xs", "1054 HW": a postcode. Not "in 2024 en", "2024 ve 2025", "2023 do 2025",
        "in 2024 my son": a year or a count and a word, of Dutch or another language. A year
        followed by two lower-case letters ("2012 ab") is a postcode only next to an address or
        a place ("2012 ab haarlem")."""
        letters = match.group()[-2:]
        if letters.isupper():
            return True
        if _HOUSE_NUMBER_BEFORE.search(text[max(0, match.start() - 40) : match.start()]):
            return True  # "op Dorpsstraat 4, 1441 am purmerend": after an address
        if letters.lower() in _POSTCODE_WORDS or is_foreign_word(letters):
            return False
        if not (1900 <= int(match.group()[:4]) <= 2099) or " " not in match.group():
            return True
        # a year and two letters before a place ("2012 ab haarlem"); after an address: see above
        after = re.match(r"[\s,]+([\w'À-ÿ-]+(?:[\s-]+[\w'À-ÿ-]+)?)", text[match.end() : match.end() + 40])
        return after is not None and (
            self._lexicon.is_place(after.group(1)) or self._lexicon.is_place(after.group(1).split()[0])
        )

    def _street_start(self, text: str, start: int, end: int) -> int:
        """Where a street's name starts, without the words the pattern took in front of it
        ("is op het schoolplein" -> "het schoolplein", "aan de Kerkweg" -> "de Kerkweg")."""
        words = list(_STREET_WORD.finditer(text, start, end))
        for index in range(len(words) - 2, -1, -1):  # "stuur de folder naar Kerkstraat 7"
            if words[index].group().lower() in ("naar", "op", "via", "adres", "adres:"):
                words = words[index + 1 :]
                break
        for word in words:
            lower = word.group().lower()
            if lower in _STREET_INNER_WORDS or lower not in self._lexicon.stop_words:
                return word.start()
        return start

    def _house_number_spans(self, text: str) -> List[Span]:
        """Streets whose name has no street word ("de brink 14b", "Overtoom 301-3hs", "rokin 45
        hs", "achter de hoven 23a", "Korte Poten 9a"): the words before a house number are an
        address when an address is announced ("wonen op", "adres:", "post naar"), when a postcode
        follows, or when the number has an addition and the name is capitalised."""
        spans = []
        for number in _HOUSE_NUMBER.finditer(text):
            if _COUNTED.match(text, number.end()) or _MONTH_AFTER.match(text, number.end()):
                continue
            if text[number.end() : number.end() + 1] == ":":
                continue  # "Intake 18-03: moeder belt": a label's date, no house number
            if re.fullmatch(r"(?:19[5-9]|20[0-9])\d", number.group()) and not _POSTCODE.match(
                text, number.end() + 1
            ):
                continue  # "begint in regio noord 2026": a year
            words = self._street_words_before(text, number.start())
            if not words:
                continue
            start = words[0][0]
            clause = re.split(r"[.!?;\n]", text[max(0, start - 40) : start])[-1]
            announced = bool(_ADDRESS_CONTEXT.search(clause))
            rest = text[number.end() :]
            postcode_after = bool(_POSTCODE.match(text, number.end() + len(rest) - len(rest.lstrip(" ,"))))
            addition = not number.group().isdigit()
            capitalised = words[-1][2][0].isupper() and not words[-1][2].isupper()
            if announced or postcode_after:
                spans.append(Span(start, number.end(), "adres"))
            elif addition and capitalised:  # "Korte Poten 9a": from the first capital on
                first = next(w for w in words if w[2][0].isupper())
                spans.append(Span(first[0], number.end(), "adres"))
        return spans

    def _street_words_before(self, text: str, position: int) -> List[Tuple[int, int, str]]:
        """Up to four words right before a house number that can make a street's name
        (start, end, word): none when the last is a stop word ("al 10", "sinds 2019"), a month,
        a field term or a very common word; leading stop words and "adres:" left out."""
        words: List[Tuple[int, int, str]] = []
        end = position
        while len(words) < 4:
            base = max(0, end - 40)
            match = _WORD_THEN_SPACE.search(text, base, end)
            if not match:
                break
            words.insert(0, (match.start(1), match.end(1), match.group(1)))
            end = match.start(1)
        if not words:
            return []
        last = words[-1][2].lower().rstrip(".")
        if (
            last in self._lexicon.stop_words
            or last in _STREET_INNER_WORDS
            or re.fullmatch(_MONTHS, last, re.IGNORECASE)
            or _is_field_term(last)
            or last in _GENERIC_SCHOOL_WORDS
            or is_foreign_word(last)
            or self._lexicon.freq(last) >= _VERY_COMMON_WORD_FREQUENCY
        ):
            return []
        while words and (
            (
                words[0][2].lower() in self._lexicon.stop_words
                and words[0][2].lower() not in _STREET_INNER_WORDS
            )
            or _ADDRESS_CONTEXT.fullmatch(words[0][2].rstrip(":"))
        ):
            words.pop(0)
        cut = [
            i
            for i, word in enumerate(words)
            if word[2].lower() in _BEFORE_STREET
            or word[2].endswith(":")
            or (
                word[2].endswith(".") and len(word[2]) > 5
            )  # "i.v.m. migraine. Huisadres ...": a sentence's end
        ]
        if cut:
            words = words[cut[-1] + 1 :]
        while words and words[0][2].lower() in _STREET_INNER_WORDS and len(words) == 1:
            words.pop(0)
        return words

    def _is_birth_date(self, text: str, match: re.Match) -> bool:
        """A date is a date of birth when it says so, or when its year lies years back
        (meetings and deadlines that people mention are this year or next)."""
        if _BIRTH_CONTEXT.search(text[max(0, match.start() - 30) : match.start()]):
            return True
        if _NOT_BIRTH_BEFORE.search(text[max(0, match.start() - 15) : match.start()]):
            return False  # "de wet geldt sinds 1 augustus 2014": a date things start or end
        years = re.findall(r"(?:19|20)\d{2}", match.group())
        if years:
            return int(years[-1]) <= self._year - _BIRTH_YEARS_BACK
        short = _SHORT_YEAR.search(match.group())
        if short is None:
            return False
        year = 2000 + int(short.group(1))
        if year > self._year:  # "3-4-'98" is 1998, not 2098
            year -= 100
        return year <= self._year - _BIRTH_YEARS_BACK

    def _deduce_spans(self, text: str) -> List[Span]:
        with self._lock:
            document = self._deduce.deidentify(text)
        spans = []
        for annotation in document.annotations:
            kind = _deduce_kind(annotation.tag, annotation.text)
            if kind == "naam" and self._no_name_after_all(text, annotation.start_char, annotation.text):
                continue
            if kind in ("naam", "woonplaats") and annotation.text.strip().lower() in _COUNTRIES:
                continue  # "in Zeeland", "allowed in Holland": a province or a country
            if (
                kind == "woonplaats"
                and all(
                    self._lexicon.freq(w) >= _VERY_COMMON_WORD_FREQUENCY
                    for w in _WORD.findall(annotation.text)
                )
                and not _PLACE_TRIGGER.search(
                    text[max(0, annotation.start_char - 25) : annotation.start_char]
                )
            ):
                continue  # "Best lastig allemaal", "De bus stopt": words, not the village
            street = _WORD.match(annotation.text)
            if (
                kind == "adres"
                and street
                and self._lexicon.freq(street.group()) >= _COMMON_WORD_FREQUENCY
                and not re.search(_STREET_SUFFIX + "$", street.group(), re.IGNORECASE)
            ):
                continue  # "Wachtlijst 9 maanden": a common word and a number, no street
            start = annotation.start_char
            if kind == "naam":  # "meneer Hoekstra": the title stays, as in _TITLED_SURNAME
                title = _LEADING_TITLE.match(annotation.text)
                if title and title.end() < len(annotation.text):
                    start += title.end()
            if kind:
                spans.append(Span(start, annotation.end_char, kind))
        return spans

    def _no_name_after_all(self, text: str, start: int, found: str) -> bool:
        """deduce takes a capitalised word from its name list for a name; not when every word
        is a common word of another language, a greeting or a very common Dutch word and no
        name cue stands before it: "My son ...", "Nan ta bisa ...", "Bon tardi", "Fijne avond",
        "Mein Mann arbeitet", "Oud en Nieuw". After "ik heet", "mijn dochter" it stays a name."""
        before = text[max(0, start - 40) : start]
        if _CLASS_NAME_BEFORE.search(before):
            return True  # "zit in groep Roos": a class's name
        if re.match(r"[A-Z]\s", found) and re.search(r"\b(?:een|geen|die|de)\s+$", before, re.IGNORECASE):
            return True  # "hij scoorde een E op de Cito": a grade, not an initial
        if _LANGUAGE_NAMES.fullmatch(found) and not (
            _STRONG_NAME_TRIGGER.search(before)
            or _CHILD_BEFORE.search(before)
            or _TITLE_BEFORE.search(before)
        ):
            return True  # "een school met Spaans als keuzevak"; not "ik heet Frans", "meneer Engels"
        if (
            _NAME_TRIGGER.search(before)
            or _CHILD_BEFORE.search(before)
            or FOREIGN_CHILD_BEFORE.search(before)
        ):
            return False
        words = _WORD.findall(found)
        if not words:
            return False
        if (
            not text[:start].strip()
            and len(words) == 1
            and is_foreign_word(words[0])
            and re.match(r"[,!]", text[start + len(found) :])
        ):
            return True  # "Haye, ik ben ...", "Selam, ...": a greeting of another language opens
        if all(
            w.lower() in _SIGN_OFF_WORDS or self._lexicon.freq(w) >= _VERY_COMMON_WORD_FREQUENCY
            for w in words
        ):
            return True  # "Fijne avond", "Oud en Nieuw", "Groet"
        if self._word_opening_sentence(text, start, found):
            return True  # "Storm in een glas water", "Roos en bloemen"
        if len(words) > 1 and (
            words[-1].lower() in _COUNTRIES and words[0].lower() in ("van", "uit", "naar")
        ):
            return True  # "wij komen van Polen": a country, not the surname "van Polen"
        if len(words) > 1 and all(is_foreign_word(w) for w in words):
            return True  # "Mein Handy: +49 ...", "my Dutch": words of another language
        # "Ana ma fahimt", "My son", "Nan ta bisa": a word of another language in a clause of that
        # language; "Ana zit in groep 5" keeps Ana a name
        if not all(is_foreign_word(w) for w in words):
            return False
        if self._other_language_sentence(text, start):
            return True  # "She started school here in May": a sentence of the other language
        if len(words) == 1 and is_foreign_word(words[0]) and _KIN_AFTER.match(text, start + len(found)):
            return True  # "Mien dochter Femke": a possessive of a dialect or language before a kin word
        following = re.match(r"\s+([\w'À-ÿ-]+)", text[start + len(found) :])
        return following is not None and is_foreign_word(following.group(1))

    def _other_language_sentence(self, text: str, position: int) -> bool:
        """The sentence around `position` holds three words or more of another language that
        Dutch does not have ("She started school here in May", "Hoe sit it mei ... yn it Frysk"):
        there a word of that language is read as one, not as a name or a place."""
        sentence = _sentence_around(text, position)
        return sum(1 for w in _WORD.findall(sentence) if is_foreign_word(w) and self._rare(w)) >= 3

    def _dutch_sentence(self, text: str, position: int) -> bool:
        """At least half the words of the sentence around `position` are common Dutch words (or
        it is too short to tell). A sentence in Urdu, Bulgarian or a dialect written in Latin
        letters has most of its words unknown to Dutch, whatever the lists of other languages
        hold."""
        words = [w for w in _WORD.findall(_sentence_around(text, position)) if w.isalpha()]
        if len(words) < 5:
            return True
        dutch = sum(
            1
            for w in words
            if self._lexicon.freq(w) >= _COMMON_WORD_FREQUENCY or w.lower() in self._lexicon.stop_words
        )
        return dutch * 2 >= len(words)

    def _word_opening_sentence(self, text: str, start: int, found: str) -> bool:
        """A common Dutch word that opens a sentence has its capital from there, not from being
        a name; when a preposition or "en" + a lower-case word follows, it is no subject either:
        "Storm in een glas water", "Roos en bloemen". ("Roos zit in groep 5"
        and "Frank en Mirjam" stay names.)"""
        if " " in found.strip() or not (start == 0 or re.search(r"[.!?\n]\s*$", text[:start])):
            return False
        if found.lower() in ("winter", "zomer", "lente", "herfst"):
            return True  # "Winter is voor mijn zoon altijd zwaar": the season
        if self._lexicon.freq(found) < _SENTENCE_WORD_FREQUENCY:
            return False
        following = re.match(r"\s+(?:(en|of)\s+)?([\w'À-ÿ-]+)", text[start + len(found) :])
        if following is None:
            return False
        word = following.group(2)
        if following.group(1):
            return word.islower()
        return word.lower() in _PREPOSITIONS

    def _name_spans(self, text: str) -> List[Span]:
        lexicon, spans = self._lexicon, []
        words = list(_WORD.finditer(text))
        for index, match in enumerate(words):
            word = match.group()
            lower = word.lower()
            if len(word) < 2 or not re.search(r"[^\W\d_]", word):
                continue
            if lower in _TITLE_WORDS and text[match.end() : match.end() + 1] in (".", " "):
                continue  # "mijn mentor heet dhr. oosterhuis": the surname follows the title
            if lower in _SIGN_OFF_WORDS:
                continue  # "Bedankt. Fijne avond", "Bedankt! Groet, Wim": greetings, not names
            if (
                re.search(r"(?:^|\n)[ \t]*$", text[: match.start()])
                and text[match.end() : match.end() + 1] == ":"
            ):
                continue  # "Naam leerling:\nGroep: 7": a form's label at the start of a line
            before = text[max(0, match.start() - 40) : match.start()]
            following = words[index + 1].group() if index + 1 < len(words) else ""
            if lower in lexicon.stop_words and word[0].isupper() and re.search(r"\bheet\s+$", before):
                pass  # "mijn zoon heet Ben": a name that is also a word
            elif lower in lexicon.stop_words and not (
                word[0].isupper()
                and following[:1].isupper()
                and lexicon.is_name(following)
                and following.lower() not in lexicon.stop_words
                and _NAME_TRIGGER.search(before)
                and re.search(r"\b(?:gr|groet|groeten|groetjes|mvg|liefs)\W*$", before, re.IGNORECASE)
            ):
                continue  # but "gr. Wil Koning": a first name that is also a word, then a surname
            strong = bool(_STRONG_NAME_TRIGGER.search(before))
            if lower in ("jo", "yo") and not strong:
                continue  # "jo jullie zijn op insta?": a youth's greeting ("ik heet jo" stays a name)
            if word.isupper() and len(word) <= 5 and not _NAME_TRIGGER.search(before):
                continue  # "wat is nou IB, AB, ZOCO??": abbreviations, unless a name stands there
            if is_foreign_word(word) and not (
                strong or _CHILD_BEFORE.search(before) or (word[0].isupper() and _KIN_BEFORE.search(before))
            ):
                continue  # "well, can someone", "bon dia", "po polsku": not after "ik heet"
            in_name_place = bool(_NAME_TRIGGER.search(before)) and not _RELATION_THEN_STOP.search(before)
            if (
                not in_name_place
                and _ROLE_BEFORE.search(before)
                and word[:1].isupper()
                and not word.isupper()
                and (lexicon.is_name(word) or self._rare(word))
            ):
                in_name_place = True  # "jeugdarts Chidinma Okafor"
            frequency = lexicon.freq(word)
            named = lexicon.is_name(word)
            if in_name_place and not strong:
                if word.islower() and (
                    self._verb_form(lower)
                    or (lower.endswith("en") and frequency >= _VERY_COMMON_WORD_FREQUENCY)
                    # "met zon of regen": after a weak cue a common word in lower case stays
                    or (
                        frequency >= _COMMON_WORD_FREQUENCY
                        and (lower not in lexicon.first_names or _PREDICATE_BEFORE.search(before))
                        and not _CHILD_BEFORE.search(before)
                    )
                ):
                    in_name_place = False  # "de begeleider rijdt", "berichten van de juf komen"
                elif (
                    re.search(
                        r"\b(?:heer|mevrouw|meneer|mevr|dhr|heren|dames)\.?\s*[,:;]\s*$",
                        before,
                        re.IGNORECASE,
                    )
                    and frequency >= _COMMON_WORD_FREQUENCY
                ):
                    in_name_place = False  # "Geachte heer/mevrouw, Hierbij ..."
            if word.islower() and _is_field_term(word):
                continue  # "ik ben voogd", "de jeugdarts": a field term in lower case is no name
            if (
                word.islower()
                and lower in _ROLE_WORDS
                and not _NAMING_BEFORE.search(before)
                and not self._after_title_or_name(before)
            ):
                continue  # "mijn man is kok", "hij is molenaar": a trade, not a surname
            if word.islower() and not strong and _DETERMINER_BEFORE.search(before):
                continue  # "er zit weer wat fleur in", "de zon": a noun after an article
            if word.islower() and lexicon.freq(word) > 0 and _ARTICLE_NOUN_BEFORE.search(before):
                continue  # "in de polder", "De pauw is ...": a noun ("meneer de haan" stays)
            if _NATIONALITY_ADJECTIVE.fullmatch(lower) and not strong:
                continue  # "helpen met Nederlandse taal"
            if _NATIONALITY.fullmatch(lower) and not _NAMING_BEFORE.search(before):
                continue  # "Ik ben Pools", "mijn man Turks": where someone comes from, not who
            if _ABBREVIATION_COMPOUND.fullmatch(word):
                continue  # "AVG-vraag", "OPP-gesprek": an abbreviation and a Dutch word
            if word.islower() and not strong and self._infinitive(lower, before):
                continue  # "om in te loggen", "kunt u mij appen": a verb
            if _LANGUAGE_NAMES.fullmatch(word) and not strong and not _CHILD_BEFORE.search(before):
                continue  # "vrijstelling voor duits en frans", "zij spreekt Engels"
            if lower in _COUNTRIES and not strong:
                continue  # "is this allowed in Holland?"
            if _CLASS_NAME_BEFORE.search(before):
                continue  # "zit in groep Roos": a class's name
            if _INNER_CAPITAL.search(word):
                continue  # "PlayStation", "YouTube": a brand
            if word.islower() and _ADJECTIVE_ENDING.search(lower) and re.search(r"\bis\s+$", before):
                continue  # "onze dochter is hoogsensitief": what she is, not who
            if (
                (in_name_place and named and frequency < _VERY_COMMON_WORD_FREQUENCY)
                or self._child_name(word, before)
                or self._foreign_child_name(word, before, text[match.end() : match.end() + 30])
                or (
                    strong
                    and self._rare(word)
                    and lower not in _CHILD_FOLLOWERS  # "mijn zoon is hoogbegaafd"
                    and not _is_field_term(word)
                    and not self._verb_form(lower)  # "zoon is aangemeld"
                    and not self._hyphened_word(lower)  # "ik ben non-binair"
                    and (
                        # "ik ben moe / slechtziend" are no names: after "ik ben" only a word that
                        # Dutch does not know at all ("ik ben dmytro")
                        not before.lower().rstrip().endswith("ik ben") or frequency == 0
                    )
                )
            ):
                pass
            elif in_name_place and word[0].isupper() and (named or frequency < _VERY_COMMON_WORD_FREQUENCY):
                pass  # "gr. Jan", "mevrouw Jansen"; not "mevrouw, Hierbij"
            elif (
                in_name_place
                and word[0].isupper()
                and following[:1].isupper()
                and lexicon.is_name(following)
                and text[match.end() : words[index + 1].start()] == " "
            ):
                pass  # "gr. Wil Koning": a common word, but a first name before a surname
            elif (
                named
                and frequency < _COMMON_WORD_FREQUENCY
                and not lexicon.is_place(word)
                # "Mere bete ko school se teen din ke liye nikaal diya": in a sentence that is not
                # Dutch, a lower-case word with no cue is a word of that language, not a name
                and not (word.islower() and not self._dutch_sentence(text, match.start()))
            ):
                pass
            else:
                continue
            end = match.end()
            for _ in range(3):
                longer = self._extend_surname(text, end)
                if longer == end:
                    break
                end = longer
            spans.append(Span(match.start(), end, "naam"))
        spans += self._signature_spans(text)
        spans += [Span(start, end, "naam") for start, end in script_child_names(text)]  # "ابني محمد"
        # "H.A. (Hans) van Oosten": initials, the name used, then the surname, all one name
        spans += [Span(m.start(), m.end(), "naam") for m in _INITIALS_NICKNAME.finditer(text)]
        # "de leerplichtmeneer heet van der Meer": a surname with its prefix right after "heet"
        spans += [Span(m.start(1), m.end(1), "naam") for m in _NAMED_SURNAME.finditer(text)]
        for pattern, keep_title in ((_TITLED_SURNAME, True), (_INITIALS_SURNAME, False)):
            for match in pattern.finditer(text):
                word = match.group(pattern.groups)
                if (
                    not keep_title
                    and (
                        match.group(1).replace(" ", "").lower() in _ABBREVIATIONS
                        or match.group(2).lower() in _TITLE_WORDS
                        # "t.b.v. vrijstellingsaanvraag": lower-case letters before a word Dutch knows
                        or (
                            match.group(1).islower()
                            and sum(c.isalpha() for c in match.group(1)) > 2  # not "j.w. de vries"
                            and word.islower()
                            and not lexicon.is_name(word)
                            and (lexicon.freq(word) > 0 or _is_field_term(word) or self._compound(word))
                        )
                        # "vrijstelling 5 onder a. Geldt ...": an item of a list, not an initial
                        or re.search(
                            r"\b(?:onder|sub|lid|punt|letter|bijlage|optie|variant)\s+$",
                            text[: match.start()],
                        )
                    )
                ):
                    continue  # "t.a.v. fam. de boer": the surname is found after "fam."
                if (
                    word.lower() in lexicon.stop_words
                    or word.lower() in _TITLE_WORDS
                    or (is_foreign_word(word) and not word[0].isupper())
                    or (  # "berichten van de juf komen altijd te laat": a verb after the title
                        match.group(pattern.groups - 1) == word  # not "meneer de groot"
                        and word.islower()
                        and lexicon.freq(word) >= _VERY_COMMON_WORD_FREQUENCY
                        and word not in lexicon.first_names
                    )
                    or not (word[0].isupper() or lexicon.is_name(word) or self._rare(word))
                    or (  # "De juf kent ons kind", "meester vindt het goed"; "juf kort zegt" stays
                        word.islower()
                        and self._verb_form(word)
                        and _VERB_OBJECT_AFTER.match(text, match.end(pattern.groups))
                    )
                    or (  # "de juf zee dat ...", "meester zeet da ...": a verb of saying, any spelling
                        word.islower()
                        and not lexicon.is_name(word)  # "juf bakker dat is ..." stays a name
                        and re.match(r"[ \t]+(?:dat|da)\b", text[match.end(pattern.groups) :])
                    )
                ):
                    continue
                start = match.start(1) if keep_title else match.start()
                spans.append(Span(start, self._extend_surname(text, match.end(pattern.groups - 1)), "naam"))
        return spans

    def _signature_spans(self, text: str) -> List[Span]:
        """One to three name words alone at the end, after a sentence ("... groet, wilma",
        "... telefoon 06... olena kovalenko"), also before "Verzonden vanaf mijn iPhone"."""
        lexicon = self._lexicon
        sent = _SENT_FROM.search(text)
        body = text[: sent.start()] if sent else text
        signed = _SIGN_OFF.search(body)
        if not signed or re.search(r"(?<![\w.])(?:[^\W\d_]\.){2,}$", body[: signed.start() + 1]):
            return []  # "jeugdhulp i.v.m. schoolweigering.": an abbreviation's dot ends no sentence
        names = signed.group(1).split()
        greeted = bool(_GREETING_BEFORE.search(body[: signed.start(1)]))
        if (
            any(
                w.lower() in _SIGN_OFF_WORDS
                or _is_field_term(w)  # "..., uitstroomprofiel vervolgonderwijs"
                or (w.islower() and w.lower() in _ROLE_WORDS)  # "..., Priya Raghunathan, tolk"
                or _ABBREVIATION_COMPOUND.fullmatch(w)  # "... zonder toestemming? AVG-vraag."
                or w.lower() in _CHILD_FOLLOWERS  # "..., 15 jaar, thuiszitter"
                or _LANGUAGE_NAMES.fullmatch(w)
                or (w.islower() and _CYRILLIC.search(w))  # "..., він має аутизм."
                or (is_foreign_word(w) and not (greeted and w.lower() in lexicon.first_names))
                for w in names
            )
            or not all(w.lower() in _INTERFIX or lexicon.is_name(w) or self._rare(w) for w in names)
            or lexicon.is_place(signed.group(1))
        ):
            return []
        if lexicon.is_name(names[0]) or self._rare(names[0]):
            return [Span(signed.start(1), signed.end(1), "naam")]
        return []

    def _foreign_child_name(self, word: str, before: str, after: str) -> bool:
        """ "my son arjun", "mój syn szymon", "mi yu hòmber jurgen", "ibni yassine": after a
        kinship word of another language, a first name from the lists; or a word rare in Dutch
        that ends where a name ends, before a common word, a bracket or a comma ("mój syn
        szymon ma", "mij syn bohdan (12)"). Not a common word of those languages ("my son is",
        "mój syn ma"), nor a verb ("my daughter loves school", "oğlum okula gitmiyor")."""
        if not FOREIGN_CHILD_BEFORE.search(before) or is_foreign_word(word) or _is_field_term(word):
            return False
        if _CYRILLIC.search(word):
            return word[0].isupper()  # "Моя донька Софія"; not "моя донька має дислексію"
        lower = word.lower()
        if lower in _CHILD_FOLLOWERS or not self._rare(word) or self._verb_form(lower):
            return False
        if lower in self._lexicon.first_names:
            return True
        if re.search(r"(?:s|ed|ing)$", lower):
            return False  # "loves", "started", "going"
        following = re.match(r"\s*([\w'À-ÿ-]+)", after)

        def ends_a_name(match: Optional[re.Match]) -> bool:
            return (
                not match
                or is_foreign_word(match.group(1))
                or (match.group(1).lower() in self._lexicon.stop_words)
                or match.group(1).isdigit()  # "my son dmytro 13 years"
            )

        if following is None or ends_a_name(following):
            return True
        second = following.group(1)
        if word[0].isupper() and second[0].isupper():
            return True  # "mój syn Kacper Nowak"
        # "syn maksym kovalenko 11 rokiv", "mi yu muhé shanaira martina ta": a first name and a
        # surname, both rare in Dutch, before what ends a name
        return (
            self._rare(second)
            and not self._verb_form(second.lower())
            and ends_a_name(re.match(r"\s*([\w'À-ÿ-]+)", after[following.end() :]))
        )

    def _after_title_or_name(self, before: str) -> bool:
        """ "juf bakker", "jan visser": a title, or a first name that is no common word, right
        before; then a trade's word is a surname."""
        if _TITLE_BEFORE.search(before):
            return True
        previous = re.search(r"([\w'À-ÿ-]+)\s+$", before)
        if not previous:
            return False
        word = previous.group(1)
        return (
            (word[0].isupper() or word.lower() in self._lexicon.first_names)
            and word.lower() not in self._lexicon.stop_words
            and self._lexicon.is_name(word)
            and self._lexicon.freq(word) < _COMMON_WORD_FREQUENCY
        )

    def _child_name(self, word: str, before: str) -> bool:
        """Right after "mijn zoon/dochter/broertje ..." or "de vader van": a word Dutch does not
        know, or a first name from the lists ("de vader van adam"), that is no usual follower
        there, no verb form ("stottert") and no field term, is a name."""
        lower = word.lower()
        if (
            lower in self._lexicon.first_names
            and self._lexicon.freq(lower) < 5000  # "roos", "bloem"; not "erin", "storm"
            and lower not in _CHILD_FOLLOWERS
            and lower not in self._lexicon.stop_words
            and not _is_field_term(word)
            and _CHILD_BEFORE.search(before)
            and not self._verb_form(lower)
        ):
            return True
        if lower in _CHILD_FOLLOWERS or not self._rare(word) or _is_field_term(word):
            return False
        if not _CHILD_BEFORE.search(before):
            return False
        prefixed = _SEPARABLE_STEM.fullmatch(lower)
        if prefixed and not self._lexicon.is_name(lower) and self._common_verb_stem(prefixed.group(1)):
            return False  # "als ik mijn kind aanmeld", "voordat ik mijn zoon inschrijf"
        return not self._verb_form(lower)

    def _verb_form(self, lower: str) -> bool:
        """ "stottert", "spijbelt", "gepest": a Dutch verb whose infinitive or stem is common."""
        if len(lower) > 4 and lower.startswith("ge") and lower[-1] in "dt":
            return True
        if (
            len(lower) > 5
            and lower.startswith("ge")
            and lower.endswith("e")
            and self._lexicon.freq(lower + "n") > 0
        ):
            return True  # "gekrege", "gedaone": a participle as the south writes it, without -n
        if _PARTICIPLE.fullmatch(lower) and lower not in self._lexicon.first_names:
            return True  # "aangemeld", "doorverwezen", "uitgeschreven"
        separable = _SEPARABLE_INFINITIVE.fullmatch(lower)
        if separable and self._lexicon.freq(separable.group(1)) >= _COMMON_WORD_FREQUENCY:
            return True  # "mijn kind terugplaatsen", "zijn dossier doorsturen"
        if not lower.endswith("t") or len(lower) < 4:
            return False
        if lower.endswith(("eert", "iert")) and len(lower) > 6:  # "hyperventileert"
            return True
        stem = lower[:-1]
        # "leert" -> "leren": a doubled vowel is single before -en
        short = stem[:-2] + stem[-1] if len(stem) > 2 and stem[-2] == stem[-3] else stem
        # "overstapt" -> "overstappen": after a single short vowel the consonant doubles
        doubled = (
            stem + stem[-1]
            if len(stem) > 2 and stem[-1] not in "aeiouyj" and stem[-2] in "aeiou" and stem[-3] not in "aeiou"
            else stem
        )
        forms = (stem, stem + "en", short + "en", doubled + "en")
        return any(self._lexicon.freq(form) >= _COMMON_WORD_FREQUENCY for form in forms)

    def _hyphened_word(self, lower: str) -> bool:
        """ "non-binair", "anti-pest": a word with a hyphen whose last part Dutch knows and no
        first name is ("anne-sophie", "jean-pierre" stay names)."""
        parts = lower.split("-")
        return (
            len(parts) > 1
            and self._lexicon.freq(parts[-1]) > 0
            and parts[-1] not in self._lexicon.first_names
            and not any(part in self._lexicon.first_names for part in parts[:-1])
        )

    def _common_verb_stem(self, stem: str) -> bool:
        """ "meld" (melden), "schrijf" (schrijven), "haal" (halen), "verwijs" (verwijzen): the stem
        of a common Dutch verb."""
        if len(stem) < 3:
            return False
        soft = stem[:-1] + {"f": "v", "s": "z"}.get(stem[-1], stem[-1])
        short = (
            stem[:-2] + stem[-1] if len(stem) > 3 and stem[-2] == stem[-3] and stem[-2] in "aeou" else stem
        )
        forms = {stem + "en", soft + "en", short + "en", short[:-1] + soft[-1] + "en"}
        return any(self._lexicon.freq(form) >= _COMMON_WORD_FREQUENCY for form in forms)

    def _rare(self, word: str) -> bool:
        """Not a Dutch word as far as the frequency list knows: likely a name."""
        return word.replace("-", "").isalpha() and self._lexicon.freq(word) < _COMMON_WORD_FREQUENCY

    def _extend_surname(self, text: str, end: int) -> int:
        """'jan de boer', 'Marieke de Jong': a name followed by interfix + name-like word."""
        rest = text[end : end + 30]
        for pattern in _INTERFIX_THEN_WORD:
            match = pattern.match(rest)
            surname = match.group(1) if match else ""
            if match and _PROTECTED.match(rest, match.start(1)):
                continue  # "juf anneke van groep 5": a field term, no surname
            if match and surname.lower() in _INTERFIX:
                continue  # "meneer Visser van de leerplicht": "de" opens the longer prefix that failed
            if match and (
                self._lexicon.is_name(surname)
                or surname[0].isupper()
                or (
                    self._rare(surname)
                    and not _is_field_term(surname)
                    and not is_foreign_word(surname)
                    and surname.lower() not in _GENERIC_SCHOOL_WORDS
                )
            ):
                return end + match.end()
        patronymic = re.match(r"\s+(?:ben|bin|ibn|bint)\s+(?-i:[A-ZÀ-Ý][\w'À-ÿ-]+)", rest, re.IGNORECASE)
        if patronymic:
            return end + patronymic.end()  # "Ilias ben Haddou" (not "ik ben Sem": no name before)
        match = _SPACE_THEN_WORD.match(rest)
        if match:
            word = match.group(1)
            lexicon = self._lexicon
            rare = self._rare(word)
            if (
                word.lower() not in lexicon.stop_words
                and word.lower() not in _CHILD_FOLLOWERS  # "jo mn discord": "mn" is "mijn"
                and not (word.islower() and self._verb_form(word))  # "juf Gerda vastgepakt"
                and not (is_foreign_word(word) and word.islower())  # "can someone", "ama bir"
                and (rare or (lexicon.is_name(word) and (word[0].isupper() or lexicon.freq(word) < 5000)))
            ):
                return end + match.end()
        return end

    def _place_spans(self, text: str) -> List[Span]:
        """Places from deduce's list in any case ("zwolle", "wijk bij duurstede"); a place
        that is also a common word ("best", "ede") only after "in", "uit", "naar" ..."""
        lexicon, spans = self._lexicon, []
        words = list(re.finditer(r"(?:'s-)?[\w'À-ÿ-]+", text))
        for index, first in enumerate(words):
            for size in (3, 2, 1):
                if index + size > len(words):
                    continue
                last = words[index + size - 1]
                candidate = text[first.start() : last.end()]
                district = _DISTRICT_SUFFIX.search(candidate) if size == 1 else None
                if district and lexicon.is_place(candidate[: district.start()]):
                    spans.append(Span(first.start(), last.end(), "woonplaats"))  # "Rotterdam-Zuid"
                    break
                if not lexicon.is_place(re.sub(r"\s+", " ", candidate)) or candidate.lower() in _COUNTRIES:
                    continue
                if (
                    size > 1
                    and first.group().lower() in ("de", "het")
                    and not last.group()[0].isupper()
                    and not self._rare(last.group())
                ):  # "in de wijk", "de bus", "de buurt": words, though De Wijk is a village too
                    continue
                after_trigger = bool(_PLACE_TRIGGER.search(text[max(0, first.start() - 25) : first.start()]))
                if (
                    after_trigger
                    and candidate.islower()
                    and re.search(r"\bte\s+$", text[max(0, first.start() - 5) : first.start()], re.IGNORECASE)
                    and lexicon.freq(candidate) >= _COMMON_WORD_FREQUENCY
                ):
                    continue  # "dat is te duur", "te laat": "te" before a word, not "geboren te Ede"
                if (
                    size == 1
                    and candidate.islower()
                    and not after_trigger
                    and (
                        is_foreign_word(candidate)
                        or self._infinitive(candidate, text[: first.start()])
                        or candidate in _CHAT_VERBS
                    )
                ):
                    continue  # "well, can", "he goes", "my son"; "als jullie me willen appen"
                if (
                    size == 1
                    and is_foreign_word(candidate)
                    and self._other_language_sentence(text, first.start())
                ):
                    continue  # "as in bern yn it Frysk les hat": Frisian for a child, not Bern
                frequency = lexicon.freq(candidate)
                if frequency < _COMMON_WORD_FREQUENCY or (
                    after_trigger and frequency < _VERY_COMMON_WORD_FREQUENCY
                ):
                    start = first.start()
                    den = re.search(r"\b(?:den|'s)\s+$", text[max(0, start - 5) : start], re.IGNORECASE)
                    if den:
                        start -= len(den.group())  # "in den bosch": the whole name
                    spans.append(Span(start, last.end(), "woonplaats"))
                    break
        # "Ми живемо в Утрехті": a town in Cyrillic letters
        spans += [Span(m.start(1), m.end(1), "woonplaats") for m in CYRILLIC_PLACE.finditer(text)]
        return spans

    def _infinitive(self, lower: str, before: str) -> bool:
        """ "als jullie me willen appen", "putten": in lower case a Dutch verb, after a modal
        verb or "te", or with a common stem."""
        if not lower.endswith("en") or len(lower) < 5:
            return False
        if _MODAL_BEFORE.search(before):
            return True
        stem = lower[:-2]
        stems = (stem, stem[:-1]) if len(stem) > 2 and stem[-1] == stem[-2] else (stem,)
        return any(self._lexicon.freq(candidate) >= 1000 for candidate in stems)

    def _school_spans(self, text: str) -> List[Span]:
        spans = []
        lexicon = self._lexicon
        for found in _SCHOOL_AFTER_TYPE.finditer(text):
            match = found
            if not found.group(1) and not found.group(2):
                inner = _SCHOOL_AFTER_TYPE.match(text, found.start(3))
                if inner and inner.group(1):
                    match = inner  # "school: cbs de wingerd": the name follows the second type
            strong, article, name = match.group(1), match.group(2), match.group(3)
            if "\n" in text[match.start() : match.start(3)] and text[match.end(3) : match.end(3) + 1] == ":":
                continue  # "Mijn zoon: Emre, 10 jaar, sbo\nProbleem: ...": the next line's label
            if name.startswith("-") or name[:1].isdigit():
                continue  # "vso-plaatsing": a compound of the type, no name; "vso is 45 min"
            if name[:1] in _APOSTROPHE and match.start(3) > 0 and text[match.start(3) - 1].isalpha():
                continue  # "welke sbo's zijn er": the plural of the type
            if (
                re.search(r"\bis\s+$", text[match.start() : match.start(3) - len(article or "")])
                and name.islower()
            ):
                continue  # "welk so is het dichtstbij": after "is" only a capitalised name
            first = name.split()[-1] if _TITLED_SCHOOL_NAME.fullmatch(name) else name.split()[0]
            if (
                first.lower() in _GENERIC_SCHOOL_WORDS
                or first.lower() in _FIELD_ABBREVIATIONS  # "vraagt het so het bsn"
                or first.lower() in lexicon.stop_words
                or _is_field_term(first)
                or len(first) < 2
                or (first.islower() and is_foreign_word(first))  # "so much", "sbo w ana"
                or first.lower() in _CHILD_FOLLOWERS  # "hoe het echt gaat op sbo haha"
                or _ABBREVIATION_COMPOUND.fullmatch(first)  # "vraagt school het BSN-nummer"
            ):
                continue
            if not strong and article and article.strip().lower() == "het" and _NOMINAL_VERB.fullmatch(first):
                continue  # "kan school het terugstorten"
            if first.islower() and self._verb_form(first):
                continue  # "de ouderbijdrage voor het vso terugvragen": a verb, no name
            looks_like_name = first[0].isupper() or lexicon.freq(first) < _COMMON_WORD_FREQUENCY
            if (strong and (article or looks_like_name)) or (article and looks_like_name):
                spans.append(Span(match.start(2) if article else match.start(3), match.end(3), "school"))
        for match in _CAPITALISED_NAME.finditer(text):
            named = match.group().split()[1:]
            if not any(self._no_school_name(word) for word in named):
                spans.append(Span(match.start(), match.end(), "school"))
        for match in _SCHOOL_SUFFIX.finditer(text):
            words = list(re.finditer(r"\S+", match.group(1)))
            while len(words) > 1 and (
                words[0].group().lower() in lexicon.stop_words
                or words[0].group().lower() in _PREPOSITIONS
                or (  # "estuda no Polderhof College"; not "Thomas a Kempis College"
                    words[0].group().islower()
                    and is_foreign_word(words[0].group())
                    and words[0].group() not in _NAME_CONNECTORS
                )
            ):
                words.pop(0)  # "ging naar Lorentz lyceum" -> "Lorentz lyceum"; "Namens het college"
            named = [w.group() for w in words if w.group().lower() not in ("het", "de", "'t")]
            if (
                (
                    len(named) >= 2
                    and all(
                        w[0].isupper()
                        or lexicon.freq(w) < _COMMON_WORD_FREQUENCY
                        or w.lower() in ("st.", "sint")
                        or (w.lower() in _NAME_CONNECTORS and any(x[0].isupper() for x in named[:-1]))
                        for w in named[:-1]  # "Thomas a Kempis College"
                    )
                    and not any(
                        is_foreign_word(w) and w.islower() and w not in _NAME_CONNECTORS for w in named[:-1]
                    )
                )
                or (
                    named
                    and re.match(r"\w+(college|lyceum|gymnasium)$", named[0], re.I)
                    and len(named[0]) > 9
                )
            ):
                spans.append(Span(match.start(1) + words[0].start(), match.end(1), "school"))
        for match in _SCHOOL_AFTER_PREPOSITION.finditer(text):
            preposition, word = match.group(1).lower(), match.group(2).split()[-1]
            if self._no_school_name(word) or self._adjective_before_noun(text, match.end(2)):
                continue  # "van de WPO", "de orthopedagoog", "naar de theoretische leerweg"
            body = re.match(r" ([\w'À-ÿ-]+)", text[match.end(2) : match.end(2) + 60])
            if word.lower().endswith("e") and body and _is_field_term(body.group(1)):
                continue  # "bij de Landelijke Bezwaaradviescommissie": an adjective of a body
            if word[0].isupper() or (
                preposition == "op"  # lower case only as in "zit op de klimboom"
                and lexicon.freq(word) < _SCHOOL_WORD_FREQUENCY
                and not word.lower().endswith("en")  # "het terugstorten"
            ):
                spans.append(Span(match.start(2), match.end(2), "school"))
        for match in _METHOD_THEN_NAME.finditer(text):
            if not self._no_school_name(match.group(1).split()[-1]):
                spans.append(Span(match.start(1), match.end(1), "school"))
        for match in _PREFIXED_SCHOOL.finditer(text):
            group = 1 if match.group(1) else 2
            spans.append(Span(match.start(group), match.end(group), "school"))
        for match in _QUOTED_NAME.finditer(text):
            group = 1 if match.group(1) else 2
            name = match.group(group).split()
            if not any(self._no_school_name(w) for w in name[1:]):
                spans.append(Span(match.start(group), match.end(group), "school"))
        for match in _NAME_THEN_SCHOOL.finditer(text):
            name = [w for w in re.split(r"[\s-]", match.group(1)) if w]
            core = [w for w in name if w.lower() not in ("al", "el", "sint", "st", "st.")]
            if core and all(
                not self._no_school_name(w) and (w[0].isupper() or lexicon.freq(w) < _COMMON_WORD_FREQUENCY)
                for w in core
            ):
                spans.append(Span(match.start(1), match.end(1), "school"))
        # "het Stedelijk Dalton", "De Regenboog Montessori": the method ends the school's name
        return [
            Span(s.start, s.end + method.end(), s.kind) if (method := _METHOD_AFTER.match(text, s.end)) else s
            for s in spans
        ]

    def _no_school_name(self, word: str) -> bool:
        """Words that are never a school's name: generic school words, stop words, field terms,
        abbreviations ("de WPO"), common words of other languages, and compounds of "school"
        ("het schoolplein", "op schoolkamp")."""
        lower = word.lower()
        return (
            lower.split("-")[0] in _GENERIC_SCHOOL_WORDS
            or lower in self._lexicon.stop_words
            or (word.isupper() and len(word) > 1)
            or _is_field_term(word)
            or lower in _NEVER_A_SCHOOL
            or bool(_NATIONALITY_ADJECTIVE.fullmatch(lower))
            or (word.islower() and is_foreign_word(word))
            or (lower.startswith(("school", "klas")) and len(lower) > 6)
            or (
                word.islower() and lower.endswith(("school", "klas", "klassen"))
            )  # "de vrijeschool", "de kaderklas"
            # a building or office in lower case: "op het gemeentehuis", "bij het consultatiebureau"
            or (
                word.islower()
                and lower.endswith(("huis", "bureau", "centrum", "kantoor", "station", "loket", "zwembad"))
            )
            or bool(_ABBREVIATION_COMPOUND.fullmatch(word))  # "het BSN-nummer"
            or (word.islower() and lower.endswith("ende"))  # "de ontvangende school": an adjective
            or lower in _COUNTRIES  # "de kleine dorpen op de Veluwe": a region
            or lower in _SCREEN_NOUNS
            or lower == "account"  # "op het account @kbs.zonnebloem"
            or lower.endswith(
                ("ziekenhuis", "kliniek")
            )  # "het Sophia Kinderziekenhuis", "de Sint Maartenskliniek"
            or (word.islower() and word.count("-") >= 2)  # "de zoen-en-zoefstrook": a phrase as a noun
            or lower in _SCHOOL_METHODS  # "naar de Vrije School"
            or bool(_INNER_CAPITAL.search(word))  # "de PlayStation", "de iPad": brands
            or lower.split("-")[0] in _COMPOUND_ABBREVIATIONS  # "de Cito-week", "het OPP-format"
            or word[:1].isdigit()
            or lower in ("zorgpas", "ov-pas", "ooievaarspas", "stadspas")  # "staat op de zorgpas"
            or lower in _NOT_SCHOOL_NAMES  # "naar de Efteling", "bij de Jumbo"
            or _EVENT_WORD.fullmatch(lower) is not None  # "bij de Koningsspelen", "de Kinderboekenweek"
            or self._thing_compound(word)  # "de Valys-taxi", "de Sinterklaas-viering"
        )

    def _thing_compound(self, word: str) -> bool:
        """ "Valys-taxi", "Jumbo-bon": a name joined to a common lower-case noun is that thing, not
        a school ("de Ichthus-school" still is one)."""
        if "-" not in word:
            return False
        last = word.rsplit("-", 1)[1]
        return (
            last.islower()
            and len(last) > 2
            and (self._lexicon.freq(last) >= _COMMON_WORD_FREQUENCY or last in _SCREEN_NOUNS)
            and not last.endswith(
                (
                    "school",
                    "scholen",
                    "college",
                    "lyceum",
                    "gymnasium",
                    "campus",
                    "locatie",
                    "vestiging",
                    "gebouw",
                )
            )
        )

    def _adjective_before_noun(self, text: str, end: int) -> bool:
        """ "naar de theoretische leerweg", "van de brede school", "op het psychologisch
        onderzoek": the word ends in -e or as an adjective does and a lower-case noun follows,
        so it describes that noun and names nothing."""
        word = re.search(r"[\w'À-ÿ-]+$", text[:end])
        after = re.match(r" ([a-zà-ÿ][\w'À-ÿ-]+)", text[end : end + 40])
        return bool(
            word
            and (word.group().endswith("e") or _ADJECTIVE_ENDING.search(word.group()) is not None)
            and word.group().islower()
            and after
            and after.group(1).lower() not in self._lexicon.stop_words
        )

    def _neighbourhood_spans(self, text: str) -> List[Span]:
        """The name after "wijk" ("in de wijk kattenbroek"), when it is capitalised or a word
        Dutch does not know; "de wijk waar wij wonen", "de wijk is onrustig" stay. Also names
        ending in -buurt or -wijk ("de componistenbuurt"), and a rare word after "in" where the
        sentence says someone lives there ("wij wonen in de bijlmer", "in lombok (utrecht)")."""
        spans = []
        for match in NEIGHBOURHOOD_NAME.finditer(text):
            words = match.group().split()
            if all(
                self._lexicon.freq(w) >= _COMMON_WORD_FREQUENCY or is_foreign_word(w) for w in words
            ) and not re.search(
                r"\b(?:in|uit|naar|wijk)\s+$", text[max(0, match.start() - 8) : match.start()], re.IGNORECASE
            ):
                continue  # "de pijp", "lent": a listed name that is also a word needs "in", "uit", "naar"
            if _METHOD_BEFORE.search(text, 0, match.start()):
                continue  # "op het Dalton Maaspoort": a school named after its area (_school_spans)
            spans.append(Span(match.start(), match.end(), "wijk"))
        for match in _NEIGHBOURHOOD.finditer(text):
            name = match.group(1)
            last = name.split()[-1].split("-")[-1]
            if name.lower() in self._lexicon.stop_words or _is_field_term(last):
                continue
            if name[0].isupper() or self._rare(last):
                spans.append(Span(match.start(1), match.end(1), "wijk"))
        for match in _AREA_COMPOUND.finditer(text):
            name = match.group()
            lower = name.lower()
            if (
                lower.startswith(_AREA_KINDS)
                or lower in ("buurt", "wijk")
                or not (name[0].isupper() or self._rare(name.split()[0]))
            ):
                continue
            if re.search(r"\bwijk\s+$", text[: match.start()], re.IGNORECASE):
                continue  # "de wijk Schilderswijk": found above
            spans.append(Span(match.start(), match.end(), "wijk"))
        for sentence in re.finditer(r"[^.!?\n]+", text):
            if not _LIVING.search(sentence.group()) and not re.search(r"\(\s*\w+\s*\)", sentence.group()):
                continue
            for match in _IN_AREA.finditer(text, sentence.start(), sentence.end()):
                group = 1 if match.group(1) else 2
                word = match.group(group)
                lower = word.lower()
                rest = text[match.end(group) : match.end(group) + 30]
                bracketed_place = re.match(r"\s*\(\s*([\w'À-ÿ -]+?)\s*\)", rest)
                if not (
                    _LIVING.search(sentence.group())
                    or (bracketed_place and self._lexicon.is_place(bracketed_place.group(1)))
                ):
                    continue
                if (
                    lower in self._lexicon.stop_words
                    or lower in _AREA_WORDS
                    or lower.endswith(("wijk", "buurt", "kwartier"))  # the compounds: found above
                    or lower.endswith(("klas", "groep"))  # "geen plek in de zorgklas"
                    or lower in _GENERIC_SCHOOL_WORDS
                    or _is_field_term(word)
                    or is_foreign_word(word)
                    or self._lexicon.is_place(word)
                    or lower in _COUNTRIES
                    or not (
                        self._rare(word)
                        or (word[0].isupper() and _LIVES_IN.search(text, 0, match.start(group)))
                    )
                    or self._verb_form(lower)
                    or (word.islower() and self._lexicon.is_name(word) and not bracketed_place)
                ):
                    continue
                spans.append(Span(match.start(group), match.end(group), "wijk"))
        for match in _IN_CAPITALISED.finditer(text):
            word = match.group(1)
            lower = word.lower()
            if (
                not self._rare(word)
                or not self._rare(word.split("-")[0])
                or self._lexicon.is_place(word)  # found as a town
                or lower in self._lexicon.first_names
                or lower in _COUNTRIES
                or lower in _GENERIC_SCHOOL_WORDS
                or lower in _SCHOOL_METHODS
                or _LANGUAGE_NAMES.fullmatch(word)
                or _NATIONALITY_ADJECTIVE.fullmatch(lower)
                or is_foreign_word(word)
                or _is_field_term(word)
            ):
                continue
            spans.append(Span(match.start(1), match.end(1), "wijk"))
        return spans


def _sentence_around(text: str, position: int) -> str:
    """The sentence (up to . ! ? or a line break on either side) that holds `position`."""
    start = max(text.rfind(mark, 0, position) for mark in ".!?\n") + 1
    ends = [i for i in (text.find(mark, position) for mark in ".!?\n") if i >= 0]
    return text[start : min(ends) if ends else len(text)]


def _shouting_view(text: str) -> str:
    """A message typed in capitals ("HALLO IK WIL WETEN OF MIJN KIND RECHT HEEFT OP SPRAAKSOFTWARE")
    in lower case, so that every word is not taken for a name or a school: the lower-case rules
    (name lists, word frequencies, triggers such as "ik heet") still find the names in it. The
    same length, so spans found in it fit the message."""
    letters = [ch for ch in text if ch.isalpha()]
    if len(letters) < 20 or sum(ch.isupper() for ch in letters) < 0.6 * len(letters):
        return text
    lower = text.lower()
    return lower if len(lower) == len(text) else text


def _deduce_kind(tag: str, text: str) -> Optional[str]:
    tag = tag.lower()
    if any(part in tag for part in ("persoon", "patient", "naam", "initia")):
        return "naam"
    if tag == "straat":
        return "adres"
    if tag == "locatie":
        if _POSTCODE.fullmatch(text.strip()):
            return "postcode"
        return "adres" if re.search(r"\d", text) else "woonplaats"
    return {"telefoonnummer": "telefoon", "emailadres": "email", "bsn": "bsn"}.get(tag)


def _identifier_spans(text: str) -> List[Span]:
    """Ticket codes, @-handles and e-mail addresses (plain or disguised): never field terms."""
    spans = [Span(start, end, "code") for start, end in code_spans(text)]
    spans += [
        Span(m.start(), m.end(), "email")
        for pattern in (EMAIL, DISGUISED_EMAIL)
        for m in pattern.finditer(text)
    ]
    spans += [Span(m.start(), m.end(), "handle") for m in HANDLE.finditer(text)]
    return spans


def _overlaps_any(span: Span, ranges: Iterable[Tuple[int, int]]) -> bool:
    return any(span.start < end and start < span.end for start, end in ranges)


_PRIORITY = {
    kind: rank
    for rank, kind in enumerate(
        (
            "code",
            "email",
            "handle",
            "url",
            "iban",
            "bsn",
            "telefoon",
            "kenteken",
            "nummer",
            "postcode",
            "geboortedatum",
            "adres",
            "wijk",  # "in de wijk zuilen": the context says what the word is
            "school",
            "naam",
            "woonplaats",
        )
    )
}


def _resolve(spans: List[Span]) -> List[Span]:
    """Non-overlapping spans: where two overlap, the more specific kind (then the longer) wins,
    and its range grows to cover both, so no part of either is left readable."""
    ordered = sorted(spans, key=lambda s: (s.start, -(s.end - s.start)))
    result: List[Span] = []
    for span in ordered:
        if result and span.start < result[-1].end:
            last = result[-1]
            winner = min((last, span), key=lambda s: (_PRIORITY.get(s.kind, 99), -(s.end - s.start)))
            result[-1] = Span(last.start, max(last.end, span.end), winner.kind)
        else:
            result.append(span)
    merged: List[Span] = []
    for span in result:  # "Sanne" + "Jansen" -> one [naam]
        if merged and merged[-1].kind == span.kind and span.start - merged[-1].end <= 1:
            merged[-1] = Span(merged[-1].start, span.end, span.kind)
        else:
            merged.append(span)
    return merged


def apply(text: str, spans: List[Span]) -> str:
    """The text with each span replaced by its typed placeholder."""
    out, position = [], 0
    for span in sorted(spans, key=lambda s: s.start):
        out.append(text[position : span.start])
        out.append(f"[{span.kind}]")
        position = span.end
    out.append(text[position:])
    return "".join(out)


def lookup_cache_ready() -> bool:
    """Whether deduce's lookup structures are cached (built once, ~90 s, by set-up)."""
    import deduce

    return (Path(deduce.__file__).parent / "data" / "lookup" / "cache" / "lookup_structs.pickle").exists()


_shared: Optional[Redactor] = None
_shared_lock = threading.Lock()


def shared() -> Redactor:
    """The process's redactor, loaded on first use."""
    global _shared
    with _shared_lock:
        if _shared is None:
            _shared = Redactor()
        return _shared


def redact(text: str) -> str:
    """Redact with the process's shared redactor."""
    return shared().redact(text)
