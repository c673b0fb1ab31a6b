"""Is a message about a life area outside a child's schooling? (issue 30, item 1)

Near-domain questions use the field's words (zorg, indicatie, dyslexie, ADHD, begeleiding,
vervoer, stage, toets, pgb, wmo, bezwaar) about something else: the parent's own work, study
and health, higher and adult education, driving exams, sports clubs, care for elderly parents,
a teacher's own job, holidays, taxes. The classifier alone often answers them with a topic.
`outside_school` is a second domain check: a plain word of such a life area and no schooling
word. `actions.outcome.decide` then keeps a topic answer or clarify buttons from the question
and offers a person instead. Chosen by cross-validation on the training data
(evaluation/near_domain.py, docs/near-domain.md); the words were written with the training
examples in sight, so keep them plain and add a schooling word when one turns up.
"""

from __future__ import annotations

import re
import unicodedata

#: A life area outside a child's schooling, said plainly.
_OUTSIDE = re.compile(
    r"\b(werkgever|bedrijfsarts|leidinggevende|mijn baas|sollicit\w*|salaris|cao|"
    r"pensioen|zzp\w*|ouderschapsverlof|zorgverlof|uwv|wajong|rijexamen|rijles\w*|rijbewijs|cbr|"
    r"theorie ?-?examen|bromfiets\w*|scooter|sportclub|voetbalclub|voetbalvereniging|hockeyclub|"
    r"zwemles|scouting|contributie|mantelzorg\w*|verpleeghuis|dementie|alzheimer|wlz|ciz|"
    r"thuiszorg|rollator|traplift\w*|regiotaxi|valys|volwassenen?|volwassenenonderwijs|hogeschool|"
    r"universiteit|uni|hbo|tentamens?|tentamentijd|scriptie\w*|collegegeld|pabo|inburgering\w*|"
    r"nt2|belastingdienst|belasting|woz|huurtoeslag|zorgtoeslag|alimentatie|schulden|"
    r"bijstand|reisverzekering|visum|camping|ik ben (juf|meester|leraar|leerkracht|docent|"
    r"invaller|ib'?er|klassenassistent|onderwijsassistent)|als (leraar|docent|leerkracht))\b"
)
#: Words of passend onderwijs itself: with one of these the question stays with the classifier.
_PASSEND_ONDERWIJS = re.compile(
    r"\b(tlv|opp|mdo|swv|samenwerkingsverband|passend onderwijs|zorgplicht|leerplicht\w*|"
    r"thuiszit\w*|schorsing|geschorst|verwijder\w*|schooladvies|doorstroomtoets|sbo|so|vso|"
    r"speciaal onderwijs|leerlingenvervoer|steunpunt|opr|gmr|mr|medezeggenschap\w*)\b"
)
#: A child's schooling: these keep the question with the classifier too, unless the writer
#: says they are the teacher ("ik ben juf op een basisschool").
_SCHOOLING = re.compile(
    r"\b(school|klas|leerlingen?|basisschool|middelbare|brugklas|vmbo|havo|vwo|ib'?er van|"
    r"juf van|meester van|mentor van|mijn (zoon|dochter|kind)\w* (zit|gaat|moet))\b"
)
_TEACHER = re.compile(r"\bik (ben|werk als) (juf|meester|leraar|leerkracht|docent|invaller)\b")


def _normalise(text: str) -> str:
    text = unicodedata.normalize("NFKD", text.lower())
    return " ".join("".join(c for c in text if not unicodedata.combining(c)).split())


def outside_school(text: str) -> bool:
    """Whether the words name a life area outside a child's schooling and no schooling."""
    text = _normalise(text)
    if not _OUTSIDE.search(text) or _PASSEND_ONDERWIJS.search(text):
        return False
    return bool(_TEACHER.search(text)) or not _SCHOOLING.search(text)
