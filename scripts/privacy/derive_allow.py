#!/usr/bin/env python3
"""Derive assets/privacy/allow.txt: clean dictionary words that contain a listed form.

The lobby matcher looks for listed forms *inside* hashtags and @handles. Before that it
removes from the tag every word of allow.txt, so that #cocktailhour, #Scunthorpe,
#computer, #deputes or #connexion stay clean. This script writes that list.

Eligible forms ("substring forms"), taken from assets/privacy/{fr,en}/{profanity,slurs,
sexual,threats}.txt (never from ambiguous.txt):
  * single words, folded (lower case, accents stripped, oe/ae ligatures spelt out), of
    length >= 4, or of length 3 with no vowel among "aeiouy" (fdp, ntm, ptn, wtf...);
  * multi-word phrases with the spaces removed ("filsdepute", "tagueule").
allow.txt = every dictionary word (folded) that contains an eligible form as a substring
and is not itself a listed form (folded), plus the hand-kept EXTRA_ALLOW below. Sorted,
deduplicated.

Dictionaries (Debian packages; install once, as root):
    apt-get update
    apt-get install -y wamerican-large hunspell-fr-classical hunspell-tools hunspell
  * wamerican-large: /usr/share/dict/american-english-large, SCOWL word list
    (Kevin Atkinson et al., permissive SCOWL licence, see /usr/share/doc/wamerican-large).
  * hunspell-fr-classical: /usr/share/hunspell/fr.{dic,aff}, Dicollecte/Grammalecte
    French dictionary "classique", MPL-2.0. Expanded with `unmunch` (hunspell-tools);
    every expanded form that contains an eligible form is checked with `hunspell -G`
    (hunspell package), because unmunch also prints some forms the dictionary rejects.
(Debian's wfrench is GPL-2 and is not used.)

Run from anywhere: python3 scripts/privacy/derive_allow.py
Options: --print-suspects lists the new allow words that START with an eligible form
(the likeliest to be inflections of a bad word rather than clean words); review them and
add real bad forms to the category files or to DENY, then rerun. --print-denied
lists the dictionary words that DENY kept out.
"""

import os
import re
import subprocess
import sys
import unicodedata

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
PRIVACY = os.path.join(ROOT, "assets", "privacy")
LANGS = ("fr", "en")
CATEGORIES = ("profanity", "slurs", "sexual", "threats")
OUT = os.path.join(PRIVACY, "allow.txt")

EN_DICT = "/usr/share/dict/american-english-large"
FR_DIC = "/usr/share/hunspell/fr.dic"
FR_AFF = "/usr/share/hunspell/fr.aff"

# Clean hashtag words that no dictionary holds but that tags use every day
# (food and travel "...porn" tags above all: #foodporn is on every food brand's wall).
EXTRA_ALLOW = """
foodporn veganfoodporn cakeporn dessertporn breakfastporn coffeeporn wineporn beerporn
cheeseporn pizzaporn burgerporn brunchporn cocktailporn
earthporn skyporn cityporn natureporn travelporn architectureporn designporn interiorporn
roomporn bookporn carporn shoeporn sneakerporn watchporn plantporn gearporn cableporn
pornstarmartini pornstarmartinis
deathtoll deathtolls
scunthorpe shitzu
""".split()

# Dictionary words that contain a listed form but are themselves vulgar or hateful: other
# inflections of a listed word (the dictionaries conjugate "emmerder", "chier", "niquer"...
# in every tense) and a few compounds. Kept out of allow.txt so that the substring search
# still finds the form inside them. Each pattern must match the whole folded word.
DENY = [re.compile(p) for p in r"""
emmerd\w* demerd\w* encul\w* enfoir\w* niqu\w* branl\w* sodomi\w* partouz\w* merd\w*
refout\w* fout(?!ous?$)\w* couill\w* chiass\w* chie(?![fn])\w* salop(?!ette)\w* salaud\w*
piss(?!enlit|aladiere|arr?o|ette|otiere|oir)\w*
baise(?!rs?$|main|ment)\w* bordel(?!ais|aise|aises|lo|los)\w*
conneaux? connee? connees connement clitos?
grognass\w* pouffiass\w* poufiass\w* petass\w* radass\w* connass\w* gouinass\w*
pederast\w* godemichets? mongoloides? ritales? filsdeputer\w*
\w*porno\w* masturb\w* hentais threesomes dildoes
bitch\w* shit\w* bullshit\w* horseshit\w* chickenshit\w* crapp(?:ed|er|ers|ier|iest|ing)
whore\w* slutt\w* pussies\w* arsed
niggerhead\w* negress\w* golliwogs jigaboos dagoes squaws faggot\w* faggoting dyked
""".split()]

