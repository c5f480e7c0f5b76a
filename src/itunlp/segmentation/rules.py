"""Boundary rules of the clause segmenter, as named data.

Every pattern the segmenter uses lives here, each with an example of what it
matches, so that a rule can be read, tested and changed without touching the
engine in :mod:`itunlp.segmentation.component` (the approach of pySBD's ``lang/`` rules).

All regular expressions are written so that matching is linear in the input:
no nested quantifiers over overlapping classes, and every look-behind or
backward look is bounded. Patterns that describe a whole line are only ever
applied to one stripped line at a time, and lines longer than
:data:`MAX_STRUCTURE_LINE` characters are never tested against them.
"""

from __future__ import annotations

import re

# --------------------------------------------------------------------------- limits

#: Lines longer than this are treated as prose without testing the line patterns:
#: no heading, title, header or marker is that long, and it keeps the line pass cheap.
MAX_STRUCTURE_LINE = 300

#: How far back (characters) the engine looks for the word before a full stop.
#: Bounded so that a megabyte without spaces costs the same as a short word.
MAX_WORD_LOOKBACK = 40

#: Characters of context on each side of a candidate boundary that its features
#: see. Bounded so that a sentence of a megabyte costs linear time, not quadratic;
#: 240 characters hold some 35 words, more than any cue looks at.
MAX_CANDIDATE_CONTEXT = 240

#: A sentence with more candidate points than this is not prose (a table, a list
#: of "a: b" pairs, generated noise); its further candidates are not cut, which
#: keeps the cost per character bounded.
MAX_CANDIDATES_PER_SEGMENT = 64

#: A parenthesis pair longer than this does not shelter the boundaries inside it:
#: an unclosed "(" far away must not swallow a whole page of sentences.
MAX_PAREN_SPAN = 400

#: A line break: any of those ``str.splitlines`` knows, "\r\n" as one.
LINE_BREAK = re.compile(r"\r\n|[\n\r\x0b\x0c\x1c-\x1e\x85\u2028\u2029]")

# ------------------------------------------------------------------ abbreviations

#: Titles written before a name; a full stop after them never ends a sentence.
#: "Dr. Bogdan-Martin", "Mr. Smith", "St. Michael's", "Mt. Fuji".
PREPOSITIVE_ABBREVIATIONS = frozenset(
    """
    mr mrs ms dr prof st mt rev gen sen rep gov amb hon pres sr fr col capt lt sgt
    messrs mme mlle
    """.split()
)

#: Abbreviations that announce a number or a reference; a full stop after them
#: never ends a sentence. "Res. 70", "No. 5", "Art. 12", "para. 3", "vol. 2",
#: "p. 55", "Rev. Dubai, 2018", "Doc. 61", "Fig. 3". Words that are also English
#: words ("add", "annex", "app") are left out: "see the Annex. Dr. X" ends there.
REFERENCE_ABBREVIATIONS = frozenset(
    """
    no nos res resol art arts para paras vol vols p pp fig figs doc docs ch chap sec
    secs corr rec recs ref refs tel nr sect
    """.split()
)

#: Abbreviations that are never followed by a sentence start in running text:
#: "e.g. the ITU", "i.e. Member States", "vs. the U.S.", "approx. 3 GHz".
INNER_ABBREVIATIONS = frozenset(
    "e.g i.e eg ie vs v viz approx incl esp cca ca resp excl n° cf".split()
)

#: Month names; "Oct. 14" keeps the sentence whole, "in Oct. The next" ends it.
MONTH_ABBREVIATIONS = frozenset("jan feb mar apr jun jul aug sep sept oct nov dec".split())

#: After "No."/"Feb." a plain capitalised word starts a sentence, a code does not.
PLAIN_WORD = re.compile(r"[A-Z][a-z]{1,30}")

#: Abbreviations that may end a sentence: the sentence ends when an upper-case
#: word follows. "Pitt, Briggs & Co. It closed" ends; "Co. at noon" does not.
#: "etc." is here: "radio, TV etc. The Council" ends after "etc.".
SENTENCE_FINAL_ABBREVIATIONS = frozenset(
    """
    etc co corp inc ltd llc plc bros jr dept govt intl assn univ est
    """.split()
)

