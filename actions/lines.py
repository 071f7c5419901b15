"""Actions written inline in the minutes: "Action: RE to share the PIF findings".

A pure parser (text in, candidate lines out; no database): `parse_action_lines` finds the lines of
an item's notes that read as actions, with the initials they name. Which board member the initials
stand for, and whether a line is already raised, is decided elsewhere (actions.selectors).

Shapes recognised, each at the start of a line (after a bullet or number, if any):

    Action: MH said if DCSs are asked …        explicit; "MH" leads the text: responsible MH
    ACTION – Group to build into …             explicit; "Group" (or All, Everyone, the Board): all
    Action – RE/MH: share the PIF findings     explicit; a label before a colon names them
    Action (RE): …   Action for RE: …   Action RE/MH: …   Action point: …
    KY to circulate the report                 bare; offered only if KY is one of the board's
    RE/MH to …   KY and LH to …                people (actions.selectors checks)
    Action: KY asked MH to flag …              responsible MH (who was asked)
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass

# Words that mean the whole board when they stand where initials would.
WHOLE_BOARD_WORDS = {
    "all",
    "group",
    "the group",
    "board",
    "the board",
    "everyone",
    "everybody",
    "all members",
    "members",
    "colleagues",
    "whole board",
    "the whole board",
}

# Initials as minutes write them: "MH", "RMo", "FrF" (two capitals at least, five letters at most).
_INITIALS = r"[A-Z][A-Za-z]{1,4}"
_WHOLE = r"(?i:the\s+whole\s+board|the\s+group|the\s+board|whole\s+board|all\s+members|group|board|everyone|everybody|members|colleagues|all)"
_TOKEN = rf"(?:{_INITIALS}|{_WHOLE})"
_JOIN = r"(?:\s*[/,&+]\s*|\s+and\s+|\s+)"
_TOKENS = rf"{_TOKEN}(?:{_JOIN}{_TOKEN})*"
_SEP = r"[:\-\u2013\u2014]"  # colon, hyphen, en and em dash

_BULLET = re.compile(r"^\s*(?:[-*\u2022\u00b7\u25aa\u2013]\s*|\d{1,2}[.)]\s+|\(\w\)\s+)?")
_EXPLICIT = re.compile(
    rf"^(?i:action(?:s|\s+point)?)\s*"
    rf"(?:(?i:for|by)\s+(?P<for>{_TOKENS})\s*|\((?P<paren>{_TOKENS})\)\s*|(?P<label>{_TOKENS})\s*(?={_SEP}))?"
    rf"{_SEP}+\s*(?P<body>.*)$"
)
# After "Action –": "RE/MH: share …" names them in a label.
_LABEL = re.compile(rf"^(?P<label>{_TOKENS})\s*:\s*(?P<text>\S.*)$")
# A sentence opened by who does it: "MH said …", "Group to …", "KY asked MH to …".
_LEAD = re.compile(rf"^(?P<lead>{_TOKENS})\s+(?P<rest>\S.*)$")
_ASKED = re.compile(rf"^asked\s+(?P<asked>{_TOKENS})\s+to\s+\S")
_BARE = re.compile(rf"^(?P<lead>{_TOKENS})\s+to\s+(?P<verb>[a-z]\w*)")


@dataclass(frozen=True)
class ActionLine:
    """A line of the minutes that reads as an action."""

    line: str  # the line as written (trimmed)
    text: str  # the action's text as offered: the line without its "Action:" and label
    initials: tuple[str, ...]  # initials it names as responsible, in order, as written
    whole_board: bool  # "Group", "All", … : the whole board answers for it
    explicit: bool  # it said "Action"; a bare "KY to …" line counts only if KY is on the board

    @property
    def fingerprint(self) -> str:
        return fingerprint(self.line)


def normalise(text: str) -> str:
    """Text as compared: Unicode-normalised, case-folded, dashes and spaces made plain, trimmed."""
    text = unicodedata.normalize("NFKC", text).casefold()
    text = re.sub(r"[\u2010-\u2015]", "-", text)
    text = re.sub(r"[\u2018\u2019]", "'", text)
    return re.sub(r"\s+", " ", text).strip().rstrip(" .;")


def fingerprint(line: str) -> str:
    """What identifies a line of an item's minutes, however it is spaced or capitalised (64 hex)."""
    return hashlib.sha256(normalise(line).encode()).hexdigest()


