"""Draw bar, stacked-bar and line charts with matplotlib, reproducibly, in the Analysis Function palette.

Each chart is drawn once and saved twice: SVG for the HTML page and the
PDF, a 200 dpi PNG for Word, which cannot show SVG. Fixed hash salt and no
dates in the metadata make the files byte-identical from run to run.
"""

from __future__ import annotations

import datetime as dt
import io
import itertools
import re
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from ..project.projectfs import ProjectFS
from ..store.cache import Cache
from .formats import format_value
from .rows import NUMERIC_KINDS, Rows

# Analysis Function accessible categorical palette (government analysis guidance).
PALETTE = ["#12436D", "#28A197", "#801650", "#F46A25", "#3D3D3D", "#A285D1"]
INK, GRID = "#1d1d1b", "#d9d9d9"
PNG_DPI = 200
MAX_TICKS = 12  # an ordered axis (years, months, numbers) with more categories than this is labelled at steps
NICE_STEPS = {"number": (1, 2, 5), "month": (1, 2, 3, 4, 6, 12, 24, 36, 60, 120)}


@dataclass(frozen=True)
class Canvas:
    """The size a chart is drawn at, the size of its smallest text, and how many bars may carry a label."""

    width_in: float
    height_in: float
    small_pt: float
    labelled_bars: int

    @property
    def size(self) -> tuple[int, int]:
        return round(self.width_in * 96), round(self.height_in * 96)  # CSS pixels


PAGE = Canvas(6.3, 3.3, 7, 16)  # the PDF's text width, and a desktop browser's column
# 326 CSS px wide: a phone 390 px wide shows it unscaled, so its smallest text (8 pt) is 10.7 px.
PHONE = Canvas(3.4, 3.4, 8, 8)
SIZE = PAGE.size
DRAWING = 3  # how charts are drawn, in the cache key; raise it whenever the drawing changes (3: stepped ticks)


@dataclass(frozen=True)
class Drawn:
    """A chart for the page (SVG for HTML and PDF, PNG for Word) and for a phone's width (SVG, HTML only)."""

    svg: bytes
    png: bytes
    phone_svg: bytes
    size: tuple[int, int] = SIZE


@dataclass(frozen=True)
class Chart:
    """What to draw; `marks[series][i]` is the shorthand shown instead of record i's suppressed bar."""

    kind: str
    x: str
    series: dict[str, str]
    format: str
    horizontal: bool = False
    y_label: str = ""
    marks: dict[str, list[str]] = field(default_factory=dict)
    x_kind: str = "text"  # the x column's kind: a `date` axis is a time axis, with ticks a date locator picks


def project_fonts(fs: ProjectFS, font_dir: Path) -> list[Path]:
    """Return the .ttf files in `font_dir` the file gate would read: regular files inside the project.

    A FIFO, a device or a link out of the project named like a font is passed over, never opened.
    """
    return [path for path in sorted(font_dir.glob("*.ttf")) if fs.is_readable(path)]


def _pyplot(fonts: Sequence[Path]) -> Any:
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import font_manager, pyplot
    from matplotlib.rcsetup import cycler  # the object `matplotlib.cycler` names, which the stubs omit

    fonts = [path for path in fonts if path.name.startswith("LiberationSans-")]
    for font in fonts:
        font_manager.fontManager.addfont(str(font))
    matplotlib.rcParams.update({
        "svg.hashsalt": "tspdocs",
        "text.parse_math": False,  # "$5m" in a label is money, not TeX: mathtext would fail or garble it
        "svg.fonttype": "none",  # real text in the house font: searchable, and far cheaper to lay out than outlines
        # The SVG names the house font, then any sans-serif: a browser showing it as an image may lack it.
        "font.family": "sans-serif",
        "font.sans-serif": ["Liberation Sans" if fonts else "DejaVu Sans"],
        "font.size": 9,
        "axes.edgecolor": INK,
        "axes.labelcolor": INK,
        "xtick.color": INK,
        "ytick.color": INK,
        "axes.spines.top": False,
        "axes.spines.right": False,
        "axes.prop_cycle": cycler(color=PALETTE),
    })
    return pyplot


def drawn_chart(rows: Rows, chart: Chart, fs: ProjectFS, font_dir: Path, cache: Cache) -> Drawn:
    """Return the chart from the cache, or draw it (importing matplotlib only then) and cache it."""
    files = project_fonts(fs, font_dir)
    fonts = [(p.name, fs.digest(p)) for p in files]
    key = Cache.key("chart", DRAWING, asdict(chart), rows.to_json(), fonts)
    suffixes = (".svg", ".png", ".phone.svg")
    found = [cache.get_bytes("charts", key, suffix) for suffix in suffixes]
    if any(part is None for part in found):
        svg, png, _size = draw_chart(rows, chart, files)
        found = [svg, png, draw_chart(rows, chart, files, PHONE, raster=False)[0]]
        for suffix, data in zip(suffixes, found, strict=True):
            cache.put_bytes("charts", key, suffix, data or b"")
    svg, png, phone = (part or b"" for part in found)
    return Drawn(svg, png, phone)