#: Words that begin sentences; after an initialism ("U.S.", "E.U.") or a single
#: capital initial ("I.", "E.") the sentence only ends when one of these follows.
#: "I live in the U.S. How about you?" ends; "the U.S. Government" does not.
SENTENCE_STARTERS = frozenset(
    """
    A An And As At Being But By Did Do Does During Each For From He Her His How However I
    If In It Its Millions More Most Many No Nor On Our She Since So Some That The Their
    There These They This Those Though Thus To Under We What When Where Whereas Which
    While Who Why With Yet You
    """.split()
)

#: An initialism written with full stops: "U.S.", "U.S.A.", "E.U.", "a.m.", "P.M.".
INITIALISM = re.compile(r"(?:[A-Za-z]\.){2,}\Z")

#: A single capital initial before a full stop: "Jonas E. Smith", "Albert I. Jones".
SINGLE_INITIAL = re.compile(r"[A-Z]\Z")

#: A single lower-case letter before a full stop is a list label or part of an
#: abbreviation: "a. The first item b. The second item".
SINGLE_LOWER = re.compile(r"[a-z]\Z")

# ------------------------------------------------------------- sentence boundaries

#: A run of terminal marks, with single spaces allowed between full stops so that a
#: spaced ellipsis is one run, followed by closing quotes and brackets that belong to
#: the sentence they end: "end.", "Hello!?", "that....", "period . . . .",
#: "great.'", "engineer.)", "complex. . . .”". An ellipsis character counts too.
TERMINATOR_RUN = re.compile(r"[.?!…؟](?:[.?!…؟]| (?=[.…]))*[\"'”’»)\]]*")

#: Full-width terminal marks of Chinese and Japanese, which need no space after
#: them: "决定加强建设。各成员国应当合作！", "決議した。すべての".
CJK_TERMINATOR = re.compile(r"[。！？]+[」』”’）]*")

#: Opening quotes or brackets that may precede the first word of a sentence.
OPENERS = "\"'“‘«([¿¡"

#: Characters that may close a span after the terminal mark (kept with the clause).
CLOSERS = "\"'”’»)]"

#: Bullet characters that open a list item anywhere: "• 9. The first item",
#: "⁃10. The second item", "▪ a point".
BULLETS = "•⁃▪◦●‣∙·■□►▶➢✓*"

#: An inline bullet inside a line, which starts a new sentence: "item • 10. The".
INLINE_BULLET = re.compile(r"(?<=\s)[•⁃▪◦●‣■►▶➢](?=\s?\S)")

#: Numbered or lettered labels inside running text, for inline lists such as "1.) The
#: first item 2.) The second item", "1) first 2) second", "1. The first item 2. The
#: second item", "a. The first item b. The second". The groups are the label ("1", "b")
#: and its closing style ("." / ")" / ".)"). An item starts with a capital; "§§ 27 c)
#: and 50 d) of the Tunis Agenda" are references, not a list.
INLINE_LIST_LABEL = re.compile(r"(?:(?<=\s)|^)(\d{1,2}|[a-z])(\.\)|\)|\.)(?=\s+[\"'“‘(]?[A-Z])")

# ------------------------------------------------------------------ clause splits

#: A semicolon that separates two clauses: "work in this area; for instance, ...";
#: the Arabic "؛" and the full-width "；" too.
SEMICOLON = re.compile(r"[;؛](?=\s)|；")

#: A colon standing alone between words, not in a time, URL or reference:
#: "goals from the meeting: connectivity was ..." but not "10:30", "https://".
STANDALONE_COLON = re.compile(r"(?<=\S):(?=\s)")

#: Coordinating and contrastive links that may join two independent statements after
#: a comma. The connective word starts the next clause: "development, and the Conference
#: is ...", "connectivity, though the U.S. made no mention" ("; however": "; " cuts).
CONNECTIVES = (
    "and",
    "but",
    "while",
    "whereas",
    "although",
    "though",
    "yet",
    "so",
)

#: A comma followed by a connective word: ", and the", ", but some", ", while many".
COMMA_CONNECTIVE = re.compile(rf",(?P<ws>\s+)(?P<conn>{'|'.join(CONNECTIVES)})\b")

