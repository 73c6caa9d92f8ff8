"""pgvet.catalog.positional: a model object made positionally is the object ``cls(...)``
makes (equal, hashed, pickled, frozen), at a fraction of the cost."""

from __future__ import annotations

import pickle
from dataclasses import FrozenInstanceError, astuple, dataclass, fields
from typing import Any

import pytest

from pgvet.catalog.model import Column, Constraint, Index, Policy, Table, TablePrivilege
from pgvet.catalog.positional import positional

_SAMPLES: list[Any] = [
    Column("id", 1, "uuid", "pg_catalog", "uuid", True, "gen_random_uuid()", None, None),
    Table("public", "notes", "table", True, owner="postgres", options=("fillfactor=70",)),
    Constraint(
        "public", "notes", "notes_owner_fkey", "foreign", ("owner",),
        "FOREIGN KEY (owner) REFERENCES auth.users(id)", ref_schema="auth",
        ref_table="users", ref_columns=("id",), on_delete="cascade", ref_primary=True,
    ),
    Index(
        "public", "notes", "notes_owner", ("owner",), ("owner",), 1, "btree",
        "CREATE INDEX notes_owner ON public.notes USING btree (owner)",
        opclasses=("uuid_ops",), collations=(None,), descending=(False,),
        nulls_first=(False,),
    ),
    Policy("public", "notes", "own", "SELECT", ("authenticated",), using="owner = auth.uid()"),
    TablePrivilege("public", "notes", "anon", frozenset({"SELECT"})),
]  # fmt: skip


@pytest.mark.parametrize("sample", _SAMPLES, ids=lambda s: type(s).__name__)
def test_made_positionally_is_the_same_object(sample: Any) -> None:
    cls = type(sample)
    made = positional(cls)(*astuple(sample) if cls is not Table else _table_values(sample))
    assert type(made) is cls
    assert made == sample and hash(made) == hash(sample) and repr(made) == repr(sample)
    assert pickle.loads(pickle.dumps(made)) == sample
    for field in fields(cls):
        with pytest.raises(FrozenInstanceError):
            setattr(made, field.name, None)


def _table_values(table: Table) -> list[Any]:
    """A table's fields in order (astuple would turn its columns into tuples)."""
    return [getattr(table, f.name) for f in fields(table)]


def test_every_field_must_be_given() -> None:
    make = positional(Policy)
    with pytest.raises(TypeError):
        make("public", "notes", "own", "SELECT", ("authenticated",))  # type: ignore[call-arg]


def test_only_slotted_dataclasses_without_post_init() -> None:
    @dataclass(frozen=True)
    class NoSlots:
        a: int

    @dataclass(frozen=True, slots=True)
    class Checked:
        a: int

        def __post_init__(self) -> None:
            if self.a < 0:
                raise ValueError(self.a)

    for cls in (NoSlots, Checked, int):
        with pytest.raises(TypeError):
            positional(cls)
