"""The rules of the open books: a double-entry, append-only, hash-chained journal.

Pure: no Django, no I/O, no clock. The ``books`` app stores what these
functions produce and streams it back to ``verify_chain``.

Sign convention: a posting's ``minor`` is positive for a debit, negative for
a credit (as in Beancount); each entry's postings sum to zero in its one
currency. Account names and the canonical form are described in
``accounts`` and ``canonical``; the hash chain in ``chain``, its checks in ``verify``.
"""

from commonshare.core.ledger.accounts import (
    BANK,
    MEMO_OFFSET,
    OPENING,
    PAYOUTS,
    RESERVE,
    STANDARD_ACCOUNTS,
    AccountType,
    account_problems,
    account_type,
    beancount_account,
    expense_account,
    in_kind_account,
    income_account,
    is_account,
    payable_account,
)
from commonshare.core.ledger.canonical import (
    canonical_bytes,
    posting_lines,
    rendering_matches,
    stored_canonical_bytes,
)
from commonshare.core.ledger.chain import entry_hash, join_postings, seal
from commonshare.core.ledger.journal import MemoryJournal
from commonshare.core.ledger.records import (
    GENESIS_HASH,
    MAX_MINOR,
    EntryDraft,
    LedgerError,
    Posting,
    StoredEntry,
)
from commonshare.core.ledger.rules import (
    balances,
    check_entry,
    check_reversal,
    entry_balances,
    negated,
    one_line,
    require,
    reversal_of,
    transfer,
)
from commonshare.core.ledger.verify import ChainProblem, VerifyReport, chain_holds, verify_chain

__all__ = [
    "BANK",
    "GENESIS_HASH",
    "MAX_MINOR",
    "MEMO_OFFSET",
    "OPENING",
    "PAYOUTS",
    "RESERVE",
    "STANDARD_ACCOUNTS",
    "AccountType",
    "ChainProblem",
    "EntryDraft",
    "LedgerError",
    "MemoryJournal",
    "Posting",
    "StoredEntry",
    "VerifyReport",
    "account_problems",
    "account_type",
    "balances",
    "beancount_account",
    "canonical_bytes",
    "chain_holds",
    "check_entry",
    "check_reversal",
    "entry_balances",
    "entry_hash",
    "expense_account",
    "in_kind_account",
    "income_account",
    "is_account",
    "join_postings",
    "negated",
    "one_line",
    "payable_account",
    "posting_lines",
    "rendering_matches",
    "require",
    "reversal_of",
    "seal",
    "stored_canonical_bytes",
    "transfer",
    "verify_chain",
]