#: A connective followed by a parenthetical phrase between commas, with no comma
#: before it: "amendments and, other than resolution 70, any mention was removed".
CONNECTIVE_BEFORE_PARENTHETICAL = re.compile(r"(?<=\s)(?P<conn>and|but|yet|so),(?=\s)")

#: Longest parenthetical (characters) skipped to find the statement after it.
MAX_PARENTHETICAL = 120

#: Connectives that link two statements almost whenever a subject follows them.
CONTRASTIVE_CONNECTIVES = frozenset({"but", "while", "whereas", "although", "though", "yet"})

#: Words after a connective that show it is not joining two statements:
#: "not only X, but also Y", "so that", "and then", "and to protect".
NON_CLAUSE_AFTER_CONNECTIVE = frozenset(
    """
    also that as far then thus therefore not only even both either neither to
    """.split()
)

#: Prepositions; a connective followed by one usually continues a phrase
#: ("and in particular"), unless a pronoun and its verb follow later
#: ("and under the practice they were simply dropped").
PREPOSITIONS = frozenset(
    """
    in on at by with for from of into under within between among after before during
    through without against towards toward upon about across beyond despite
    """.split()
)

#: Words that can be the subject of a clause right after a connective:
#: ", and we believe", ", but it can continue", ", while many states".
SUBJECT_WORDS = frozenset(
    """
    i we you he she it they this that these those there one someone everyone nobody
    the a an its their our his her my your some many most several few all each every
    no other such both any another much more
    """.split()
)

#: Finite verbs and auxiliaries that show a statement: "the Conference is",
#: "it has managed", "we must", "some argued" (-ed forms are also read as verbs).
AUXILIARIES = frozenset(
    """
    is are was were am be been has have had do does did will would can could shall
    should may might must
    """.split()
)

#: Irregular past forms read as finite verbs: "the delegation took", "it left".
IRREGULAR_VERB_FORMS = frozenset(
    """
    made took gave saw led found held met set put kept left went came got told thought
    felt brought began became said paid sent spent won lost ran cut stood spoke wrote
    chose knew grew drew fell rose built bought sought taught meant
    """.split()
)

#: Verb stems common in ITU prose; their base, -s and -ed forms count as verbs:
#: "the cost grows", "cyclones damage towers", "the final text only encourages".
VERB_STEMS = frozenset(
    """
    keep hold welcome expect ask invite support believe see know meet make grow lower
    damage threaten use hope encourage need want take give call remain show play help
    continue include provide require allow reflect note recognize recognise urge stress
    agree adopt approve decide fail pass lead mean bring get come go run look seem
    become follow report say tell think feel find leave serve face offer lack lose win
    change cover focus matter plan remove add argue claim insist push oppose block reject
    accept consider review raise reach receive represent speak stand stay start suggest
    try vote elect join open close cost depend exist happen appear apply build buy carry
    connect create deliver develop drop end enter expand fall fund grant improve increase
    invest launch limit move pay produce protect reduce rely rise sign spend stop suffer
    write commit count attach caution ignore thank fear warn admit agree share learn
    prefer aim seek hear cause affect ensure struggle worry work
    update supplement replace extend define govern regulate promote strengthen address
    contain enable prevent remind
    """.split()
)

#: Relative pronouns: a verb after them belongs to a relative clause, not to a
#: new statement ("the regulators who license them, will follow").
RELATIVE_PRONOUNS = frozenset("who whom whose which that where".split())

#: Interrogatives ("considers what changed, and what did not" is one statement), focus
#: adverbs that may open a statement after a colon (": only the latter tells us"), verbs
#: that make "that" a demonstrative ("..., and that picture is more mixed"), and degree
#: words that make an "-ed" word an adjective ("less detailed").
WH_WORDS = frozenset("what how why where when whether who which".split())
FOCUS_ADVERBS = frozenset("only even just".split())
DEMONSTRATIVE_VERBS = frozenset("is was has remains seems looks".split())
DEGREE_WORDS = frozenset("more less most least very too so quite rather highly well".split())
#: Personal pronouns; after ", and" they almost always start a new statement.
PERSONAL_PRONOUNS = frozenset("i we you he she it they".split())

