"""Geometry for the small server-side SVG bar charts; templates draw them.

No JavaScript: the view hands the template boxes in SVG units and the
template escapes every label.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction


@dataclass(frozen=True)
class Bar:
    label: str
    value_text: str
    x: float
    y: float
    width: float
    height: float
    label_x: float
    label_y: float


@dataclass(frozen=True)
class Chart:
    title: str
    width: int
    height: int
    bars: list[Bar]
    horizontal: bool


def horizontal_bars(
    title: str, rows: list[tuple[str, int, str]], *, width: int = 640, row_height: int = 28
) -> Chart:
    """One bar per row ``(label, size, shown value)``, longest first as given."""
    label_width, value_width = 160, 130
    track = width - label_width - value_width
    largest = max((size for _, size, _ in rows), default=0) or 1
    bars = []
    for index, (label, size, shown) in enumerate(rows):
        length = float(Fraction(size, largest) * track) if size > 0 else 0.0
        y = index * row_height + 4
        bars.append(
            Bar(
                label=label,
                value_text=shown,
                x=label_width,
                y=y,
                width=max(length, 1.0 if size > 0 else 0.0),
                height=row_height - 8,
                label_x=label_width + length + 6,
                label_y=y + (row_height - 8) / 2 + 5,
            )
        )
    return Chart(title, width, max(len(rows), 1) * row_height + 8, bars, True)


def vertical_bars(
    title: str, columns: list[tuple[str, int, str]], *, width: int = 640, height: int = 180
) -> Chart:
    """One column per entry ``(label, size, shown value)``, left to right."""
    plot_top, plot_bottom = 20, height - 24
    plot = plot_bottom - plot_top
    largest = max((size for _, size, _ in columns), default=0) or 1
    slot = width / max(len(columns), 1)
    bars = []
    for index, (label, size, shown) in enumerate(columns):
        tall = float(Fraction(max(size, 0), largest) * plot)
        bars.append(
            Bar(
                label=label,
                value_text=shown,
                x=index * slot + slot * 0.15,
                y=plot_bottom - tall,
                width=slot * 0.7,
                height=tall,
                label_x=index * slot + slot / 2,
                label_y=height - 8,
            )
        )
    return Chart(title, width, height, bars, False)
