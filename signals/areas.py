"""Neighbourhoods (wijken) of the larger Dutch towns, so that redaction finds them without a cue.

A parent writes "wij wonen in presikhaaf", "mijn dochter moet van Spangen naar Ommoord", "we
live in the Bijlmer". The name narrows down where a family lives as much as a village does, but
deduce's place list holds towns, not their neighbourhoods, and a lower-case name after "in" looks
like any other word. These are the neighbourhoods and districts that are widely known by name in
the twenty or so largest towns (the municipalities' own district names), written as people write
them. A name that is also a common Dutch word ("Tuindorp", "Ondiep") counts only after "in",
"uit", "van", "naar" or "wijk" (`signals.redact` checks the word's frequency); names that are
mostly known as something else (a zoo, a beach, an island) are left out.
"""

from __future__ import annotations

import re

#: One name per comma; a line per town (Amsterdam, Rotterdam, Den Haag, Utrecht, Eindhoven,
#: Tilburg, Arnhem, Nijmegen, Zwolle, Leeuwarden, Groningen, Amersfoort, Haarlem and Zaanstad,
#: Leiden, Enschede, Breda, 's-Hertogenbosch, Maastricht, Dordrecht, Gouda, Deventer, Heerlen).
_NAMES = """
bijlmer, bijlmermeer, gaasperdam, osdorp, slotervaart, geuzenveld, slotermeer, de pijp, jordaan,
  ijburg, zeeburg, watergraafsmeer, bos en lommer, de baarsjes, kolenkit, oud-west, oud-zuid,
  buitenveldert, overtoomse veld, nieuw-west, tuindorp oostzaan, banne buiksloot, nieuwendam
ommoord, spangen, delfshaven, charlois, feijenoord, afrikaanderwijk, hillegersberg, crooswijk,
  bloemhof, hillesluis, tarwewijk, carnisse, pendrecht, zuidwijk, lombardijen, ijsselmonde,
  prins alexander, overschie, schiebroek, katendrecht, kop van zuid, oud-mathenesse, bospolder,
  tussendijken, middelland, nieuwe westen, agniesebuurt, oude noorden, noordereiland, beverwaard
schilderswijk, moerwijk, escamp, mariahoeve, ypenburg, leidschenveen, wateringse veld, duindorp,
  bouwlust, vrederust, morgenstond, loosduinen, segbroek, statenkwartier, bezuidenhout
overvecht, kanaleneiland, lunetten, hoograven, ondiep, leidsche rijn, tuindorp, wittevrouwen,
  oog in al, transwijk, rivierenwijk, dichterswijk, terwijde, vleuterweide
woensel, strijp, gestel, tongelre, meerhoven, achtse barrier
reeshof, groenewoud, korvel
presikhaaf, malburgen, geitenkamp, klarendal, rijkerswoerd, elderveld, schuytgraaf
dukenburg, lindenholt, hatert, bottendaal
holtenbroek, stadshagen, aa-landen, diezerpoort
heechterp, schieringen, bilgaard, vrijheidswijk
vinkhuizen, paddepoel, selwerd, beijum, lewenborg, de wijert, oosterpark, korrewegwijk
kattenbroek, vathorst, schothorst, soesterkwartier
schalkwijk, poelenburg, kogerveld
stevenshof, merenwijk
velve-lindenhof, deppenbroek, wesselerbrink, stroinkslanden
hoge vucht, haagse beemden, tuinzigt
boschveld, kruiskamp, maaspoort
malberg, pottenberg, caberg, wittevrouwenveld, wyckerpoort
crabbehof, sterrenburg, wielwijk
korte akkeren, goverwelle
keizerslanden, colmschate
meezenbroek
"""

NEIGHBOURHOODS = frozenset(name.strip() for name in re.split(r"[,\n]", _NAMES) if name.strip())

#: Every listed name as whole words in any case; longer names first ("bos en lommer").
NEIGHBOURHOOD_NAME = re.compile(
    r"(?<![\w-])(?:"
    + "|".join(re.escape(n).replace(r"\ ", r"\s+") for n in sorted(NEIGHBOURHOODS, key=len, reverse=True))
    + r")(?![\w-])",
    re.IGNORECASE,
)
