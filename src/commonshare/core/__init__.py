"""The pure core of Commonshare: money, splits, reviewer draws and valuation.

Nothing here imports Django, touches a database or file, or reads the clock;
time and randomness come in as arguments (a seed). A test enforces this.
"""

from commonshare.core.money import Money, MoneyError, check_currency, currency_exponent
from commonshare.core.split import split_minor

__all__ = ["Money", "MoneyError", "check_currency", "currency_exponent", "split_minor"]