def draw_chart(rows: Rows, chart: Chart, fonts: Sequence[Path], canvas: Canvas = PAGE, *,
               raster: bool = True) -> tuple[bytes, bytes, tuple[int, int]]:
    """Return the chart drawn on `canvas` as SVG bytes, PNG bytes (empty unless `raster`) and its size in
    CSS pixels, in the given font files."""
    pyplot = _pyplot(fonts)
    figure, axes = pyplot.subplots(figsize=(canvas.width_in, canvas.height_in), layout="constrained")
    labels = [str(v) for v in rows.column(chart.x)]
    series = {title: [_number(v) for v in rows.column(name)] for name, title in chart.series.items()}
    scale = 100 if chart.format.startswith("percent") else 1
    dates = _dates(labels) if chart.x_kind == "date" else None
    if dates is not None:
        _over_time(axes, dates, series, scale, chart.kind)
    elif chart.kind == "line":
        _line(axes, labels, series, scale)
    else:
        marks = {title: chart.marks.get(name, []) for name, title in chart.series.items()}
        _bars(axes, labels, series, scale, stacked=chart.kind == "stacked-bar", horizontal=chart.horizontal,
              fmt=chart.format, marks=marks, canvas=canvas)
    if dates is None:
        category_axis = axes.yaxis if chart.horizontal and chart.kind != "line" else axes.xaxis
        category_axis.set_ticks(*_category_ticks(labels, chart.x_kind, wrap=category_axis is axes.xaxis))
    value_axis = axes.xaxis if chart.horizontal and chart.kind != "line" else axes.yaxis
    value_axis.set_major_formatter(lambda value, _pos: format_value(value / scale, chart.format))
    value_axis.grid(True, color=GRID, linewidth=0.6)
    axes.set_axisbelow(True)
    if chart.y_label:
        (axes.set_xlabel if chart.horizontal else axes.set_ylabel)(chart.y_label)
    if chart.kind == "line" and scale == 100:
        axes.set_ylim(0, 100)
    if len(series) > 1:
        columns = min(len(series), 5) if canvas is PAGE else 1
        figure.legend(frameon=False, fontsize=max(8, canvas.small_pt), loc="outside lower center", ncol=columns)
    svg, png = io.BytesIO(), io.BytesIO()
    figure.savefig(svg, format="svg", metadata={"Date": None, "Creator": None})
    if raster:
        figure.savefig(png, format="png", dpi=PNG_DPI, metadata={"Software": None})
    pyplot.close(figure)
    return svg.getvalue(), png.getvalue(), canvas.size


def _dates(labels: list[str]) -> list[dt.date] | None:
    """Return the x values as dates (a date column holds them as YYYY-MM-DD), or None if one is not."""
    try:
        return [dt.date.fromisoformat(label) for label in labels]
    except ValueError:
        return None


def _over_time(axes: Any, dates: list[dt.date], series: dict[str, list[float]], scale: float, kind: str) -> None:
    """Draw series against a time axis: a label per year, quarter or month as the span allows (matplotlib's
    AutoDateLocator, at most ten), never one per row, which for 120 months would merge into a band."""
    from matplotlib import dates as mdates

    gaps = [(b - a).days for a, b in itertools.pairwise(dates) if b > a]
    width = 0.8 * min(gaps, default=1)
    base = [0.0] * len(dates)
    for index, (title, values) in enumerate(series.items()):
        scaled = [v * scale for v in values]
        colour = PALETTE[index % len(PALETTE)]
        if kind == "line":
            axes.plot(dates, scaled, label=title, color=colour, linewidth=2,
                      marker="o" if len(dates) <= 24 else None)
        else:
            count = 1 if kind == "stacked-bar" else len(series)
            shift = dt.timedelta(days=width * ((index + 0.5) / count - 0.5)) if count > 1 else dt.timedelta(0)
            axes.bar([d + shift for d in dates], scaled, width / count, bottom=base if kind == "stacked-bar" else 0,
                     label=title, color=colour, linewidth=0)
            if kind == "stacked-bar":
                base = [b + v for b, v in zip(base, scaled, strict=True)]
    locator = mdates.AutoDateLocator(minticks=3, maxticks=10)  # type: ignore[no-untyped-call]
    axes.xaxis.set_major_locator(locator)
    axes.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator, show_offset=False))  # type: ignore[no-untyped-call]