#: Determiners: the word right after one is a noun, never a finite verb
#: ("the work", "its use"), which keeps noun/verb homographs apart. Quantifiers
#: that also stand alone as subjects ("some objected", "many agreed") are not here.
DETERMINERS = frozenset(
    """
    the a an its their our his her my your this these those every no other such any
    """.split()
)

#: Words that end a left side which is itself subordinate, so the comma after it
#: does not close a statement: "were contentious because, while many states ...".
SUBORDINATORS = frozenset(
    "because if when since as although though while whether where unless until".split()
)

# --------------------------------------------------------------- resolution layout

#: Preamble headings of an ITU resolution (lower case, as printed):
#: "recalling", "considering further", "bearing in mind", "noting with concern".
PREAMBLE_HEADINGS = (
    "recalling",
    "considering",
    "recognizing",
    "recognising",
    "noting",
    "bearing in mind",
    "having regard to",
    "taking into account",
    "taking into consideration",
    "aware",
    "convinced",
    "concerned",
    "mindful",
    "emphasizing",
    "emphasising",
    "acknowledging",
    "observing",
    "welcoming",
    "reaffirming",
    "affirming",
    "highlighting",
    "stressing",
    "underlining",
    "expressing",
    "alarmed",
    "guided by",
    "in view of",
    "having considered",
    "having noted",
    "taking note of",
    "deeply concerned",
)

#: Operative headings; they may name who is addressed:
#: "resolves", "instructs the Secretary-General", "invites Member States",
#: "resolves to instruct the Director of the Telecommunication Development Bureau".
OPERATIVE_HEADINGS = (
    "resolves",
    "decides",
    "instructs",
    "requests",
    "invites",
    "encourages",
    "urges",
    "calls upon",
    "calls on",
    "appeals to",
    "endorses",
    "approves",
    "agrees",
    "recommends",
    "charges",
    "directs",
    "entrusts",
    "asks",
)

#: Words that may come before or after a heading word: "further resolves",
#: "recognizing further", "noting also", "noting with satisfaction".
HEADING_QUALIFIERS = (
    r"(?:further|also|in particular|furthermore|moreover"
    r"|with (?:satisfaction|appreciation|concern|regret|interest))"
)

_PREAMBLE_ALT = "|".join(re.escape(h).replace(r"\ ", r"\s+") for h in PREAMBLE_HEADINGS)
_OPERATIVE_ALT = "|".join(re.escape(h).replace(r"\ ", r"\s+") for h in OPERATIVE_HEADINGS)

#: A whole line that is a resolution heading (matched on the stripped line):
#: "considering", "recognizing further,", "bearing in mind:", "further resolves",
#: "instructs the Secretary-General, in consultation with the Directors,",
#: "invites Member States and Sector Members". Operative headings may name their
#: addressee (no sentence punctuation inside); preamble headings may not.
HEADING_LINE = re.compile(
    rf"(?:{HEADING_QUALIFIERS}\s+)?"
    rf"(?:(?:{_PREAMBLE_ALT})(?:\s+{HEADING_QUALIFIERS})?"
    rf"|(?:{_OPERATIVE_ALT})(?:\s+{HEADING_QUALIFIERS})?(?:\s+[^\s.;:!?][^.;!?]{{0,200}}?)?)"
    r"\s*[,:]?",
    re.IGNORECASE,
)

#: Longest heading line, in words; longer lines are text, not headings.
MAX_HEADING_WORDS = 24

#: A resolution's title line: "RESOLUTION 70 (REV. BUCHAREST, 2022)",
#: "Resolution 130 (Rev. Dubai, 2018)", "DRAFT NEW RESOLUTION [USA-1]",
#: "MOD RESOLUTION 102 (REV. DUBAI, 2018)", "DECISION 5 (REV. BUCHAREST, 2022)".
RESOLUTION_TITLE = re.compile(
    r"(?:(?:MOD|ADD|SUP|NOC)\s+(?:[A-Z]{2,}\S*\s+)?)?(?:DRAFT\s+)?(?:NEW\s+|REVISED\s+)?"
    r"(?:RESOLUTION|Resolution|DECISION|Decision|RECOMMENDATION)"
    r"(?:\s+(?:\d+|\[[^\]]{1,40}\]|[A-Z]{1,6}(?:[-/]\d+)?))?"
    r"(?:\s*\((?:REV\.|Rev\.)?[^()]{0,60}\))?\s*"
)

