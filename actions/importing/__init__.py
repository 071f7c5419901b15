"""Importing an existing action log (.csv, .xlsx, .docx): read the file, then plan the rows.

Two stages, both free of writes:

1. `readers.read_file(name, data)` turns the uploaded bytes into `RawRow`s (the cells as
   written, mapped to fields by their column headers), or raises `ImportRefused` with a sentence a
   person can act on. Every check of the file itself lives there.
2. `planner.plan_rows(rows, people=..., actions=...)` decides per row: create, update, unchanged or
   skip, with every problem on its row; `planner.preview_import(board=..., rows=...)` is the same
   with the board's people and actions fetched.

Writing is `actions.services.actions_import`.
"""

from .planner import (
    CREATE,
    MAX_NOTE_CHARS,
    MAX_TEXT_CHARS,
    NUMBER_JUMP,
    PREVIEW_ROWS_SHOWN,
    SKIP,
    UNCHANGED,
    UPDATE,
    NumberJump,
    Preview,
    Problem,
    RowPlan,
    creatable_initials,
    parse_issued,
    parse_number,
    parse_status,
    plan_rows,
    preview_import,
    split_responsible,
)
from .readers import (
    EXTENSIONS,
    MAX_COLUMNS,
    MAX_ROWS,
    MAX_UPLOAD_BYTES,
    ImportRefused,
    ParsedFile,
    RawRow,
    clean_cell,
    clean_filename,
    map_header,
    map_headers,
    read_file,
    too_large,
)

__all__ = [
    "CREATE",
    "EXTENSIONS",
    "MAX_COLUMNS",
    "MAX_NOTE_CHARS",
    "MAX_ROWS",
    "MAX_TEXT_CHARS",
    "MAX_UPLOAD_BYTES",
    "NUMBER_JUMP",
    "PREVIEW_ROWS_SHOWN",
    "SKIP",
    "UNCHANGED",
    "UPDATE",
    "ImportRefused",
    "NumberJump",
    "ParsedFile",
    "Preview",
    "Problem",
    "RawRow",
    "RowPlan",
    "clean_cell",
    "clean_filename",
    "creatable_initials",
    "map_header",
    "map_headers",
    "parse_issued",
    "parse_number",
    "parse_status",
    "plan_rows",
    "preview_import",
    "read_file",
    "split_responsible",
    "too_large",
]