ELISION = re.compile(r"^(?:[ldmnstcj]|qu|jusqu|lorsqu|puisqu|quoiqu|quelqu)['\u2019]", re.I)


def fold(s):
    """Lower case, accents stripped, ligatures spelt out: what the matcher compares."""
    s = s.lower().replace("\u0153", "oe").replace("\u00e6", "ae").replace("\u2019", "'")
    s = unicodedata.normalize("NFKD", s)
    return "".join(c for c in s if not unicodedata.combining(c))


def read_entries():
    entries = []
    for lang in LANGS:
        for cat in CATEGORIES:
            path = os.path.join(PRIVACY, lang, cat + ".txt")
            with open(path, encoding="utf-8") as f:
                for line in f:
                    line = line.strip()
                    if line and not line.startswith("#"):
                        entries.append(line)
    return entries


def eligible_forms(entries):
    listed, forms = set(), set()
    for e in entries:
        f = fold(e)
        words = f.split()
        if len(words) == 1:
            listed.add(f)
            if len(f) >= 4 or (len(f) == 3 and not re.search(r"[aeiouy]", f)):
                forms.add(f)
        else:
            joined = "".join(words)
            listed.add(joined)
            forms.add(joined)
    return listed, forms


def english_words():
    with open(EN_DICT, encoding="utf-8", errors="replace") as f:
        for line in f:
            w = line.strip()
            if w.endswith("'s"):
                w = w[:-2]
            yield w


def french_words(pattern):
    """Expanded French forms that contain an eligible form, checked by hunspell."""
    raw = subprocess.run(["unmunch", FR_DIC, FR_AFF], capture_output=True, check=True).stdout
    candidates = set()
    for line in raw.decode("utf-8", errors="replace").splitlines():
        w = line.split("/", 1)[0].strip()
        w = ELISION.sub("", w).rstrip("0123456789")
        for part in w.split("-"):
            if part and pattern.search(fold(part)):
                candidates.add(part)
    # unmunch prints some impossible forms: keep only what the speller accepts.
    checked = subprocess.run(
        ["hunspell", "-d", FR_DIC[:-4], "-G"],
        input="\n".join(sorted(candidates)).encode("utf-8"),
        capture_output=True, check=True).stdout.decode("utf-8").split()
    return set(checked)


def main():
    for p in (EN_DICT, FR_DIC, FR_AFF):
        if not os.path.exists(p):
            sys.exit(f"missing {p}: apt-get install -y wamerican-large hunspell-fr-classical "
                     "hunspell-tools hunspell")
    listed, forms = eligible_forms(read_entries())
    pattern = re.compile("|".join(sorted(map(re.escape, forms), key=len, reverse=True)))
    allow = set()
    sources = (("en", english_words()), ("fr", french_words(pattern)))
    for _, words in sources:
        for w in words:
            f = fold(w)
            if not re.fullmatch(r"[a-z]+", f) or f in listed:
                continue
            if pattern.search(f):
                allow.add(f)
    denied = {w for w in allow if any(p.fullmatch(w) for p in DENY)}
    allow -= denied
    allow.update(fold(w) for w in EXTRA_ALLOW)
    allow -= listed
    header = (
        "# Clean words that contain a listed form, removed from a hashtag or @handle before the\n"
        "# substring search. Generated by scripts/privacy/derive_allow.py: do not edit by hand\n"
        "# (change the category files or EXTRA_ALLOW in the script, then rerun it).\n"
        "# Folded: lower case, no accents. Dictionaries: SCOWL american-english-large (Debian\n"
        "# wamerican-large; SCOWL licence, permissive) and the Dicollecte French dictionary\n"
        "# \"classique\" (Debian hunspell-fr-classical; MPL-2.0), expanded with unmunch and checked\n"
        "# with hunspell; plus a few hashtag words kept by hand in the script (EXTRA_ALLOW).\n"
    )
    with open(OUT, "w", encoding="utf-8") as f:
        f.write(header)
        for w in sorted(allow):
            f.write(w + "\n")
    print(f"{len(forms)} substring forms, {len(allow)} allow words -> {os.path.relpath(OUT, ROOT)}")
    if "--print-denied" in sys.argv:
        for w in sorted(denied):
            print(f"denied {w}")
    if "--print-suspects" in sys.argv:
        for w in sorted(allow):
            starts = [x for x in forms if w.startswith(x)]
            if starts:
                print(f"suspect {w}  ({', '.join(sorted(starts))})")


if __name__ == "__main__":
    main()
