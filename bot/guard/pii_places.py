"""Street addresses, postcodes and document numbers (passport, driver licence, national ids).

Addresses are found by their structure, not by a list of places: a house number next to a street
word (a USPS street suffix, a street-type prefix such as "Rue" or "Via", or a compound ending such
as "-straße" or "-vej"), a house number on both sides of a capitalised name ("583 Aasa 43"), unit
designators ("Apt. 12", "Suite 300"), post-office and military boxes. A found address swallows the
lines or comma parts that follow it while they look like its city, region, country and postcode.
Postcodes and document numbers are redacted after a label ("ZIP: 3520", "passport number is
X1234567"). All patterns are linear-time (bounded repetition only).
"""

from __future__ import annotations

import re

# USPS street suffixes (Publication 28), full and common short forms.
_SUFFIX = (
    "alley|avenue|ave|av|bend|boulevard|blvd|branch|bridge|brook|burg|bypass|camp|canyon|cape|causeway|circle|cir|"
    "cliffs?|common|corners?|course|court|ct|cove|creek|crescent|crest|crossing|crossroad|curve|dale|dam|divide|"
    "drive|dr|estates?|expressway|extensions?|falls?|ferry|fields?|flats?|fords?|forest|forges?|forks?|fort|"
    "freeway|gardens?|gateway|glens?|greens?|groves?|harbou?rs?|haven|heights|highway|hwy|hills?|hollow|inlet|"
    "islands?|isle|junctions?|keys?|knolls?|lakes?|landing|lane|ln|lights?|loaf|locks?|lodge|loop|mall|manors?|"
    "meadows?|mews|mills?|mission|motorway|mount|mountains?|neck|orchard|oval|overpass|parks?|parkway|pass|"
    "passage|path|pike|pines?|place|pl|plains?|plaza|points?|ports?|prairie|radial|ramp|ranch|rapids?|rest|"
    "ridges?|river|road|rd|roads|route|row|run|shoals?|shores?|skyway|springs?|spurs?|squares?|sq|station|"
    "stravenue|stream|streets?|st|str|summit|terrace|throughway|trace|track|trafficway|trail|tunnel|turnpike|"
    "underpass|unions?|valleys?|viaduct|views?|villages?|ville|vista|walks?|wall|way|wells?"
)
# Street-type words that come before the name, in several languages.
_PREFIX = (
    r"rue|rua|via|viale|vicolo|piazza|corso|calle|avenida|avda\.?|av\.|avenue|boulevard|bd\.?|chemin|route|"
    r"allée|place|quai|impasse|ul\.|ulica|al\.|aleja|strada|carrer|plaza|paseo|travessa|largo|praça|"
    r"λ\.|οδός|οδος|λεωφόρος|λεωφ\.|leoforos|ulitsa|prospekt"
)
# Endings of compound street names (German, Dutch, Nordic, Finnish, Hungarian, Icelandic ...).
_ENDING = (
    r"stra(?:ss|ß)e|str\.|straat|weg|gasse|platz|allee|damm|ring|laan|gracht|plein|vej|veien|vegen|gate|gata|gatan|"
    r"vägen|väg|gade|stræde|tie|katu|kuja|polku|utca|út|braut|vegur|stræti|stígur|gränd|torg|torget|tori|"
    r"puistikko|rinne|steeg|dreef|kade|singel|ulica|ucica|cesta|iela|gatve|tänav"
)
_SUFFIX_CAP = "|".join(w[0].upper() + w[1:] for w in _SUFFIX.split("|"))  # "Street", "St", "Dr"
_CAP = r"[A-ZÀ-ÖØ-ÞĀ-žΆ-ΏΑ-ΩА-Я][\w'’.-]{0,30}"  # a capitalised word (Latin, Greek, Cyrillic)
_NAME = rf"(?:{_CAP}|(?:de|del|dei|della|delle|degli|da|do|dos|das|di|du|des|la|le|les|van|von|der|den|al|el|y|e)\b)"
_MONTH = (r"(?i:jan|january|januar|janvier|feb|february|februar|février|mar|march|märz|mars|apr|april|avril|may|mai|"
          r"jun|june|juni|juin|jul|july|juli|juillet|aug|august|août|sep|sept|september|septembre|oct|october|oktober|"
          r"octobre|nov|november|novembre|dec|december|dezember|décembre|mon|monday|tue|tuesday|wed|wednesday|thu|"
          r"thursday|fri|friday|sat|saturday|sun|sunday)\.?(?![\w])")
