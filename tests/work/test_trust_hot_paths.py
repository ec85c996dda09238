"""Trust levels off the hot paths: each level is computed once per call, and the steward
phase asks the causes that need no level first, never giving a power it no longer grants."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

import pytest
import time_machine
from django.utils import timezone
from tests.conftest import PASSWORD

from commonshare.community import services as community
from commonshare.work import earned, steward, trust
from commonshare.work.models import StewardPhaseEnd

pytestmark = pytest.mark.django_db
START = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


def _join(name: str) -> Any:
    return community.join(email=f"{name.lower()}@example.org", display_name=name, password=PASSWORD)


@pytest.fixture
def begun() -> Iterable[Any]:
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


@pytest.fixture
def computed(monkeypatch: pytest.MonkeyPatch) -> list[set[int]]:
    """The member ids of every computation of earned levels (``assessments_of``)."""
    calls: list[set[int]] = []
    real = earned.assessments_of

    def counted(member_ids: Iterable[int], *, on: dt.date | None = None) -> Any:
        ids = set(member_ids)
        calls.append(ids)
        return real(ids, on=on)

    monkeypatch.setattr(earned, "assessments_of", counted)
    return calls


def test_levels_of_everyone_computes_the_earned_levels_once_while_the_phase_is_open(
    begun: Any, computed: list[set[int]]
) -> None:
    members = [_join(n) for n in ("Ada", "Bo", "Cy", "Di", "Ed")]
    ids = [m.pk for m in members]
    assert steward.phase().is_open
    computed.clear()
    levels = trust.levels_of(ids)
    assert computed == [set(ids)]  # the phase counted the same levels, not its own
    assert (
        levels
        == {m.pk: trust.level_of(m) for m in members}
        == dict(zip(ids, [2, 2, 2, 0, 0], strict=True))
    )


def test_levels_of_some_computes_only_the_missing_members_for_the_phase(
    begun: Any, computed: list[set[int]]
) -> None:
    ada, bo, cy = (_join(n) for n in ("Ada", "Bo", "Cy"))
    computed.clear()
    assert trust.levels_of([ada.pk, bo.pk]) == {ada.pk: 2, bo.pk: 2}
    assert computed == [{ada.pk, bo.pk}, {cy.pk}]


def test_a_recorded_end_answers_without_computing_anyone_s_level(
    begun: Any, computed: list[set[int]]
) -> None:
    ada, _bo = _join("Ada"), _join("Bo")
    StewardPhaseEnd.objects.create(ended_at=timezone.now(), reason="days")
    computed.clear()
    assert not steward.is_open()
    assert not steward.holds_steward_role(ada)
    assert computed == []
    assert trust.level_of(ada) == 0 and computed == [{ada.pk}]  # only her own


def test_days_run_out_answers_without_computing_anyone_s_level(
    begun: Any, computed: list[set[int]]
) -> None:
    ada = _join("Ada")
    begun.move_to(START + dt.timedelta(days=90))
    computed.clear()
    assert not steward.is_open() and not steward.phase().is_open
    assert not trust.has_power(ada, trust.Power.MONEY)
    assert all(ids == {ada.pk} for ids in computed[:1])


def test_the_cheap_answer_is_the_phase_s_answer_and_never_a_stale_power(
    begun: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    ada, bo, cy, di, ed = (_join(n) for n in ("Ada", "Bo", "Cy", "Di", "Ed"))
    everyone = [ada, bo, cy, di, ed]

    def earned_two(*members: Any) -> None:
        ids = {m.pk for m in members}
        monkeypatch.setattr(
            earned,
            "earned_levels_of",
            lambda member_ids, *, on=None, **_: {i: 2 if i in ids else 0 for i in member_ids},
        )
        monkeypatch.setattr(
            earned, "earned_level_of", lambda member, *, on=None: 2 if member.pk in ids else 0
        )

    for holders, is_open in (((di,), True), ((di, ed), True), ((cy, di, ed), False)):
        earned_two(*holders)
        assert steward.is_open() is steward.phase().is_open is is_open
        # The moment enough members earn level 2, the stewards are at their own level.
        assert trust.level_of(ada) == (2 if is_open else 0)
        assert trust.levels_of([m.pk for m in everyone])[ada.pk] == (2 if is_open else 0)