#: The enacting formula that opens a resolution's preamble:
#: "The Plenipotentiary Conference of the International Telecommunication Union
#: (Bucharest, 2022),", "The World Telecommunication Development Conference (Kigali, 2022),".
ENACTING_FORMULA_START = re.compile(
    r"The\s+(?:[A-Z][\w-]*\s+){0,5}(?:Conference|Assembly|Council|Symposium|Summit)\b"
)

#: How the enacting formula ends: its place and year in brackets, then a comma:
#: "(Bucharest, 2022),", "(Rev. Dubai, 2018),".
ENACTING_FORMULA_END = re.compile(r"\([^()]{0,60}\d{4}\s*\)\s*,\Z")

#: Lines an enacting formula may wrap over in PDF text.
MAX_FORMULA_LINES = 4

# ------------------------------------------------------------------ list markers

#: An item marker at the start of a line, with the whitespace after it; the clause
#: starts after it. "a) that ...", "(iv) the ...", "1 to continue", "1. The",
#: "2) the", "• Member States", "- connectivity", "– the", "i) a", "1.1 the".
#: Group ``label`` is the marker without its whitespace.
LINE_ITEM_MARKER = re.compile(
    r"(?P<label>"
    r"\(?(?:[a-z]|[ivx]{1,6}|[A-Z])\)(?:\.)?"  # a)  (a)  iv)  (iv)  A)
    r"|\(?\d{1,2}(?:\.\d{1,2})*(?:\.\)|\)|\.)?"  # 1  1)  1.  1.)  1.1  (2)
    r"|(?:[a-z]|[ivx]{2,6})\.(?=\s)"  # a.  iv.
    r"|[•⁃▪◦●‣∙·■□►▶➢✓*\-–—]"  # bullets and dashes
    r")"
    r"(?=[ \t\u00a0]+\S)[ \t\u00a0]+"
)

#: Markers that are bare numbers ("1 to continue") are only items where a new
#: item may begin; in a wrapped line "in\n5 years" the 5 is text.
BARE_NUMBER_MARKER = re.compile(r"\(?\d{1,2}(?:\.\d{1,2})*\)?\Z")

# ------------------------------------------------------------- page furniture

#: Running document headers and document numbers of ITU PDFs, alone on a line:
#: "PP22/61(Add.3)-E", "PP-22/61(Add.3)-E", "C22/47-E", "WTDC-22/25(Rev.1)-E",
#: "Document 61(Add.3)-E", "Addendum 3 to Document 61-E".
RUNNING_HEADER = re.compile(
    r"(?:(?:Addendum|Corrigendum|Revision)\s+\d+\s+to\s+)?(?:Document\s+)?"
    r"(?:[A-Z]{1,6}-?\d{0,2}/)?\d{1,4}[A-Z]?(?:\s*\((?:Add|Rev|Corr)\.\s*\d+\))*"
    r"(?:-[A-Z])"
)

#: Page numbers and their decorations, alone on a line: "- 4 -", "– 12 –", "Page 3 of 9",
#: "page 3", "3/9", "12", a footer label and its number across a bar "Kigali Report  |  212".
_PAGE_NO = r"(?:[Pp]age\s+)?\d{1,4}(?:\s*(?:of|/)\s*\d{1,4})?"
PAGE_NUMBER = re.compile(
    r"[-–—]\s*\d{1,4}\s*[-–—]"
    r"|(?:Page|PAGE|page|p\.)\s*\d{1,4}(?:\s*(?:of|/)\s*\d{1,4})?"
    r"|\d{1,4}\s*/\s*\d{1,4}"
    r"|\d{1,4}"
    rf"|[^|\s][^|]{{0,60}}?\s\|\s+{_PAGE_NO}|{_PAGE_NO}\s+\|\s[^|]{{0,60}}[^|\s]"
)

#: A URL, web or e-mail address alone on a line: "https://www.itu.int/pp22",
#: "www.itu.int/en/council", "<https://example.org>", "secretariat@example.org".
URL_LINE = re.compile(
    r"<?(?:https?://|www\.|mailto:)\S+>?|[\w.+-]{1,64}@[\w-]{1,63}(?:\.[\w-]{1,63})+"
)

