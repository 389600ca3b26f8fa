"""Every palette stays distinguishable under simulated colour-vision deficiencies (Machado et al. 2009, severity 1)."""
from __future__ import annotations

import itertools

import numpy as np
import pytest

from sanctuary_map.mapping import OVERLAY_STYLES, STYLES
from sanctuary_map.vocab import (
    FEDERAL_COLOUR,
    MODEL_COLOUR,
    RESEARCHED_COLOUR,
    STANCE_COLOUR,
    ZONE_COLOUR,
)

MACHADO = {
    "normal": np.eye(3),
    "protanopia": np.array([[0.152286, 1.052583, -0.204868], [0.114503, 0.786281, 0.099216], [-0.003882, -0.048116, 1.051998]]),
    "deuteranopia": np.array([[0.367322, 0.860646, -0.227968], [0.280085, 0.672501, 0.047413], [-0.011820, 0.042940, 0.968881]]),
    "tritanopia": np.array([[1.255528, -0.076749, -0.178779], [-0.078411, 0.930809, 0.147602], [0.004733, 0.691367, 0.303900]]),
}
PALETTES = {
    "stance": list(STANCE_COLOUR.values()),
    "287(g) models": [MODEL_COLOUR[m] for m in ("jail_enforcement", "task_force", "warrant_service_officer")],
    "map furniture": [STANCE_COLOUR["limits_cooperation"], STANCE_COLOUR["requires_cooperation"], ZONE_COLOUR, FEDERAL_COLOUR],
    # Every entry a legend can show, together: a 287(g) model must never read as a stance (or the reverse).
    "every legend entry": [*STANCE_COLOUR.values(), *(MODEL_COLOUR[m] for m in ("jail_enforcement", "task_force",
                                                                             "warrant_service_officer")),
                           FEDERAL_COLOUR, RESEARCHED_COLOUR, ZONE_COLOUR],
}
BASE = "#f4f4f1"  # the states' base fill under everything
MIN_BLEND_DELTA_E = 10.0
# The federal-list hatch (static/js/sanctuary-map.js): 1-px black lines on an 8-px diagonal tile (about 18 % of
# its area) drawn at globalAlpha 0.45 in a symbolizer of opacity 0.7: what it adds to a fill, on average.
HATCH_ALPHA = (8 * 2 ** 0.5 / 64) * 0.45 * 0.7
MIN_DELTA_E = 12.0  # CIE76 in CIELAB: clearly different at a glance


def _lin(c):
    c = np.asarray(c) / 255.0
    return np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)


def _lab(rgb_lin):
    m = np.array([[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722], [0.0193, 0.1192, 0.9505]])
    xyz = m @ rgb_lin / np.array([0.95047, 1.0, 1.08883])
    f = np.where(xyz > 216 / 24389, np.cbrt(xyz), (24389 / 27 * xyz + 16) / 116)
    return np.array([116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])])


def _hex(h):
    return [int(h[i:i + 2], 16) for i in (1, 3, 5)]


@pytest.mark.parametrize("name", PALETTES)
@pytest.mark.parametrize("vision", MACHADO)
def test_palette_distinct(name, vision):
    colours = [_lab(np.clip(MACHADO[vision] @ _lin(_hex(c)), 0, 1)) for c in PALETTES[name]]
    worst = min(np.linalg.norm(a - b) for a, b in itertools.combinations(colours, 2))
    assert worst >= MIN_DELTA_E, f"{name} under {vision}: closest pair only {worst:.1f} apart"


def _blend(top: str, alpha: float, under) -> np.ndarray:
    """sRGB 0-255 of ``top`` at ``alpha`` over ``under`` (another sRGB triple)."""
    return np.asarray(_hex(top)) * alpha + np.asarray(under) * (1 - alpha)


def _lab_of(rgb, vision: str):
    return _lab(np.clip(MACHADO[vision] @ _lin(rgb), 0, 1))


def test_models_and_zones_are_outlines_not_fills():
    """Overlays draw lines, so nothing laid over a stance fill can mix into another category's colour."""
    filled = [k for k, (_n, _v, style) in OVERLAY_STYLES.items() if style.get("fillOpacity", 0) > 0 or style.get("fill")]
    assert filled == [], f"overlays drawn as fills: {filled}"


@pytest.mark.parametrize("vision", MACHADO)
def test_no_blend_of_an_overlay_and_a_fill_impersonates_a_legend_colour(vision):
    """Every stance fill as drawn (at each layer's opacity over the base), with each overlay that has a fill laid
    over it (and the federal-list hatch, at its average coverage), stays >= 10 from every other legend colour drawn
    as a fill (stances, "researched"), and from the 287(g) outlines' colours.  (Zones and the border are lines in
    their own dash patterns: an area cannot be mistaken for them.)"""
    fills = [*STANCE_COLOUR.values(), RESEARCHED_COLOUR,
             *(MODEL_COLOUR[m] for m in ("jail_enforcement", "task_force", "warrant_service_officer"))]
    legend = {c: _lab(np.clip(MACHADO[vision] @ _lin(_hex(c)), 0, 1)) for c in fills}
    overlays = [(s.get("fillColor", s.get("color")), s["fillOpacity"]) for _n, _v, s in OVERLAY_STYLES.values()
                if s.get("fillOpacity", 0) > 0] + [(FEDERAL_COLOUR, HATCH_ALPHA)]
    checked = 0
    for stance in STANCE_COLOUR.values():
        for layer, style in STYLES.items():
            fill = _blend(stance, style["fill"], _hex(BASE))
            for colour, alpha in overlays:
                mixed = _lab_of(_blend(colour, alpha, fill), vision)
                for name, lab in legend.items():
                    if name in (stance, colour):
                        continue
                    checked += 1
                    assert np.linalg.norm(mixed - lab) >= MIN_BLEND_DELTA_E, (
                        f"{colour} at {alpha} over {stance} ({layer}) looks like {name} under {vision}")
    assert checked > 0


@pytest.mark.parametrize("vision", MACHADO)
def test_dark_snapshots_keep_every_legend_colour_apart_and_visible(vision):
    """On a dark page (export --theme dark) the redrawn colours (ink, "researched", the 287(g) outlines) stay apart
    from each other and from the stance fills, and every line colour stands out from the dark base."""
    from sanctuary_map.vocab import THEMES, themed

    base = THEMES["dark"]["base"]
    light = [MODEL_COLOUR[m] for m in ("jail_enforcement", "task_force", "warrant_service_officer")] + [FEDERAL_COLOUR]
    lines = [themed(c, "dark") for c in light] + [ZONE_COLOUR]
    assert all(d.lower() != c.lower() for d, c in zip(lines, light)), "the dark theme redraws the dark outlines"
    everything = [*STANCE_COLOUR.values(), themed(RESEARCHED_COLOUR, "dark"), *lines]
    labs = [_lab_of(_hex(c), vision) for c in everything]
    worst = min(np.linalg.norm(a - b) for a, b in itertools.combinations(labs, 2))
    assert worst >= MIN_DELTA_E, f"dark theme under {vision}: closest pair only {worst:.1f} apart"
    dark = _lab_of(_hex(base), vision)
    faint = min(np.linalg.norm(_lab_of(_hex(c), vision) - dark) for c in lines)
    assert faint >= 30, f"a line colour is hard to see on the dark base under {vision} ({faint:.1f})"
