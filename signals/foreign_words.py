"""Common words of the other languages parents and youths mix into Dutch, so that redaction does
not take them for names or places.

deduce's name and place lists are long: "my", "can", "will", "dia", "ama", "nie", "po" are first
names in them, "well", "goes" and "son" are Dutch villages, and a word Dutch does not know
("polsku", "bardzo", "danki") looks like a rare name. A parent who writes "well, can someone
explain", "bon dia", "dzien dobry, czy moge pisac po polsku?" or "danki hopi" should find those
words in the signal unchanged.

The lists hold function words, greetings, thanks and the most common verbs of English, German,
French, Polish, Turkish, Ukrainian and Russian written in Latin letters, Papiamento, Arabic and
Moroccan Darija as typed in chat, Spanish, Portuguese, Romanian, Somali, Tigrinya, Urdu and
Bulgarian in Latin letters, Frisian, and the words of the southern and northern dialects
(Limburgish, Brabantish, Gronings, Twents) that differ from Dutch. They are general lists of
each language's commonest words, not of names: a word that is mostly a first name ("Said",
"Jan", "Ela", "Hub") or also a Dutch word or surname ("wit", "mei", "Damen") is not here.
They are used only where a name would otherwise be guessed from a list or from rarity; "mijn
dochter ana" and "ik heet will" still redact the name, because a Dutch trigger says it is one.

Also the kinship words of these languages ("my son", "mój syn", "oğlum", "mi yu", "ibni",
"wiilkayga", "mama di", "mi hijo", "Моя донька"), after which a name stands as it does after
"mijn zoon"; and in scripts without capitals (Arabic, Persian, Ge'ez, Chinese) the name right
after such a word ("ابني محمد").
"""

from __future__ import annotations

import re
from typing import List, Tuple