_NUM = r"\d{1,6}[A-Za-z]?(?:[-/]\d{1,4})?"

_STREET = re.compile(
    rf"(?:\b{_NUM}\s+)?(?:{_NAME}\s+){{0,4}}{_CAP}\s+(?:{_SUFFIX_CAP}|{_SUFFIX.upper()})\b\.?(?:\s+{_NUM}\b)?"  # [12] Main Street [4]
    rf"|(?:\b{_NUM}\s+)?(?i:\b(?:{_PREFIX}))\s+(?:{_NAME}\s+){{0,5}}{_NAME}(?:\s+{_NUM}\b)?"  # [12] Rue du Bac [4]
    rf"|(?:\b{_NUM}\s+)?(?:{_NAME}\s+){{1,4}}(?i:u\.|utca|út|útja|tér|körút|krt\.|rkp\.|terrasse|gate|gata|vei|vej|"
    rf"allé|alle|weg|strasse|straße|trg|ulica|ul\.)\s+{_NUM}\b\.?"  # Kálmán Imre u. 12.
    rf"|\b{_NUM}\s+(?!{_MONTH})(?:{_NAME}\s+){{0,4}}(?!{_MONTH}){_CAP}\s+{_NUM}\b(?!\s*(?:%|percent|times|x\b|items?|seats?|members?|messages?|files?|people|days?|hours?|minutes?|mins?|"
    r"seconds?|secs?|ms\b|weeks?|months?|years?|users?|GB|MB|KB|TB))",  # 583 Aasa 43
)
# [12] [Name] Hauptstraße 5: any word followed by a house number; its ending is checked in code
# (a regex ending alternation after a free word would backtrack on long runs).
_COMPOUND = re.compile(rf"(?:\b{_NUM}[ \t]+)?(?:{_NAME}[ \t]+){{0,3}}(?<![\w'-])([\wÀ-ÿĀ-ž'-]{{3,40}})[ \t]+{_NUM}\b")
_ENDING_RE = re.compile(rf"(?i:{_ENDING})$")
_STREET_LOWER = re.compile(
    r"\b\d{1,6}\s+(?:[a-zà-ÿ'-]{2,20}\s+){1,3}(?:street|avenue|road|drive|boulevard|lane|terrace|highway|parkway|"
    r"plaza|square|court|strasse|straße|straat|utca|katu|gatan|vej|veien)\b(?:\s+\d{1,5}\b)?"
    r"|\b\d{1,6}\s+(?:trg|ulica|ul\.|rua|rue|via|calle|avenida|av\.)\s+(?:[a-zà-ÿ'-]{2,20}\s+){0,3}\d{1,5}\b"
)
_CORNER = re.compile(rf"(?i:\bcorner of)\s+(?:\S{{1,30}}\s+){{0,6}}?and(?:\s+{_NAME}){{1,4}}")
_AFTER_CUE = re.compile(
    r"(?i:\b(?:lives? (?:at|on)|living at|located at|address(?:es)? (?:is|was)|address:|(?:is|are) at|sent to|"
    r"send (?:it |them )?to|ship(?:ped)? to|deliver(?:ed)? to|return (?:it )?to|moved to|meet (?:you |me )?at))"
    rf"[ \t]+(\d{{1,6}}(?:[ \t]+\d{{1,6}})?[ \t]+(?:{_NAME}[ \t]+){{0,4}}{_NAME})"
)
_UNIT = re.compile(r"(?i)\b(?:apt\.?|apartment|suite|ste\.?|unit|flat|room|floor|fl\.|bldg\.?|building)\s*#?\s*\d{1,6}[A-Za-z]?\b")
_BOX = re.compile(
    r"(?i)\b(?:p\.?\s?o\.?\s?box|post(?:al)? office box|postbox|postfach|box)\s*#?\s*\d{1,6}\b"
    r"|\b(?:psc|unit|cmr)\s+\d{1,5},?\s+box\s+\d{1,5}\b"
    r"|\b(?:usns|usnv|usnsv|uss|usv|uscgc|usngs)\s+[^\W\d_]{2,20}\b"
    r"|\b(?:apo|fpo|dpo)\s+(?:aa|ae|ap)\s+\d{5}\b"
)
# What may follow an address: a city, region, country, postcode (one line or comma part each).
_TAIL_TOKEN = r"(?:[A-ZÀ-ÖØ-ÞĀ-žΑ-ΩА-Я∆(][\w'’().∆-]{0,30}|\d{2,6}(?:-\d{2,4})?|\d[A-Z]{2}\b|(?:nan|de|do|da|na|nad|pod|la|le|del|sur|am|an|im)\b)"
_TAIL_PART = re.compile(rf"[ \t]*(?:,|\n)[ \t>?*-]*(?:\n[ \t>?*-]*)?(?:,[ \t]*)?{_TAIL_TOKEN}(?:[ \t]+{_TAIL_TOKEN}){{0,5}}")
_TAIL_SAME_LINE = re.compile(
    rf"(?:[ \t]+(?:(?i:apt\.?|apartment|suite|ste\.?|unit|flat)\s*#?\s*\d{{1,6}}[A-Za-z]?|{_CAP}|\d{{4,6}}\b|[A-Z]{{2}}\s+\d{{4,6}}\b)){{1,6}}"
)
_POSTCODE_VALUE = r"(?:[A-Z]{1,2}\d[A-Z\d]?\s?\d[A-Z]{2}|\d{2,5}(?:[ -]\d{2,4})?(?:\s?[A-Z]{2}\b)?|[A-Z]\d[A-Z]\s?\d[A-Z]\d)"
_POSTCODE = re.compile(
    rf"(?i:\b(?:zip(?:\s?code)?|post(?:al)?\s?code|postcode|plz|cep|código postal|code postal)\b)"
    rf"(?:\s*(?i:is|:|#|=|-|number|no\.?)){{0,3}}\s*({_POSTCODE_VALUE})"
    r"|〒\s?(\d{3}-?\d{4})"
)
# A document number after its label: passport, driver licence, national / tax / health ids.
_DOC_LABEL = (
    r"passport|driver'?s?\s+licen[cs]e|driving\s+licen[cs]e|national\s+id(?:entity)?|"
    r"id\s+card|identity\s+card|identity\s+document|personal\s+id|tax\s+id|itin|nhs|nino|"
    r"national\s+insurance|social\s+insurance|medicare|health\s+(?:card|insurance)|bsn|personnummer|"
    r"dni|nif|cpf|curp|aadhaar|steuer-?id|codice\s+fiscale|residence\s+permit|"
    r"voter\s+id|student\s+id|employee\s+id"
)
_DOC = re.compile(
    rf"(?i:\b(?:{_DOC_LABEL})\b)(?:\s*(?i:number|no\.?|num|#|id|code))?(?:\s*(?i:is|was|:|=|-|reads)){{0,2}}\s*"
    r"((?:[A-Z]{1,3}[- ]?)?\d[\dA-Z]{0,13}(?:[- ][\dA-Z]{1,8}){0,4})(?![\w-])"
)
_ADDRESS_CUE = re.compile(
    r"(?i)\b(?:lives? (?:at|on|in)|living at|located at|address(?:es)?(?: is| was|:)|sent to|send (?:it |them )?to|"
    r"ship(?:ped)? to|deliver(?:ed)? to|return (?:it )?to|moved to|corner of|meet (?:you |me )?at|based at|"
    r"office(?:s)? (?:is|are) (?:at|on)|at the corner)\s*(?:the corner of\s*)?$"
)


