"""``commonshare allocate FILE``: value contributions and print the payouts as JSON.

FILE is a JSON request, ``-`` for standard input, or a folder of CSV files
(see ``commonshare.valuation_io``). Bad input exits with status 2 and a
message naming each record and field on standard error; nothing is printed
on standard output. The format is documented in docs/valuation.md.

Example::

    echo '{"currency": "EUR", "amount": "100.00", "contributions": [...], "reviews": [...]}' \\
      | commonshare allocate - --method impartial --seed 2024-05
"""

from __future__ import annotations

import json
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

import click

from commonshare.core.money import MoneyError, check_currency, from_minor, parse_decimal, to_minor
from commonshare.core.valuation import METHODS, ValuationError, allocate_columns
from commonshare.core.valuation import allocate as allocate_request
from commonshare.valuation_io import load_csv_folder, request_from_json


def _fail(problems: list[str]) -> None:
    for problem in problems:
        click.echo(f"error: {problem}", err=True)
    sys.exit(2)


@click.command("allocate")
@click.argument("source", metavar="FILE")
@click.option("--method", type=click.Choice(METHODS), default=None, help="Override the method.")
@click.option("--seed", default=None, help="Override the published seed.")
@click.option(
    "--explain",
    "explain_members",
    multiple=True,
    help="CSV folder only: explain these members (default: none, to stay fast).",
)
def allocate_command(
    source: str, method: str | None, seed: str | None, explain_members: tuple[str, ...]
) -> None:
    """Split an amount among members by the peer-reviewed value of their contributions.

    \b
    Example:
      commonshare allocate request.json --method robust
      cat request.json | commonshare allocate -
      commonshare allocate data-folder/          # members.csv, contributions.csv, reviews.csv
    """
    try:
        if source != "-" and Path(source).is_dir():
            result = _allocate_folder(Path(source), method, seed, explain_members)
        else:
            text = sys.stdin.read() if source == "-" else Path(source).read_text()
            try:
                data = json.loads(text, parse_float=_refuse_float)
            except json.JSONDecodeError as error:
                _fail([f"request: not valid JSON: {error}"])
            result = allocate_request(request_from_json(data, method=method, seed=seed)).to_json()
    except ValuationError as error:
        _fail(error.problems)
    except (MoneyError, ValueError) as error:
        _fail([str(error)])
    except OSError as error:
        _fail([f"{source}: {error.strerror or error}"])
    click.echo(json.dumps(result, indent=2, ensure_ascii=False))


# ``main.add_command(allocate)`` in commonshare.cli.main. Kept outside the cli package, so
# that ``python -m commonshare.allocate_cli`` runs it without loading every command first.
allocate = allocate_command


def _refuse_float(text: str) -> Any:
    raise ValuationError([f'number {text}: give decimals as strings such as "{text}"'])


def _allocate_folder(
    folder: Path, method: str | None, seed: str | None, explain_members: tuple[str, ...]
) -> dict[str, Any]:
    header, columns = load_csv_folder(folder)
    currency = check_currency(str(header.get("currency", "")))
    amount: Decimal = parse_decimal(header.get("amount"), field="amount")
    total_minor = to_minor(amount, currency)
    run = allocate_columns(
        columns,
        currency=currency,
        total_minor=total_minor,
        method=method or str(header.get("method", "robust")),
        seed=seed if seed is not None else str(header.get("seed", "")),
        policy=dict(header.get("policy", {})),
    )
    ids = columns.member_ids
    return {
        "currency": currency,
        "amount": str(from_minor(total_minor, currency)),
        "method": run.engine.method,
        "seed": run.seed,
        "policy": run.policy,
        "rounding": run.engine.rounding,
        "payouts": [
            {"member": ids[i], "amount": str(from_minor(part, currency))}
            for i, part in enumerate(run.engine.payout_minor)
            if part
        ],
        "remainder": str(from_minor(run.engine.remainder_minor, currency)),
        "explanations": run.explain(explain_members),
        "monitoring": run.monitoring,
    }


if __name__ == "__main__":
    allocate_command()