_ENGLISH = """
dutch flemish online fake news faith
a about after again all also am an and any anyone anything are as ask at away back be because
been before being best better both but by call can cannot cant come could day dear did do does
doing done dont each english even every explain first for from get gets go goes going good got
had has have having he hello help her here hers hey hi him his home how i if im in into is it its
just kind kindly know last let like little long look lot make many may me more most much must my
need needs new next no not now of off often ok okay old on one only or other our out over
own people please really right said same say says school see she should since so some someone
something son speak started still such sure take talk tell than thank thanks that the their them
then there these they thing think this those though through to today too try under until up us
very want wants was way we week well went were what when where which while who why will with
without would year years yes yet you your daughter child children kid kids mother father mom dad
husband wife teacher bullied support special allowed else anybody everyone nobody summer holidays
holiday annoying boring stupid weird hard bad bro lol tbh idk abroad refuses
lowkey ngl unfair literally grades till switch middle
nephew niece cousin aunt uncle grandson granddaughter grandma grandpa grandmother grandfather
stepson stepdaughter stepmother stepfather brother sister baby family parents
live lives living lived love loves loved play plays stay stays stayed move moved moves study
studies learn learns work works worked
january february march april may june july august september october november december
"""
_GERMAN = """
handy
aber alle auch bin bis bitte danke das dass dem den der des die doch du ein eine einen er es
für gut guten hallo hat haben ich ihr ihre im in ist ja kann kein können mein meine meinen
mit nach nicht noch nur oder schule sehr sie sind so tag und uns von war was wie wir wo zu
sein seine seinen mann frau sohn tochter unser unsere unserer arbeitet besucht wohnen soll zur
handynummer braucht ist konto geht erreichen mich unter per hier bei einem einer kinder
klasse lehrer lehrerin hilfe frage fragen möchte mochte wissen guten januar februar märz mai
juni juli august september oktober november dezember
mir möchten wechseln erreichbar direkt grenze jetzt anmelden spricht kaum gibt
freundlichen grüßen bisher herren
"""
_FRENCH = """
au aux ans avec bonjour ce cette dans de des du elle est et il je la le les ma mais merci mes mon
ne nous ou par pas pour que qui sa ses son sur un une vous
"""
_POLISH = """
a ale bardzo byl był była chce co czy czesc cześć dla do dobry dzien dzień dziekuje dziękuję
gdzie i jak jego jest jestem jej ma mam mnie moge mogę moja moj mój musi na nie o od po pomoc
pomocy polsku pozdrawiam prosze proszę przez sie się syn szkola szkole szkoła szkole tak tez też
to w we z za ze że córka corka dziecko nic robi robią ich już juz tylko jeszcze bo gdy kiedy
może moze mamy ten ta tego tej tym jako już teraz nigdy zawsze dobrze źle zle szkoły szkoły lat
dzięki dzieki przepraszam mieszkamy
nazywa mówi mowi powiedział powiedziala powiedziała pani dzielnicy osiedlu numer
"""
_TURKISH = """
yani
ama ben benim bir biri bu çok cok da de degil değil evet gibi hayır hic hiç icin için ile
istiyorum kızım kizim merhaba mi mı mu mü ne neden nasıl nasil oğlum oglum okul okulda sen
sizin şey sey şimdi simdi tamam teşekkür tesekkur teşekkürler var ve veya ya yok onu ona
onun bunu şu su o biz siz onlar daha en hem ile için gibi kadar sonra önce once yaşında yasinda
okula okulu istemiyor selamlar selam lütfen lutfen yardım yardim sağ sag olun
otizm otizmli otizmi almıyor almiyor destek öğretmen ogretmen sınıf sinif
"""
_UKRAINIAN = """
dobryi dobryy den dyakuyu dyakuju duzhe i mij miy moya moj moi ne nam pro pryvit shkola shkoly
syn sin dochka tak tse u v vin vona vy ya z zdravstvuyte spasibo privet pozhaluysta mozhna
diakuiu diakuyu shcho take chy dlya ditei
"""
_PAPIAMENTO = """
ami abo bai bon boso danki den dia di e hopi i ki kiko kier kon ku mi mester na nan nochi
nos pa por sa si skol ta tardi tin un yu yiu hòmber homber muhé muhe mucha muchanan bon dia
nan bisa ku mester
muda for bai nobo yudansa awor tambe
gusta kontentu tristu malu kansá kansa preokupá preokupa sigur sinti yuda ke mas tur aña
haña number korda sa ainda semper nunka bon bini
"""
_SPANISH = """
hola gracias por favor quiere quiero saber si necesita necesito un una el la los las del que mis
mamá papá hijo hija escuela colegio ayuda tiene tengo años es está no y o para con en muy bien
pero como donde cuando puede puedo hablar español habla hablo solo también sabe ella él nosotros
va a escuela vivimos hacer qué le les ayudan tiene tienen nada hace nos ni más mas porque
tdah dice dicen
"""
_SOMALI = """
asc wcs haye salaan nabad waa iyo ku ka oo aan ayaa waxaan waxay wuxuu hadda mahadsanid mahadsanidiin
haa maya ma dugsiga iskuulka caawimaad fadlan jirtaa jira sanno sano walaal hooyo aabe wiilkayga
gabadhayda ilmaha ilmahayga waan wax ma aha laakiin sidee maxaa
"""
_TIGRINYA = """
selam yekenyeley yeqenyeley kemey kemeykum dehan ane entay ezi ember haftey hawey wedey gualey
adey aboy tsebuq ayfalten
"""
_ARABIC = """
ewa wesh habibi habibti
ana anta anti alaikum aleikum alaykum dyal dyali fi hada hadi inshallah katgoul khasso la
lmadrasa madrasa salaam salam shukran smiti w wa wach walakin weldi bnti ibni binti ya fahimt
sanawat sana umm abu ibn bint 3afak afak safi bghit wlidi bniti liya
"""
_ITALIAN = """
buongiorno ciao grazie sono la il mamma papà papa di anni anno figlio figlia mio mia scuola non
per che una uno della
"""
_PERSIAN = """
salam man hastam ast dar va ba az be ke in an pesaram dokhtaram madrese kelas sal kheyli
mamnoon merci lotfan komak tashakor tashakur tashakkur
"""
#: Portuguese (Brazilian and Cape Verdean families)
_PORTUGUESE = """
oi olá ola tudo bem meu minha meus minhas filho filha filhos anos escola estuda quer um para
ele eles mas ninguém ninguem explica pode podem ligar obrigado obrigada em no na do da dos
das com não nao você voce está esta estou tem tenho também tambem porque quando onde ajuda
"""
#: Romanian (families from Romania and Moldova)
_ROMANIAN = """
bună buna ziua seara dimineața fiica fiul mea meu nostru noastră este sunt are ani în la și si
școala scoala școală spun spune că ca nevoie ce înseamnă inseamna asta mulțumesc multumesc vă va
rog pentru copilul copil nu da cu
"""
#: Urdu and Hindi in Latin letters
_URDU = """
hai hain mera meri mere mujhe hum aap kya koi mein se ke ki ka ko nahi aur bhi liye kar sakta sakti
beta beti saal shukriya samajh wale kehte usko chahiye rehte teen din aaya kyun assalam bachche bachcha
"""
#: Bulgarian in Latin letters
_BULGARIAN = """
zdraveyte zdravey az maykata bashtata tya toy e na godini uchi edno momche bie vseki sinat sinut
dashterya uchitelkata kazva che tryabva otide kakvo tova dali za bolni detsa blagodarya zhiveem
telefonat imeto
"""
#: Limburgish and Brabantish, as parents in the south type the words that differ from Dutch,
#: and Gronings, Twents and Zeeuws from the north, east and west
_DIALECT = """
veur vur nao noe haet hee gein mer höb euver miene mien neet kump mótte motte wille eers uch
vraoge zeet geit gèt da wa gij kunde ós oos os ing jóng wachte vinde denke helpe vraog
moin nait noar schoul mout mor kinnen zuk kriegen oonzen nich doon ee thuus plekke schoele mie eit
effen vraege krieg hoogbegoafd thoesonderwies gemeênte vò wait
"""
#: Frisian, the second official language of the Netherlands, as parents in Fryslân type it
_FRISIAN = """
bin út ut ús kinne jim helpe goeie moarn middei jûn tige tank dankjewol giet dy myn dyn heit
mem pake beppe bern famke skoalle learaar wurk hjir dêr noch hy wy yn fan oer troch sûnder
moatte wurde wêze hawwe sil sizze gean komme dwaan graach wurdt
sei seit moat moast sit siet nei sy jo wenje wennet ek foar hie ûnderwiis fuortset
dermei neat altyd hiel gjin faak wannear wêrom wêr mar sa
"""
_VIETNAMESE = """
xin chào chao chào cảm cam ơn on tôi toi con trai gái gai trường truong học hoc không khong
"""