# A ship or unit line is an address by itself (its FPO/APO line follows).
_SHIP = re.compile(r"(?i)\b(?:usns|usnv|usnsv|uss|usv|uscgc|usngs)\s+[^\W\d_]{2,20}\b")
# A named street without a number, by an unambiguous street word ("shows on Marina Fort Street").
_NAMED_STREET = re.compile(rf"\b(?:{_CAP}\s+){{1,3}}(?:Street|Avenue|Road|Boulevard|Lane|Strasse|Straße)\b")
# Name-first house numbers after a place verb ("return to Eyrarodda 66", "lives on the north side of
# Joaquin Suarez 2906", "the bus station is on Pod Floriánem 1677").
_CUE_NAME_NUMBER = re.compile(
    r"(?i:\b(?:lives?|living|located|situated|based|return(?:ed)?(?: it)?|send(?: it| them)?|sent|ship(?:ped)?|"
    r"deliver(?:ed)?|meet(?: me| you| us)?|offices? (?:is|are)|station (?:is|was)|drops? you off)\s+(?:at|on|to|in)\s+"
    r"(?:the\s+(?:north|south|east|west)(?:ern)?\s+(?:side|end|part)\s+of\s+)?)"
    rf"((?:{_CAP}\s+){{0,2}}{_CAP}\s+\d{{1,5}}[A-Za-z]?)\b(?!\s*(?:%|[a-z]))"
)
# House number, a name in any case or script, house number, then a street or unit word
# ("74678 midtvollen 130 st.", "0605 πεντέλης 210 apt. 999").
_NUMBER_NAME_NUMBER = re.compile(
    r"\b\d{3,6}\s+(?:[^\W\d_][\w'’-]{1,30}\s+){1,3}\d{1,5}[A-Za-z]?\s+"
    r"(?i:st|str|street|rd|road|ave|avenue|apt|apartment|suite|ste|unit|flat)\b\.?(?:\s*#?\s*\d{1,6}\b)?"
)
# A street name whose inner words are lower case before a street-type word and number ("Árpád fejedelem útja 3.").
_NAME_TYPE_NUMBER = re.compile(
    rf"{_CAP}(?:\s+[^\W\d_][\w'’-]{{1,30}}){{0,3}}\s+(?i:u\.|utca|út|útja|tér|körút|trg|ulica|ul\.|vej|vei|gate|gata)\s+{_NUM}\b\.?"
)
# Before an address: a second street of an intersection ("Leon and Eyrarodda 66", "the corner of ... and ..."),
# or the name before a house number ("Serenade Opus 420 Gairbekov Rapids").
_BEFORE_ADDRESS = re.compile(
    rf"(?:(?i:\b(?:the\s+)?corner\s+of)\s+)?(?:{_CAP}\s+){{1,2}}(?:and|&)\s+$|(?:(?<=\s)|^)(?:{_CAP}\s+){{1,2}}$"
)
# A postcode after a place name ("in Bjert 6091 in its ...", "in Quinta de São Tiago 3610-114"); not a year.
_PLACE_POSTCODE = re.compile(
    rf"\b(?:in|at|from|near)\s+(?:{_NAME}\s+){{0,3}}{_CAP}\s+(?!(?:19|20)\d\d\b)(\d{{4,5}}(?:-\d{{3,4}})?)(?=\s*(?:$|[,.;:!?)\n]|"
    r"(?:in|for|to|and|with|on|at)\b))"
)
_PLACE_POSTCODE_LOWER = re.compile(
    r"\b(?:in|at|from|near)\s+(?:[^\W\d_]{2,20}\s+){1,3}(?!(?:19|20)\d\d\b)(\d{4,5}(?:-\d{3,4})?)(?=\s*(?:$|[,.;:!?)\n]|"
    r"(?:in|for|to|and|with|on|at)\b))"
)
# The rest of an address line when the line (or text) ends with it: "..., sé, portugal", "... calgary alberta".
_LINE_REST = re.compile(r"(?:(?:[ \t]*,[ \t]*|[ \t]+|[ \t]*\n[ \t]*)(?:[^\W\d_][\w'’().-]{0,30}|\d{2,6}(?:-\d{2,4})?)(?![\w'’().-])){1,6}"
                        r"[ \t]*\.?[ \t]*(?=\n|$)")


