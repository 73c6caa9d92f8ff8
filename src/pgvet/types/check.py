"""``pgvet types --check FILE``: what a committed types file gets wrong about the schema.

The expected file is generated (:mod:`pgvet.types.typescript`) and both files are read
with the same structural reader (:mod:`pgvet.types.tsparse`), so only meaning is compared:
missing or stale tables, views, functions and enums, and columns that are missing, stale
(no longer in the table) or of the wrong type in ``Row`` / ``Insert`` / ``Update``. Each
difference is a :class:`~pgvet.findings.Finding` pointing at the line of the file where it
is (or where the missing object belongs), so text, JSON and SARIF reports, ``--fail-on``
and editors work as they do for ``pgvet lint``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from pgvet.findings import Category, Finding, Level, sort_findings
from pgvet.types.tsparse import TsMember

FIX = "regenerate it: pgvet types PATH -o {file}"


@dataclass(frozen=True, slots=True)
class CheckRule:
    """A --check finding kind, shaped like a lint rule for the report renderers."""

    name: str
    code: str
    level: Level
    title: str
    doc: str
    category: Category = Category.correctness
    fixable: bool = True


def _rule(name: str, code: str, level: str, title: str, doc: str) -> CheckRule:
    return CheckRule(name, code, Level(level), title, doc)


RULES = {
    r.name: r
    for r in (
        _rule(
            "types-missing-table",
            "T101",
            "error",
            "A table or view of the schema is not in the types file",
            "Code that queries it has no types (or does not compile).",
        ),
        _rule(
            "types-missing-enum",
            "T102",
            "error",
            "An enum of the schema is not in the types file",
            "Columns of that enum type cannot be typed.",
        ),
        _rule(
            "types-missing-function",
            "T103",
            "warn",
            "A function PostgREST exposes is not in the types file",
            "Calls to it through rpc() are untyped.",
        ),
        _rule(
            "types-stale-object",
            "T104",
            "warn",
            "The types file has a table, view, function or enum the schema no longer has",
            "Code typed against it compiles but fails at run time.",
        ),
        _rule(
            "types-missing-column",
            "T105",
            "error",
            "A column of the schema is not in the types file",
            "Code cannot read or write it; inserts miss required values.",
        ),
        _rule(
            "types-stale-column",
            "T106",
            "error",
            "The types file has a column the table no longer has",
            "Code typed against it compiles but fails at run time.",
        ),
        _rule(
            "types-wrong-column",
            "T107",
            "error",
            "A column's type or optionality in the file differs from the schema",
            "Values are typed wrongly (nullability, enum values, number vs string).",
        ),
        _rule(
            "types-wrong-enum",
            "T108",
            "error",
            "An enum's values in the file differ from the schema",
            "Code accepts values the database rejects, or misses new ones.",
        ),
    )
}

_SECTIONS = ("Tables", "Views", "Functions", "Enums")
_MISSING = {
    "Tables": "types-missing-table",
    "Views": "types-missing-table",
    "Functions": "types-missing-function",
    "Enums": "types-missing-enum",
}
_KIND = {"Tables": "table", "Views": "view", "Functions": "function", "Enums": "enum"}


def _normal(type_text: str) -> str:
    """Older generators print ``Json`` for a NOT NULL json column; the same type."""
    return type_text.replace("NonNullable < Json >", "Json")


def check_types(
    expected: dict[str, TsMember], actual: dict[str, TsMember], file: str, database_line: int
) -> list[Finding]:
    """Findings for every difference of ``actual`` (the file) from ``expected``."""
    findings: list[Finding] = []
    fix = FIX.format(file=file)

    def add(rule: str, obj: str, message: str, line: int, detail: str = "") -> None:
        r = RULES[rule]
        findings.append(
            Finding(rule, r.code, r.level, r.category, obj, message, file, line, fix, detail)
        )

    for schema, want_schema in expected.items():
        have_schema = actual.get(schema)
        schema_line = have_schema.line if have_schema else database_line
        for section in _SECTIONS:
            want = want_schema.members.get(section)
            have = have_schema.members.get(section) if have_schema else None
            want_items = want.members if want else {}
            have_items = have.members if have else {}
            section_line = have.line if have else schema_line
            kind = _KIND[section]
            for name, item in want_items.items():
                obj = f"{schema}.{name}"
                if name not in have_items:
                    add(_MISSING[section], obj, f"{kind} {obj} is not in the file", section_line)
                elif section in ("Tables", "Views"):
                    _compare_relation(add, obj, item, have_items[name])
                elif section == "Enums" and item.type_text != have_items[name].type_text:
                    add(
                        "types-wrong-enum",
                        obj,
                        f"enum {obj} is {item.type_text} in the schema, "
                        f"{have_items[name].type_text} in the file",
                        have_items[name].line,
                    )
            for name, item in have_items.items():
                if name not in want_items:
                    obj = f"{schema}.{name}"
                    add("types-stale-object", obj, f"{kind} {obj} is not in the schema", item.line)
    return sort_findings(findings)


def _compare_relation(add: Callable[..., None], obj: str, want: TsMember, have: TsMember) -> None:
    for part in ("Row", "Insert", "Update"):
        want_cols = want.members[part].members if part in want.members else None
        have_part = have.members.get(part)
        if want_cols is None or have_part is None:
            continue
        have_cols = have_part.members
        for name, col in want_cols.items():
            if name not in have_cols:
                add(
                    "types-missing-column",
                    f"{obj}.{name}",
                    f"column {name} of {obj} is not in {part}",
                    have_part.line,
                    part,
                )
                continue
            got = have_cols[name]
            want_type = ("?: " if col.optional else ": ") + _normal(col.type_text)
            got_type = ("?: " if got.optional else ": ") + _normal(got.type_text)
            if want_type != got_type:
                add(
                    "types-wrong-column",
                    f"{obj}.{name}",
                    f"{part}.{name}{got_type} in the file, {name}{want_type} in the schema",
                    got.line,
                    part,
                )
        for name, got in have_cols.items():
            if name not in want_cols:
                add(
                    "types-stale-column",
                    f"{obj}.{name}",
                    f"column {name} of {obj} ({part}) is not in the schema",
                    got.line,
                    part,
                )


def display_path(path: Path) -> str:
    """``path`` relative to the current folder when it is below it (for SARIF and editors)."""
    try:
        return path.resolve().relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return path.as_posix()