#: Every word of these lists, lower-cased.
FOREIGN_WORDS = frozenset(
    word
    for block in (
        _ENGLISH,
        _GERMAN,
        _FRENCH,
        _POLISH,
        _TURKISH,
        _UKRAINIAN,
        _PAPIAMENTO,
        _ARABIC,
        _SPANISH,
        _SOMALI,
        _TIGRINYA,
        _ITALIAN,
        _PERSIAN,
        _VIETNAMESE,
        _FRISIAN,
        _PORTUGUESE,
        _ROMANIAN,
        _DIALECT,
        _URDU,
        _BULGARIAN,
    )
    for word in block.split()
)

#: "my son arjun", "mój syn szymon", "mij syn bohdan", "benim oğlum mehmet", "mi yu hòmber
#: jurgen", "ibni yassine", "mein Sohn Leon": a name usually follows, as after "mijn zoon".
FOREIGN_CHILD_BEFORE = re.compile(
    r"(?:\b(?:my|our)\s+(?:(?:eldest|oldest|youngest|little)\s+)?"
    r"(?:son|daughter|child|kid|boy|girl|nephew|niece|grandson|granddaughter|stepson|stepdaughter)"
    r"|\b(?:mother|father|mom|mum|dad|parent)\s+of"  # "I am Olena, mother of Sofiia (9)"
    r"|\b(?:mój|moj|moja|mij|mijn|miy|nasz|nasza)\s+(?:syn|córka|corka|dochka|syn)"
    r"|\b(?:benim\s+)?(?:oğlum|oglum|kızım|kizim)"
    r"|\bmi\s+y?iu(?:\s+(?:hòmber|homber|muhé|muhe))?"
    r"|\bmi\s+yu(?:\s+(?:hòmber|homber|muhé|muhe))?"
    r"|\b(?:ibni|binti|weldi|bnti)"
    r"|\b(?:syn|córka|corka|dochka|donka)"  # Polish and Ukrainian without "my": "syn kuba ma"
    # Ukrainian and Russian in their own letters: "Моя донька Sofiia", "Мій син Danylo"
    r"|(?<!\w)(?:мій|мого|моя|моєї|мой|моего|наш|наша)\s+(?:син|сина|синок|донька|доньки|дочка|сын|сына|дочь|дочери)"
    r"|(?<!\w)(?:мама|мати|мать|тато|папа|батько|отец)"  # "я мама Тараса": a parent of
    r"|\b(?:wiilkayga|wiilkeyga|gabadhayda|gabadheyda|ilmahayga|inankayga)"  # Somali
    r"|\b(?:wedey|gualey|wedi|gual)"  # Tigrinya
    r"|\b(?:pesaram|dokhtaram|pesar[ei]\s+man|dokhtar[ei]\s+man)"  # Persian
    r"|\b(?:mama|mamá|tata|mayor)\s+di"  # Papiamento: "mi ta mama di shurendy"
    r"|\b(?:mi|su)\s+(?:hijo|hija)"  # Spanish
    r"|\b(?:meu|nosso)\s+filho|\b(?:minha|nossa)\s+filha"  # Portuguese
    r"|\b(?:mera|mere)\s+(?:beta|bete)|\bmeri\s+beti"  # Urdu and Hindi
    r"|\b(?:sinat|sinut|dashterya)\s+mi"  # Bulgarian
    r"|\b(?:fiul|fiica|copilul)\s+(?:meu|mea|nostru|noastră)"  # Romanian
    r"|\bw[oǒ]\s+de\s+(?:n[uǚ]'?[eé]r|[eé]rzi)"  # Chinese in pinyin: "wǒ de nǚ'ér li na"
    r"|\b(?:mein|meine|unser|unsere)\s+(?:sohn|tochter|kind)"
    r"|\b(?:mon|ma)\s+(?:fils|fille))\s+$",
    re.IGNORECASE,
)