def _extend(text: str, end: int) -> int:
    """Swallow unit designators, then city / region / country / postcode lines or comma parts."""
    m = _TAIL_SAME_LINE.match(text, end)
    if m:
        end = m.end()
    for _ in range(5):
        m = _TAIL_PART.match(text, end)
        if not m or len(m.group(0).strip(",\n \t")) == 0:
            break
        part = m.group(0).strip(",\n \t")
        if len(part.split()) > 5:  # a sentence goes on, not an address line
            break
        end = m.end()
    m = _LINE_REST.match(text, end)
    if m and len(re.findall(r"\w+", m.group(0))) <= 6:
        end = m.end()
    return end


def _start_before(text: str, start: int) -> int:
    """Move an address's start back over an intersection's other street or the name before its number."""
    m = _BEFORE_ADDRESS.search(text[max(0, start - 60):start])
    if not m:
        return start
    if m.group(0).rstrip().endswith(("and", "&")) or text[start:start + 1].isdigit():
        return start - len(m.group(0))
    return start


def _merged(spans: list[tuple[int, int, str, str]]) -> list[tuple[int, int, str, str]]:
    """Overlapping or touching address parts become one address."""
    out: list[tuple[int, int, str, str]] = []
    for span in sorted(spans):
        if out and span[0] <= out[-1][1] + 1:
            last = out[-1]
            out[-1] = (last[0], max(last[1], span[1]), last[2], last[3])
        else:
            out.append(span)
    return out