def _number(value: Any) -> float:
    """A missing value draws nothing (NaN), as the data table beside the chart shows a dash for it."""
    return float("nan") if value is None else float(value)


def _bars(axes: Any, labels: list[str], series: dict[str, list[float]], scale: float, *, stacked: bool,
          horizontal: bool, fmt: str, marks: dict[str, list[str]], canvas: Canvas) -> None:
    count = len(series)
    positions = list(range(len(labels)))
    width = 0.75 if stacked else 0.8 / count
    base = [0.0] * len(labels)
    for index, (title, values) in enumerate(series.items()):
        scaled = [v * scale for v in values]
        offsets: Sequence[float]
        if stacked:
            offsets, start = positions, base
        else:
            offsets = [p - 0.4 + width * (index + 0.5) for p in positions]
            start = [0.0] * len(labels)
        draw = axes.barh if horizontal else axes.bar
        kwargs = {"left" if horizontal else "bottom": start}
        bars = draw(offsets, scaled, width, label=title, color=PALETTE[index % len(PALETTE)],
                    edgecolor="white", linewidth=0.5, **kwargs)
        if not stacked and count <= 4 and count * len(labels) <= canvas.labelled_bars:
            shown = marks.get(title) or [""] * len(values)
            axes.bar_label(bars, labels=[m or format_value(v, fmt) for v, m in zip(values, shown, strict=True)],
                           fontsize=canvas.small_pt, padding=1.5)
        if stacked:
            base = [b + s for b, s in zip(base, scaled, strict=True)]
    if horizontal:
        axes.invert_yaxis()


def _line(axes: Any, labels: list[str], series: dict[str, list[float]], scale: float) -> None:
    markers = ["o", "s", "^", "D", "v", "P"]
    for index, (title, values) in enumerate(series.items()):
        axes.plot(labels, [v * scale for v in values], label=title, marker=markers[index % len(markers)],
                  color=PALETTE[index % len(PALETTE)], linewidth=2)


def _category_ticks(labels: list[str], kind: str, *, wrap: bool) -> tuple[list[int], list[str]]:
    """Return the positions and text of the category axis's tick labels.

    Text categories each keep their label. An ordered axis (integer years, year-month text, any number
    column) with more than MAX_TICKS categories is labelled only where its value falls on a nice step
    (every 2, 5, 10 … years; every 3, 6, 12 … months), as a date axis is, instead of one label per row,
    which for 17 years overlap.
    """
    everything = [_wrap(label) for label in labels] if wrap else labels
    ordinals = _ordinals(labels, kind)
    if ordinals is None or len(labels) <= MAX_TICKS:
        return list(range(len(labels))), everything
    values, unit = ordinals
    for step in _nice_steps(unit, max(values) - min(values)):
        picked = [i for i, value in enumerate(values) if value % step == 0]
        if 2 <= len(picked) <= MAX_TICKS:
            years = unit == "month" and step % 12 == 0  # a label a year or more apart needs only the year
            return picked, [labels[i][:4] if years else labels[i] for i in picked]
    stride = -(-len(labels) // MAX_TICKS)  # irregular values: every stride-th category
    picked = list(range(0, len(labels), stride))
    return picked, [labels[i] for i in picked]


def _ordinals(labels: list[str], kind: str) -> tuple[list[int], str] | None:
    """Return the categories as whole numbers counted in their unit ("number" or "month", a YYYY-MM label
    being year * 12 + month), or None if the axis is not ordered (text that is not all years or months)."""
    if labels and all(re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", label) for label in labels):
        return [int(label[:4]) * 12 + int(label[5:]) - 1 for label in labels], "month"
    try:
        numbers = [float(label) for label in labels]
    except ValueError:
        return None
    if all(number.is_integer() for number in numbers):
        return [int(number) for number in numbers], "number"
    return (list(range(len(labels))), "number") if kind in NUMERIC_KINDS else None


def _nice_steps(unit: str, span: int) -> Iterator[int]:
    """Yield steps in increasing order up to `span`: the unit's own list, then 10, 20, 50, 100, … times
    its largest (for numbers, 10, 20, 50 …)."""
    yield from NICE_STEPS[unit]
    scale = 10 if unit == "number" else 10 * NICE_STEPS[unit][-1]
    while scale <= span:
        for factor in (1, 2, 5):
            yield factor * scale
        scale *= 10


def _wrap(label: str, width: int = 14) -> str:
    words, lines, line = label.split(), [], ""
    for word in words:
        if line and len(line) + len(word) + 1 > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    return "\n".join([*lines, line])