#: Amendment markers and their references, alone on a line:
#: "MOD USA/61A3/1", "ADD ACP/64A1/2", "SUP", "NOC EUR/...", "MOD\tUSA/61A3/1".
AMENDMENT_MARKER = re.compile(r"(?:MOD|ADD|SUP|NOC)(?:\s+[A-Z]{2,}[\w/().-]*)*")

#: Other fixed furniture lines of web pages and PDFs: "Skip to Content", "Annex 1",
#: "ANNEX", "Attachment 2", "Original: English", "Agenda item: ADM 21", "Back to top",
#: "Print", "Additional reporting by Jo Bloggs.", "Refresh for the latest", a label
#: framed by rules ("-------- end of forwarded message --------").
FIXED_FURNITURE = re.compile(
    r"(?:Skip to (?:main )?[Cc]ontent|Back to top|Share(?: this(?: page| article)?)?|Print"
    r"|(?:ANNEX|Annex|ATTACHMENT|Attachment|APPENDIX|Appendix)(?:\s+[\dA-Z]{1,4})?"
    r"(?:\s+(?:TO|to)\s+(?:RESOLUTION|Resolution)\s+\d+.*)?"
    r"|Original:\s*\w+|Agenda item:.*|Reasons?:|Source:.*|Subject:.*|Date:.*"
    r"|From:.*|To:.*|Cc:.*"
    r"|(?:Additional )?(?:[Rr]eporting|[Ee]diting|[Ww]riting) by [A-Z][\w'-]{0,30}"
    r"(?:,? (?:and )?[A-Z][\w'.-]{0,30}){0,5}\.?"
    r"|Refresh (?:this page )?for (?:the )?latest(?: updates)?\.?"
    r"|[-=_~*]{3,}[ \t]*[^-=_~*\s][^\n]{0,60}?[ \t]*[-=_~*]{3,})"
)

#: A date alone on a line (a document's date, a delivery date):
#: "12 August 2022", "August 2022", "Delivered on 5 October 2022".
DATE_LINE = re.compile(
    r"(?:Delivered on |Dated? |Geneva, |Bucharest, )?(?:\d{1,2}\s+)?"
    r"(?:January|February|March|April|May|June|July|August|September|October|November"
    r"|December)\s+\d{4}"
)

#: The "Reasons:" note that closes an ITU proposal: "Reasons:\tEditorial alignment.".
REASONS_LINE = re.compile(r"Reasons?:\s.*")

#: All whole-line furniture patterns, tried in order with ``fullmatch``.
FURNITURE_LINE_PATTERNS = (
    RUNNING_HEADER,
    PAGE_NUMBER,
    URL_LINE,
    AMENDMENT_MARKER,
    FIXED_FURNITURE,
    DATE_LINE,
    REASONS_LINE,
)

#: Longest numbered line (characters) that may be a sub-title standing alone:
#: "2\tDraft revision of Resolution 2 – Study group mandates (Document DT/8)".
MAX_SUBTITLE_CHARS = 120

#: Courtesy lines of a statement that carry no claim and are not clauses:
#: "Thank you, Chair.", "Thank you.", "Thank you, Madam President.".
COURTESY_PARAGRAPH = re.compile(
    r"(?:Thank you(?: (?:very much|all))?|Thanks)"
    r"(?:,\s*(?:Madam |Mr\.? |Mister )?(?:Chair(?:man|person)?|President|Secretary-General))?[.!]"
)

# ---------------------------------------------------------------- word shapes

#: A word (letters, digits, inner hyphens and apostrophes) for the word-level cues.
WORD = re.compile(r"[^\W_](?:[\w'’-]{0,40})")

#: A paragraph without a final stop this short is a title or a standfirst and
#: holds no clause: "Mandate creep or modest tidy-up? Reading the PP-22 outcomes".
MAX_TITLE_CHARS = 200

#: Characters that end a paragraph as a statement; a paragraph that ends with none
#: of them (a title, a standfirst, a signature) is not a clause.
STATEMENT_END = ".?!;:…。！？；：؟؛"
