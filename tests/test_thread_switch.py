"""pgvet.thread_switch: a brief switch interval inside the block, the caller's after it,
however blocks nest or overlap."""

from __future__ import annotations

import sys
import threading
from collections.abc import Iterator

import pytest

from pgvet.thread_switch import BRIEF_INTERVAL, brief_switches


@pytest.fixture
def callers_interval() -> Iterator[float]:
    saved = sys.getswitchinterval()
    sys.setswitchinterval(0.01)
    yield 0.01
    sys.setswitchinterval(saved)


def test_brief_inside_and_restored_after(callers_interval: float) -> None:
    with brief_switches():
        assert sys.getswitchinterval() == pytest.approx(BRIEF_INTERVAL)
        with brief_switches():
            assert sys.getswitchinterval() == pytest.approx(BRIEF_INTERVAL)
        assert sys.getswitchinterval() == pytest.approx(BRIEF_INTERVAL)  # outer still open
    assert sys.getswitchinterval() == pytest.approx(callers_interval)


def test_restored_after_an_error(callers_interval: float) -> None:
    with pytest.raises(RuntimeError), brief_switches():
        raise RuntimeError("inside")
    assert sys.getswitchinterval() == pytest.approx(callers_interval)


def test_overlapping_blocks_in_two_threads(callers_interval: float) -> None:
    """The first thread leaves while the second is inside: still brief; the last one out
    restores the caller's interval."""
    first_in, second_in, first_out = threading.Event(), threading.Event(), threading.Event()
    seen: list[float] = []

    def first() -> None:
        with brief_switches():
            first_in.set()
            second_in.wait(10)
        first_out.set()

    def second() -> None:
        first_in.wait(10)
        with brief_switches():
            second_in.set()
            first_out.wait(10)
            seen.append(sys.getswitchinterval())

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert seen == [pytest.approx(BRIEF_INTERVAL)]
    assert sys.getswitchinterval() == pytest.approx(callers_interval)