def is_foreign_word(word: str) -> bool:
    """A common word of one of the mixed-in languages ("can", "dia", "polsku", "bardzo")."""
    return word.lower() in FOREIGN_WORDS


#: The words that follow a kin word in these scripts where a name does not: "ابني عمره ..."
#: (my son, his age), "پسرم در ..." (my son, in), "ወደይ ዓሰርተ ዓመት" (my son, ten years).
_SCRIPT_FOLLOWERS = frozenset(
    "عمره عمرها في لا لم هو هي عنده عندها كان كانت ما من يدرس تدرس و در است هست ساله را هم "
    "ሓደ ክልተ ሰለስተ ኣርባዕተ ሓሙሽተ ሽዱሽተ ሸውዓተ ሸሞንተ ትሽዓተ ዓሰርተ ኣብ እዩ እያ".split()
)

#: A name in its own script right after a kin word of that script: "ابني محمد", "ابنتي فاطمة",
#: "پسرم احمد", "ወደይ ዳዊት", "我的女儿小雨今年九岁". These scripts have no capitals to tell a name
#: by, so the word right after the kin word is taken (in Chinese, two or three characters before
#: what usually follows a name there).
SCRIPT_CHILD_NAME = re.compile(
    # Arabic and Persian: my son / my daughter, and my name is ("اسمي ليلى", "اسم من مریم")
    r"(?<![\u0600-\u06ff])(?:ابني|ابنتي|بنتي|ولدي|پسرم|دخترم|پسر من|دختر من|اسمي|إسمي|اسمم|اسم من)"
    r"\s+([\u0600-\u06ff]+)"
    # Tigrinya: my son / my daughter, mother / father of, and "ኣነ X እየ" (I am X)
    r"|(?:ወደይ|ጓለይ|ውላደይ|ኣደ|ኣቦ)\s+([\u1200-\u137f]+)"
    r"|ኣነ\s+([\u1200-\u137f]+)(?=\s+እየ)"
    # Chinese: my daughter / son / child, and "我叫" / "我是" (I am called, I am)
    r"|(?:我的|我)(?:女儿|儿子|孩子)(?![在是有的今上读])([\u4e00-\u9fff]{2,3}?)(?=今年|在|是|有|，|,|的|上|读|\s|$)"
    r"|(?:我叫|我是)([\u4e00-\u9fff]{2,3}?)(?=[。，,！!\s]|$)"
)


#: A town in Cyrillic letters after "in" / "from", capitalised as names are: "в Алмере", "у
#: Дордрехті", "із Гронінгена". The Netherlands and the home countries are no one's town.
CYRILLIC_PLACE = re.compile(
    r"(?<!\w)(?:в|у|во|із|из|з)\s+"
    r"(?!Нідерланд|Нидерланд|Голланд|Україн|Украин|Росі|Росси|Польщ|Польш|Сирі|Сири|Болгар|Європ|Европ)"
    r"([А-ЯЁІЇЄҐ][а-яёіїєґ'’ʼ-]{2,})"
)


def script_child_names(text: str) -> List[Tuple[int, int]]:
    """(start, end) of each name that SCRIPT_CHILD_NAME finds, without the usual followers."""
    found = []
    for match in SCRIPT_CHILD_NAME.finditer(text):
        group = next(i for i in range(1, SCRIPT_CHILD_NAME.groups + 1) if match.group(i))
        if match.group(group) not in _SCRIPT_FOLLOWERS:
            found.append((match.start(group), match.end(group)))
    return found
