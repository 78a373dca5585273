"""Brand colours: the text chosen for them, and they as text, reach WCAG AA by the WCAG 2 formula itself."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from mapsite.site import colours

hex_colours = st.integers(0, 0xFFFFFF).map(lambda n: f"#{n:06x}")


def test_luminance_and_contrast_match_the_wcag_definition():
    assert colours.luminance("#000000") == 0 and colours.luminance("#ffffff") == 1
    assert round(colours.contrast("#000000", "#ffffff"), 2) == 21
    assert round(colours.contrast("#777777", "#ffffff"), 2) == 4.48  # the classic "grey that just fails"
    assert round(colours.contrast("#21242b", "#1f3a93"), 2) == 1.54  # the lock button in dark mode, before: axe said 1.54
    assert colours.contrast("#1f3a93", "#ffffff") == colours.contrast("#ffffff", "#1f3a93")


def test_the_shipped_colour_gets_white_text_and_a_light_one_black():
    assert colours.text_on("#1f3a93") == "#ffffff"
    assert colours.text_on("#ffd54f") == "#000000"
    assert colours.ink("#1f3a93", colours.LIGHT_PAGE) == "#1f3a93"  # dark enough already: kept as it is
    assert colours.ink("#1f3a93", colours.DARK_PAGE) != "#1f3a93"  # lightened for dark pages


@given(hex_colours)
def test_text_on_any_brand_colour_reaches_aa(brand):
    assert colours.contrast(colours.text_on(brand), brand) >= colours.AA


@given(hex_colours, st.sampled_from([colours.LIGHT_PAGE, colours.DARK_PAGE, colours.DARK_CARD]))
def test_any_brand_colour_as_text_reaches_aa_on_light_and_dark_pages(brand, page):
    shade = colours.ink(brand, page)
    assert colours.contrast(shade, page) >= colours.AA
    if colours.contrast(brand, page) >= colours.AA:
        assert shade == brand


@given(hex_colours)
def test_the_palette_is_only_colours(brand):
    palette = colours.brand_palette(brand)
    assert all(len(value) == 7 and value.startswith("#") for value in palette.values())