def _split_tokens(tokens: str) -> tuple[tuple[str, ...], bool]:
    """("RE/MH and all") -> (("RE", "MH"), True)."""
    initials, whole = [], False
    rest = tokens.strip()
    while rest:
        whole_match = re.match(rf"{_WHOLE}\b", rest)
        if whole_match:
            whole = True
            rest = rest[whole_match.end() :]
        else:
            match = re.match(_INITIALS, rest)
            if match is None:  # pragma: no cover - the caller's regex matched tokens only
                break
            if _looks_like_initials(match.group()):
                initials.append(match.group())
            rest = rest[match.end() :]
        rest = re.sub(rf"^{_JOIN}", "", rest)
    return tuple(dict.fromkeys(initials)), whole


def _looks_like_initials(word: str) -> bool:
    return sum(ch.isupper() for ch in word) >= 2


def _lead(body: str) -> tuple[tuple[str, ...], bool]:
    """Who a sentence names as doing it: its opening initials (or "Group", "All"), or whom they asked."""
    match = _LEAD.match(body)
    if match is None:
        return (), False
    lead = match.group("lead")
    # The lead must be initials or whole-board words only: "The report …" names nobody.
    words = re.split(_JOIN, lead)
    if not all(_looks_like_initials(w) or w.casefold() in WHOLE_BOARD_WORDS or w.casefold() == "and" for w in words):
        # Maybe a whole-board phrase of two words ("The group", "The Board").
        whole = re.match(rf"^{_WHOLE}\b", body)
        if whole and whole.group().casefold() in WHOLE_BOARD_WORDS and " " in whole.group():
            return (), True
        return (), False
    initials, whole = _split_tokens(lead)
    asked = _ASKED.match(match.group("rest"))
    if asked:
        return _split_tokens(asked.group("asked"))
    return initials, whole


def parse_line(raw: str) -> ActionLine | None:
    """The action a line of the minutes states, or None."""
    line = raw.strip()
    content = _BULLET.sub("", line, count=1).strip()
    if not content:
        return None
    explicit = _EXPLICIT.match(content)
    if explicit:
        body = explicit.group("body").strip().lstrip(":-\u2013\u2014 ").strip()
        if not body:
            return None
        named = explicit.group("for") or explicit.group("paren") or explicit.group("label")
        if named is None and (label := _LABEL.match(body)) is not None:
            named, body = label.group("label"), label.group("text").strip()
        if named is not None:
            initials, whole = _split_tokens(named)
        else:
            initials, whole = _lead(body)
        return ActionLine(line=line, text=body, initials=initials, whole_board=whole, explicit=True)
    bare = _BARE.match(content)
    if bare:
        lead = bare.group("lead")
        words = [w for w in re.split(_JOIN, lead) if w]
        if not all(_looks_like_initials(w) or w.casefold() in WHOLE_BOARD_WORDS for w in words):
            return None
        initials, whole = _split_tokens(lead)
        asked = _ASKED.match(content[len(lead) :].strip())
        if asked:
            initials, whole = _split_tokens(asked.group("asked"))
        return ActionLine(line=line, text=content, initials=initials, whole_board=whole, explicit=False)
    return None


def parse_action_lines(text: str) -> list[ActionLine]:
    """The lines of `text` that read as actions, in order, each once."""
    found, seen = [], set()
    for raw in (text or "").splitlines():
        action = parse_line(raw)
        if action is not None and action.fingerprint not in seen:
            seen.add(action.fingerprint)
            found.append(action)
    return found
