"""Full cycle collections wait for a pause in the agent's input."""

from __future__ import annotations

import gc

import pytest

from deskterm.app import collector
from deskterm.app.collector import IdleCollector


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def idle():
    clock = FakeClock()
    collecting = IdleCollector(clock)
    yield collecting, clock
    collecting.stop()


def test_due_only_after_a_pause_unless_work_piled_up(idle):
    collecting, _ = idle
    assert not collecting.due(collector.FULL_AFTER - 1, idle_for=60)
    assert not collecting.due(collector.FULL_AFTER, idle_for=collector.IDLE_AFTER / 2)
    assert collecting.due(collector.FULL_AFTER, idle_for=collector.IDLE_AFTER)
    assert collecting.due(collector.FULL_ANYWAY, idle_for=0)


def test_start_takes_full_collections_away_and_stop_gives_them_back(idle):
    collecting, _ = idle
    before = gc.get_threshold()
    collecting.start()
    assert gc.get_threshold()[:2] == before[:2]
    assert gc.get_threshold()[2] == collector.NEVER
    collecting.start()  # twice: the thresholds saved are still the original ones
    collecting.stop()
    assert gc.get_threshold() == before


def _pile_up_young_collections(n: int) -> None:
    gc.collect()
    for _ in range(n):
        gc.collect(1)


def test_tick_collects_when_the_agent_pauses(idle):
    collecting, clock = idle
    collecting.start()
    _pile_up_young_collections(collector.FULL_AFTER)
    collecting.input_seen()
    clock.now += collector.IDLE_AFTER / 3
    assert not collecting.tick()  # a key a moment ago: not now
    assert gc.get_count()[2] >= collector.FULL_AFTER
    clock.now += collector.IDLE_AFTER
    assert collecting.tick()
    assert gc.get_count()[2] == 0
    assert collecting.full_collections == 1


def test_tick_does_nothing_unless_started(idle):
    collecting, clock = idle
    _pile_up_young_collections(collector.FULL_ANYWAY)
    clock.now += 60
    assert not collecting.tick()
