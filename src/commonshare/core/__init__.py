"""The pure core of Commonshare: money, reviewer draws and valuation (its
rounding, ``core.valuation.rounding``, is the one way an amount is split).

Nothing here imports Django, touches a database or file, or reads the clock;
time and randomness come in as arguments (a seed). A test enforces this.
"""

from commonshare.core.money import Money, MoneyError, check_currency, currency_exponent

__all__ = ["Money", "MoneyError", "check_currency", "currency_exponent"]
