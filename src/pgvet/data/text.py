"""Words, names and text of realistic lengths.

Real text columns are not uniform: a few words are everywhere and most are rare (Zipf),
and notes are mostly short with a long tail. Both matter to the planner (most-common
values, TOAST, full-text selectivity), so text is drawn from a ranked vocabulary with
log-normal lengths. Strings are made once into pools and picked by numpy indexes, so a
million rows cost a million list look-ups, not a million string builds.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

WORDS = [
    "the",
    "of",
    "and",
    "to",
    "in",
    "is",
    "for",
    "on",
    "with",
    "that",
    "this",
    "was",
    "as",
    "at",
    "be",
    "by",
    "from",
    "are",
    "have",
    "it",
    "not",
    "or",
    "an",
    "patient",
    "skin",
    "treatment",
    "clinic",
    "session",
    "follow",
    "up",
    "call",
    "price",
    "booking",
    "customer",
    "result",
    "consultation",
    "cream",
    "serum",
    "laser",
    "peel",
    "acne",
    "scar",
    "pigment",
    "melasma",
    "dry",
    "oily",
    "sensitive",
    "redness",
    "wrinkle",
    "hydration",
    "botox",
    "filler",
    "package",
    "promotion",
    "discount",
    "visit",
    "review",
    "note",
    "appointment",
    "doctor",
    "nurse",
    "staff",
    "branch",
    "product",
    "stock",
    "order",
    "payment",
    "invoice",
    "refund",
    "request",
    "confirmed",
    "pending",
    "cancelled",
    "schedule",
    "morning",
    "afternoon",
    "evening",
    "weekend",
    "recommend",
    "improve",
    "reduce",
    "increase",
    "daily",
    "weekly",
    "monthly",
    "before",
    "after",
    "photo",
    "report",
    "good",
    "great",
    "better",
    "best",
    "poor",
    "normal",
    "mild",
    "moderate",
    "severe",
    "first",
    "second",
    "third",
    "new",
    "old",
    "line",
    "message",
    "email",
    "phone",
    "reminder",
    "interested",
    "asked",
    "wants",
    "plan",
    "course",
    "program",
    "care",
    "routine",
    "sunscreen",
    "cleanser",
    "toner",
    "mask",
    "facial",
    "body",
    "face",
    "eye",
    "lip",
    "neck",
    "hand",
    "back",
    "area",
    "allergy",
    "history",
    "medication",
    "pregnancy",
    "smoking",
    "sleep",
    "water",
    "diet",
    "stress",
    "hormone",
    "age",
    "budget",
    "deposit",
    "paid",
    "balance",
    "member",
    "point",
    "reward",
    "tier",
    "gold",
    "silver",
    "platinum",
    "referral",
    "friend",
    "family",
    "online",
    "walk",
    "instagram",
    "facebook",
    "website",
    "event",
    "campaign",
    "offer",
    "special",
]

FIRST_NAMES = [
    "Somchai",
    "Suda",
    "Niran",
    "Ploy",
    "Anan",
    "Malee",
    "Kittipong",
    "Nok",
    "Arthit",
    "Chanya",
    "Emma",
    "Liam",
    "Olivia",
    "Noah",
    "Ava",
    "Sophia",
    "Lucas",
    "Mia",
    "Ethan",
    "Yuki",
    "Haruto",
    "Mei",
    "Wei",
    "Jun",
    "Minh",
    "Linh",
    "Siti",
    "Ahmad",
    "Priya",
    "Arjun",
    "Sarah",
    "James",
    "Maria",
    "David",
    "Anna",
    "Kenji",
    "Aiko",
    "Nattaya",
    "Pim",
    "Tanawat",
    "Kanya",
    "Beam",
    "Fah",
    "Mint",
]
LAST_NAMES = [
    "Srisuk",
    "Wongsawat",
    "Chaiyaporn",
    "Rattanakul",
    "Boonmee",
    "Kittisak",
    "Thongchai",
    "Saetang",
    "Smith",
    "Johnson",
    "Brown",
    "Garcia",
    "Tanaka",
    "Suzuki",
    "Chen",
    "Wang",
    "Nguyen",
    "Tran",
    "Kim",
    "Lee",
    "Patel",
    "Singh",
    "Muller",
    "Rossi",
    "Silva",
    "Jaidee",
    "Phromma",
    "Sukjai",
    "Meesuk",
    "Intharat",
]
CITIES = ("Bangkok", "Chiang Mai", "Phuket", "Khon Kaen", "Pattaya", "Hat Yai", "Nonthaburi")

#: Zipf exponent of word frequency in natural text
_ZIPF = 1.1
#: strings made per pool: distinct enough for the planner, cheap to build
POOL = 4096


def zipf_weights(count: int, exponent: float = _ZIPF) -> np.ndarray:
    """Probabilities of ranks 1..count under Zipf's law (the first is the most common)."""
    weights = 1.0 / np.arange(1, count + 1) ** exponent
    return weights / weights.sum()


def vocabulary(extra: Sequence[str] = ()) -> list[str]:
    """The ranked vocabulary: words the project's queries search for come early (so a
    search finds rows, as in production) but not first."""
    words = [w for w in WORDS if w not in extra]
    return words[:8] + list(extra) + words[8:]


def sentence_pool(
    rng: np.random.Generator, words: Sequence[str], median: int, size: int
) -> list[str]:
    """``size`` texts of log-normally distributed word counts (median ``median``)."""
    lengths = np.clip(rng.lognormal(np.log(median), 0.8, size).astype(int), 1, median * 20)
    picks = rng.choice(len(words), size=int(lengths.sum()), p=zipf_weights(len(words)))
    out = []
    start = 0
    for length in lengths:
        chunk = [words[i] for i in picks[start : start + length]]
        start += length
        text = " ".join(chunk)
        out.append(text[:1].upper() + text[1:] + ".")
    return out


def name_pool(rng: np.random.Generator, size: int) -> list[str]:
    """Person names, first and last."""
    first = rng.choice(FIRST_NAMES, size)
    last = rng.choice(LAST_NAMES, size)
    return [f"{f} {la}" for f, la in zip(first, last, strict=True)]


def title_pool(rng: np.random.Generator, words: Sequence[str], size: int) -> list[str]:
    """Short capitalised labels (a service, a product, a campaign name)."""
    content = [w for w in words if len(w) > 3]
    lengths = rng.integers(1, 4, size)
    picks = rng.choice(len(content), size=(size, 3))
    return [
        " ".join(content[i].capitalize() for i in row[:n])
        for row, n in zip(picks, lengths, strict=True)
    ]
