"""Server-drawn SVG bar charts: no chart library, no CDN and no script, so they render on an
intranet under a strict CSP and print as they look. The view builds the geometry here; the
template `includes/bar_chart.html` draws it."""

from dataclasses import dataclass

# Colour-blind-safe palette (Okabe-Ito), one colour a series.
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00"]


@dataclass
class Series:
    label: str
    values: list  # one number (or None) per group


def bar_chart(*, groups, series, max_value=None, unit="", width=640, label_width=180, bar_height=10):
    """Horizontal grouped bars: one group per label in `groups`, one bar per series in it.
    `max_value` fixes the scale (100 for percentages); by default the largest value."""
    values = [v for s in series for v in s.values if v is not None]
    top = max_value or max(values, default=0) or 1
    span = width - label_width - 40
    legend_y, first_y = 2, 20
    group_height = bar_height * len(series) + 6
    out_groups = []
    for i, name in enumerate(groups):
        y = first_y + i * group_height
        bars = []
        for j, s in enumerate(series):
            value = s.values[i]
            w = round(span * (value or 0) / top, 1)
            by = y + j * bar_height
            bars.append({
                "label": s.label, "value": "—" if value is None else f"{value}{unit}", "fill": PALETTE[j % len(PALETTE)],
                "x": label_width, "y": by, "w": w, "h": bar_height - 1, "text_x": label_width + w + 4,
                "text_y": by + bar_height - 2,
            })
        out_groups.append({"name": name, "label_y": y + group_height / 2, "bars": bars})
    legend = [
        {"label": s.label, "fill": PALETTE[j % len(PALETTE)], "x": label_width + j * 140, "y": legend_y}
        for j, s in enumerate(series)
    ]
    return {
        "width": width, "height": first_y + len(groups) * group_height + 4, "groups": out_groups, "legend": legend,
        "axis_x": label_width, "full_x": label_width + span,
    }
