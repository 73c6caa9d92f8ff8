"""Which statements of a project mention a word, found without reading every statement.

Several rules locate their object in the migrations by a word the statement must hold
(``autovacuum_enabled``, ``extension``, ``disable row level security``, ``pgmq``). Testing
each of a large project's 19,000 statements, with a case-insensitive regular expression or
a lower-cased copy, took up to 30 ms per rule; most files do not hold the word at all.
Each file's text is lower-cased once per project; only the statements of the files that
hold the word are looked at.
"""

from __future__ import annotations

from pgvet.analysis.memo import memo
from pgvet.replay.project import Project, Statement


def statements_mentioning(project: Project, word: str) -> list[Statement]:
    """The statements whose text holds ``word`` (lower case, ASCII) in any case, in apply
    order; callers still test what they need (a regular expression, the parse tree)."""
    lowered = memo(project, "lower-cased files", lambda: [f.text.lower() for f in project.files])
    out: list[Statement] = []
    for migration, text in zip(project.files, lowered, strict=True):
        if word in text:
            out += [s for s in migration.statements if word in s.text.lower()]
    return out
