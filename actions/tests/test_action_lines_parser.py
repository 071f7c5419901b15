"""The "Action:" line parser (actions.lines): pure, so every shape minutes take is checked here."""

import pytest

from actions.lines import fingerprint, parse_action_lines, parse_line

# (line, offered text, initials, whole board, explicit)
SHAPES = [
    # Seed 000's two lines
    (
        "Action: MH said if DCSs are asked then our position is we are conflicted/mixed. Colleagues agreed.",
        "MH said if DCSs are asked then our position is we are conflicted/mixed. Colleagues agreed.",
        ("MH",),
        False,
        True,
    ),
    (
        "Action: Group to build into their own performance monitoring/reflections. ",
        "Group to build into their own performance monitoring/reflections.",
        (),
        True,
        True,
    ),
    ("ACTION – RE to share the PIF findings", "RE to share the PIF findings", ("RE",), False, True),
    ("ACTION - RE to share the PIF findings", "RE to share the PIF findings", ("RE",), False, True),
    ("Action — LH to write to the DfE", "LH to write to the DfE", ("LH",), False, True),
    ("Action – RE/MH: share the PIF findings", "share the PIF findings", ("RE", "MH"), False, True),
    ("Action RE/MH: share the PIF findings", "share the PIF findings", ("RE", "MH"), False, True),
    ("Action (LH): bring a paper to July", "bring a paper to July", ("LH",), False, True),
    ("Action for KY: circulate the data pack", "circulate the data pack", ("KY",), False, True),
    ("Action by TR, RR: compare rates", "compare rates", ("TR", "RR"), False, True),
    ("Action point: CA to send the figures", "CA to send the figures", ("CA",), False, True),
    ("Actions: all to read the report", "all to read the report", (), True, True),
    ("action: lower-case too", "lower-case too", (), False, True),
    ("Action:- RE to send the note", "RE to send the note", ("RE",), False, True),
    ("Action – All: read the paper", "read the paper", (), True, True),
    ("Action: MH and all to reflect on disruptions", "MH and all to reflect on disruptions", ("MH",), True, True),
    ("Action: The Board to write to the DfE", "The Board to write to the DfE", (), True, True),
    ("Action: KY asked MH to flag with DCSs the need", "KY asked MH to flag with DCSs the need", ("MH",), False, True),
    ("Action: RMo to check the figures", "RMo to check the figures", ("RMo",), False, True),
    ("Action: to be confirmed at the next meeting", "to be confirmed at the next meeting", (), False, True),
    # bullets and numbers before the line
    ("· Action: CA to send the figures", "CA to send the figures", ("CA",), False, True),
    ("- Action: CA to send the figures", "CA to send the figures", ("CA",), False, True),
    ("• Action: CA to send the figures", "CA to send the figures", ("CA",), False, True),
    ("3. Action: CA to send the figures", "CA to send the figures", ("CA",), False, True),
    # bare "KY to …" lines (offered only if KY is one of the board's people: actions.selectors)
    ("KY to circulate the data pack", "KY to circulate the data pack", ("KY",), False, False),
    ("RE/MH to meet the DCSs", "RE/MH to meet the DCSs", ("RE", "MH"), False, False),
    ("KY and LH to write the summary", "KY and LH to write the summary", ("KY", "LH"), False, False),
    ("All to read the paper before July", "All to read the paper before July", (), True, False),
    ("UK to leave the scheme", "UK to leave the scheme", ("UK",), False, False),
]

NOT_ACTIONS = [
    "",
    "   ",
    "Action:",
    "Action log review",
    "Action log: this action log was updated on 17 April 2024",
    "Actions arising from the last meeting were reviewed.",
    "Actioned: the letter went out.",
    "TR presented the data which is over a 5 year period.",
    "MH returned to disruptions and said …",
    "The group agreed there will always be some.",
    "Group agreed there will always be some as we are dealing with complex cases.",
    "LH said that it would be interesting to understand the decisions.",
    "The report to be circulated.",
    "Kevin would say there has been recruitment in the south.",
    "It was agreed that discussions of PIF would move to October.",
]


@pytest.mark.parametrize(("line", "text", "initials", "whole", "explicit"), SHAPES)
def test_it_reads_each_shape_of_action_line(line, text, initials, whole, explicit):
    action = parse_line(line)
    assert action is not None
    assert (action.text, action.initials, action.whole_board, action.explicit) == (text, initials, whole, explicit)
    assert action.line == line.strip()


@pytest.mark.parametrize("line", NOT_ACTIONS)
def test_it_leaves_lines_that_are_not_actions(line):
    assert parse_line(line) is None


def test_it_finds_the_action_lines_of_notes_in_order_and_each_once():
    notes = "\n".join(
        [
            "TR presented the data.",
            "Action: MH said if DCSs are asked then our position is mixed.",
            "",
            "RR said she agrees.",
            "Action: Group to build into their own performance monitoring.",
            "action:  MH said if DCSs are asked then our position is MIXED.",  # the same line, respaced
            "KY to circulate the data pack",
        ]
    )
    found = parse_action_lines(notes)
    assert [a.text for a in found] == [
        "MH said if DCSs are asked then our position is mixed.",
        "Group to build into their own performance monitoring.",
        "KY to circulate the data pack",
    ]


def test_a_fingerprint_ignores_case_and_spacing_but_not_words():
    assert fingerprint("Action: RE to send  the note.") == fingerprint("action: re to send the note")
    assert fingerprint("Action: RE to send the note") != fingerprint("Action: RE to send the notes")
    assert len(fingerprint("x")) == 64
