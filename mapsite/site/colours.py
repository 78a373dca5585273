"""Readable colours from the seller's `brand_color`, worked out at build time by WCAG 2's own formula.

The brand colour fills the header bar and the lock page's button; words on it must reach the AA
ratio (4.5:1) whatever colour a seller picks, so the text colour is chosen, not configured. Where
the brand colour is itself text (links, the current tab) it is darkened on light pages and
lightened on dark ones until it reads. Browsers never see a ratio: only the colours chosen here.
"""

from __future__ import annotations

AA = 4.5  # WCAG 2 level AA, normal-size text
WHITE, BLACK = "#ffffff", "#000000"  # pure black: any near-black misses 4.5:1 on some mid-tone colours
# The page backgrounds the brand colour's text stands on: Material's light scheme, its dark one (slate,
# hsl(232, 15%, 14%), a shade under the lightest it paints), and the lock page's dark card.
LIGHT_PAGE, DARK_PAGE, DARK_CARD = "#ffffff", "#232630", "#21242b"


def _rgb(colour: str) -> tuple[int, int, int]:
    value = colour.lstrip("#")
    return int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16)


def _hex(rgb: tuple[float, float, float]) -> str:
    return "#" + "".join(f"{round(c):02x}" for c in rgb)


def luminance(colour: str) -> float:
    """WCAG 2 relative luminance of a `#rrggbb` colour: 0 for black, 1 for white."""
    def linear(channel: int) -> float:
        c = channel / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4
    r, g, b = (linear(c) for c in _rgb(colour))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(first: str, second: str) -> float:
    """WCAG 2 contrast ratio, 1 (same) to 21 (black on white)."""
    lighter, darker = sorted((luminance(first), luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def text_on(background: str) -> str:
    """White or black, whichever reads better on `background`; either way at least 4.5:1."""
    return WHITE if contrast(WHITE, background) >= contrast(BLACK, background) else BLACK


def ink(colour: str, background: str, ratio: float = AA) -> str:
    """`colour` as text on `background`: itself when it reads, else mixed toward black or white (away from
    the background) in small steps until it does, so a brand colour stays recognisable as far as it can."""
    if contrast(colour, background) >= ratio:
        return colour
    target = _rgb(BLACK if luminance(background) > 0.18 else WHITE)
    start = _rgb(colour)
    for step in range(1, 21):
        share = step / 20
        mixed = _hex(tuple(a + (b - a) * share for a, b in zip(start, target)))
        if contrast(mixed, background) >= ratio:
            return mixed
    return _hex(target)


def brand_palette(brand: str) -> dict[str, str]:
    """What the templates need of one brand colour: the text on it, and it as text on light and dark pages."""
    return {"fill": brand, "on_fill": text_on(brand), "ink_light": ink(brand, LIGHT_PAGE),
            "ink_dark": ink(brand, DARK_PAGE), "ink_card": ink(brand, DARK_CARD)}
