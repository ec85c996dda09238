"""The books' vocabulary is stated once: the API's literal types and the choices agree."""

from __future__ import annotations

from typing import get_args

from commonshare.books import vocab
from commonshare.books.models import ExpenseDecision, Income, JournalEntry
from commonshare.core.ledger.rules import MAX_DESCRIPTION


def test_the_api_literals_are_the_choices() -> None:
    assert get_args(vocab.IncomeSourceValue) == tuple(vocab.IncomeSource.values)
    assert get_args(vocab.ExpenseVerdictValue) == tuple(vocab.ExpenseVerdict.values)
    assert get_args(vocab.ExpenseStatusValue) == tuple(vocab.ExpenseStatus.values)
    assert get_args(vocab.WithdrawalStatusValue) == tuple(vocab.WithdrawalStatus.values)
    assert get_args(vocab.DisputeOutcomeValue) == tuple(vocab.DisputeOutcome.values)
    assert vocab.DEFAULT_INCOME_SOURCE == vocab.IncomeSource.SUPPORT


def test_the_models_use_the_vocabulary() -> None:
    assert Income.Source is vocab.IncomeSource
    assert ExpenseDecision.Verdict is vocab.ExpenseVerdict
    assert Income._meta.get_field("payer").max_length == vocab.PAYER_MAX
    assert max(map(len, vocab.IncomeSource.values)) <= vocab.SOURCE_MAX
    assert max(map(len, vocab.ExpenseVerdict.values)) <= vocab.VERDICT_MAX
    # the journal's columns hold whatever the pure ledger accepts
    assert JournalEntry._meta.get_field("description").max_length == MAX_DESCRIPTION
