"""A small server-side SVG chart: no JavaScript library, nothing fetched at run time. The page
shows the same figures as a table for screen readers."""

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

WIDTH, HEIGHT, PAD = 720, 220, 28


def daily_cases_svg(days: list[dict]) -> SafeString:
    peak = max([1] + [max(d["opened"], d["resolved"]) for d in days])
    slot = (WIDTH - 2 * PAD) / max(1, len(days))
    bar = max(2.0, slot / 2 - 1)
    scale = (HEIGHT - 2 * PAD) / peak
    rects = []
    for i, d in enumerate(days):
        x = PAD + i * slot
        for offset, value, css in ((0, d["opened"], "opened"), (bar, d["resolved"], "resolved")):
            h = value * scale
            rects.append(
                (
                    css,
                    f"{x + offset:.1f}",
                    f"{HEIGHT - PAD - h:.1f}",
                    f"{bar:.1f}",
                    f"{h:.1f}",
                    f"{d['day']:%Y-%m-%d}: {value}",
                )
            )
    bars = format_html_join("", '<rect class="{}" x="{}" y="{}" width="{}" height="{}"><title>{}</title></rect>', rects)
    first, last = days[0]["day"], days[-1]["day"]
    return format_html(
        '<svg class="chart" viewBox="0 0 {} {}" role="img" aria-labelledby="chart-title chart-desc">'
        '<title id="chart-title">{}</title><desc id="chart-desc">{}</desc>'
        '<line x1="{}" y1="{}" x2="{}" y2="{}" class="axis"/>{}'
        '<text x="{}" y="{}" class="label">{}</text><text x="{}" y="{}" class="label" text-anchor="end">{}</text>'
        '<text x="{}" y="{}" class="label">{}</text></svg>',
        WIDTH,
        HEIGHT,
        _("Casos abiertos y resueltos por día"),
        _("Barras azules: casos abiertos; barras verdes: casos resueltos. Máximo en un día: %(n)s.") % {"n": peak},
        PAD,
        HEIGHT - PAD,
        WIDTH - PAD,
        HEIGHT - PAD,
        bars,
        PAD,
        HEIGHT - 8,
        f"{first:%Y-%m-%d}",
        WIDTH - PAD,
        HEIGHT - 8,
        f"{last:%Y-%m-%d}",
        2,
        PAD - 8,
        str(peak),
    )
