"""How figures look wherever they are drawn, on a page (ui/charts.py) or a slide
(reports/deck.py): one palette. Numbers and units are reports/format.py's."""

from __future__ import annotations

# Calm colours: recovery reads good, arrears reads as a warning.
GOOD = "#2E8B6E"        # recovered, on target
WARN = "#D9822B"        # arrears
ALERT = "#B83B3B"       # old arrears, below target
NEUTRAL = "#4F7CAC"     # billed, energy
MUTED = "#A7B6C6"       # last year, context
TARGET = "#6B7785"      # target lines
BAND = "#9CCBBB"        # the edges of a projection's band on a slide (GOOD, lighter)
SEQUENCE = [NEUTRAL, GOOD, WARN, "#8E6BB0", "#C9A227", ALERT, "#3AA3B5", MUTED]
INK = "#1F2A36"         # text on a slide
GREY = "#51606E"        # secondary text
TILE = "#F3F6F9"        # a tile's or a table row's background
# Risk grades (风险等级), on a page and a slide: 高 reads as an alert, 中 as a warning.
GRADE = {"high": ALERT, "medium": WARN, "low": MUTED}
