"""Text that cannot break a document: control characters out, on the way in and on the way out.

Word (XML), Excel (XML) and calendar files cannot hold C0 control characters other than tab,
newline and carriage return, nor the non-characters U+FFFE/U+FFFF or lone surrogates: python-docx
and openpyxl raise on them (a 500 for everyone downloading). They are taken out of every form's
text (`adoptboard.apps`), of imported cells (actions.importing.readers) and, again, by every writer.
"""

import re

CONTROL_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def printable(text: str) -> str:
    """The text without the characters no document can hold (tab, newline and CR stay)."""
    return CONTROL_CHARACTERS.sub("", text) if text else text