# Every detector needs a digit or an address cue nearby: only windows around those are searched,
# so a long text with few numbers (a pasted prompt) costs little.
_SEED = re.compile(r"\d|(?i:\b(?:lives?|living|located|address|corner|ship|shipped|deliver|delivered|send|sent|"
                   r"moved|meet|return|based|offices?)\b)|\b(?:Street|Avenue|Road|Boulevard|Lane|Stra(?:ss|ß)e)\b")
_BEFORE, _AFTER = 160, 240


def _windows(text: str) -> list[tuple[int, int]]:
    out: list[list[int]] = []
    for m in _SEED.finditer(text):
        a, b = max(0, m.start() - _BEFORE), min(len(text), m.end() + _AFTER)
        if out and a <= out[-1][1]:
            out[-1][1] = max(out[-1][1], b)
        else:
            out.append([a, b])
    return [(a, b) for a, b in out]


def find_places(text: str) -> list[tuple[int, int, str, str]]:
    """(start, end, kind, label) of addresses, postcodes and document numbers."""
    spans: list[tuple[int, int, str, str]] = []
    for a, b in _windows(text):
        spans += [(s + a, e + a, kind, label) for s, e, kind, label in _find(text[a:b])]
    return _merged(spans)


def _find(text: str) -> list[tuple[int, int, str, str]]:
    spans: list[tuple[int, int, str, str]] = []
    for regex in (_STREET, _STREET_LOWER, _BOX, _CORNER):
        for m in regex.finditer(text):
            if not re.search(r"\d", m.group(0)) and not _ADDRESS_CUE.search(text[max(0, m.start() - 40):m.start()]):
                continue  # a name with a street word and no number ("Google Drive") needs an address cue
            start = m.start()
            lead = re.search(r"(?:\b\d{1,6}[ \t]+){1,2}$", text[max(0, start - 14):start])
            if lead:  # "28030 Edeby 55": a leading building or postcode number
                start -= len(lead.group(0))
            spans.append((start, _extend(text, m.end()), "pii.address", "[ADDRESS]"))
    for m in _COMPOUND.finditer(text):
        ending = _ENDING_RE.search(m.group(1))
        if ending and ending.start() >= 2:  # a compound ("Hauptstraße"), not the bare word ("ring", "gate")
            spans.append((m.start(), _extend(text, m.end()), "pii.address", "[ADDRESS]"))
    for m in _AFTER_CUE.finditer(text):
        spans.append((m.start(1), _extend(text, m.end(1)), "pii.address", "[ADDRESS]"))
    for regex in (_CUE_NAME_NUMBER, _NUMBER_NAME_NUMBER, _NAME_TYPE_NUMBER, _SHIP, _NAMED_STREET):
        for m in regex.finditer(text):
            g = 1 if regex.groups else 0
            spans.append((m.start(g), _extend(text, m.end(g)), "pii.address", "[ADDRESS]"))
    spans = [(_start_before(text, a), b, kind, label) for a, b, kind, label in spans]
    for m in _UNIT.finditer(text):
        spans.append((m.start(), m.end(), "pii.address", "[ADDRESS]"))
    spans = _merged(spans)
    for m in _POSTCODE.finditer(text):
        g = 1 if m.group(1) else 2
        spans.append((m.start(g), m.end(g), "pii.postcode", "[POSTCODE]"))
    upper = any(c.isupper() for c in text)
    for m in (_PLACE_POSTCODE if upper else _PLACE_POSTCODE_LOWER).finditer(text):
        spans.append((m.start(1), m.end(1), "pii.postcode", "[POSTCODE]"))
    for m in _DOC.finditer(text):
        if sum(c.isdigit() for c in m.group(1)) >= 4:
            spans.append((m.start(1), m.end(1), "pii.id_number", "[ID_NUMBER]"))
    return spans
