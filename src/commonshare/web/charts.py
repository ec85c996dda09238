"""Geometry for the small server-side SVG bar charts; templates draw them.

No JavaScript: the view hands the template boxes in SVG units and the
template escapes every label.
"""

from __future__ import annotations

from collections.abc import Callable
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


@dataclass(frozen=True)
class Series:
    name: str
    css: str  # class of its bars, e.g. "income" or "costs"


@dataclass(frozen=True)
class Level:
    """A horizontal line across the plot, such as break-even income."""

    y: float
    text: str


@dataclass(frozen=True)
class GroupedChart:
    title: str
    width: int
    height: int
    series: list[Series]
    bars: list[tuple[Bar, Series]]
    labels: list[Bar]
    level: Level | None
    axis_y: float
    top_y: float = 0.0
    top_text: str = ""  # the value the top of the plot stands for


def grouped_bars(
    title: str,
    series: list[Series],
    groups: list[tuple[str, list[tuple[int, str]]]],
    *,
    level: tuple[int, str] | None = None,
    scale_text: Callable[[int], str] | None = None,
    width: int = 960,
    height: int = 260,
) -> GroupedChart:
    """Side-by-side columns per group (a month), one per series, and an optional level line.

    ``groups`` are ``(label, [(size, shown value) per series])``; negative sizes
    are drawn as zero (the value text still says what it is).
    """
    plot_top, plot_bottom = 24, height - 26
    plot = plot_bottom - plot_top
    sizes = [size for _, values in groups for size, _ in values]
    largest = max([*sizes, level[0] if level else 0, 0]) or 1
    slot = width / max(len(groups), 1)
    inner = slot * 0.76
    each = inner / max(len(series), 1)
    bars: list[tuple[Bar, Series]] = []
    labels: list[Bar] = []
    for index, (label, values) in enumerate(groups):
        left = index * slot + slot * 0.12
        for position, ((size, shown), kind) in enumerate(zip(values, series, strict=True)):
            tall = float(Fraction(max(size, 0), largest) * plot)
            x = left + position * each
            bars.append(
                (
                    Bar(
                        f"{label} {kind.name}",
                        shown,
                        x,
                        plot_bottom - tall,
                        each * 0.9,
                        tall,
                        x,
                        plot_bottom,
                    ),
                    kind,
                )
            )
        labels.append(Bar(label, "", 0, 0, 0, 0, index * slot + slot / 2, height - 8))
    drawn_level = None
    if level is not None and level[0] > 0:
        drawn_level = Level(plot_bottom - float(Fraction(level[0], largest) * plot), level[1])
    top = max([*sizes, level[0] if level else 0, 0])
    return GroupedChart(
        title,
        width,
        height,
        series,
        bars,
        labels,
        drawn_level,
        plot_bottom,
        top_y=plot_top,
        top_text=scale_text(top) if scale_text and top > 0 else "",
    )
