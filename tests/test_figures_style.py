"""radjudge.figures.style: palette, sizes, fonts, the save helper."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402
from PIL import Image  # noqa: E402
from pypdf import PdfReader  # noqa: E402

from radjudge.figures import style  # noqa: E402
from radjudge.figures.index import read_figure_index  # noqa: E402


def test_palette_is_okabe_ito():
    # Okabe & Ito (2008), "Color Universal Design", the eight published colours (hex as in
    # Wong, Nature Methods 8:441, 2011, Fig. 2).
    published = {
        "#000000",
        "#E69F00",
        "#56B4E9",
        "#009E73",
        "#F0E442",
        "#0072B2",
        "#D55E00",
        "#CC79A7",
    }
    assert set(style.OKABE_ITO.values()) == published
    assert set(style.PALETTE) == published
    assert style.PALETTE[-1] == style.OKABE_ITO["yellow"]  # hard on white: last


def test_the_page_box_is_read_from_the_paper_layout(tmp_path):
    # A4 is 210 x 297 mm; paper/template.typ sets margins x 17, top 20, bottom 18 mm and two
    # columns with a 6 mm gutter: text block 176 x 259 mm, columns (176 - 6) / 2 = 85 mm.
    box = style.page_box()
    assert (box.paper, box.width_mm, box.height_mm, box.column_mm) == ("a4", 176, 259, 85)
    assert box.max_height_mm == box.height_mm - style.CAPTION_ALLOWANCE_MM
    other = tmp_path / "t.typ"
    other.write_text(
        'set page(paper: "us-letter", margin: (left: 1in, right: 1in, top: 25mm, bottom: 2cm))\n'
        "columns(3, gutter: 5mm, body)"
    )
    letter = style.page_box(other)
    assert letter.width_mm == pytest.approx(215.9 - 50.8)
    assert letter.column_mm == pytest.approx((215.9 - 50.8 - 10) / 3)
    assert letter.height_mm == pytest.approx(279.4 - 45)
    broken = tmp_path / "broken.typ"
    broken.write_text('set page(paper: "a4")')
    with pytest.raises(ValueError, match="cannot read the page"):
        style.page_box(broken)


def test_sizes_follow_the_page():
    box = style.page_box()
    w, h = style.figure_size("single", height_mm=50)
    assert w * 25.4 == pytest.approx(box.column_mm) and h * 25.4 == pytest.approx(50)
    w, h = style.figure_size("double")
    assert w * 25.4 == pytest.approx(box.width_mm) and h / w == pytest.approx(0.7)
    with pytest.raises(ValueError, match="single"):
        style.figure_size("triple")
    with pytest.raises(ValueError, match="positive"):
        style.figure_size(-3)
    with pytest.raises(ValueError, match="does not fit the page"):
        style.figure_size("double", height_mm=box.max_height_mm + 1)
    with pytest.raises(ValueError, match="does not fit the page"):
        style.figure_size(box.width_mm + 5, height_mm=50)


def test_outside_canvas_names_what_would_be_cut_off():
    with style.figure_style():
        fig, ax = style.new_figure("single", height_mm=40)
        ax.plot([0, 1], [0, 1])
        assert style.outside_canvas(fig) == []
        fig.legend(
            ["a very long legend entry that cannot fit " * 3],
            loc="center left",
            bbox_to_anchor=(0.5, 0.5),
        )
        assert any("legend" in what for what in style.outside_canvas(fig))
    plt.close(fig)


def test_color_cycle_refuses_more_series_than_colours():
    assert len(style.color_cycle(8)) == 8
    with pytest.raises(ValueError, match="facet"):
        style.color_cycle(9)


def test_style_is_scoped():
    before = matplotlib.rcParams["font.size"]
    with style.figure_style():
        assert matplotlib.rcParams["font.size"] == style.STYLE["font.size"]
    assert matplotlib.rcParams["font.size"] == before


def _figure():
    with style.figure_style():
        fig, ax = style.new_figure("single", height_mm=40)
        ax.plot([1, 2, 3], [0.2, 0.5, 0.4])
        ax.set_title("Полнота и точность")
        ax.set_xlabel("Шкала 1–5")
    return fig


def test_save_figure_writes_pdf_png_and_registers(tmp_path):
    files = style.save_figure(
        _figure(),
        "fig_test",
        function="tests.fig",
        notebook="06_figures",
        language="ru",
        outdir=tmp_path,
    )
    pdf, png = files
    assert pdf.suffix == ".pdf" and png.suffix == ".png"
    # Cyrillic survives as text (TrueType embedded), in DejaVu Sans.
    reader = PdfReader(pdf)
    assert "Полнота и точность" in reader.pages[0].extract_text()
    fonts = {str(f["/BaseFont"]) for f in reader.pages[0]["/Resources"]["/Font"].values()}
    assert any("DejaVuSans" in f for f in fonts), fonts
    # 300 dpi and 85 mm wide (bbox "tight" trims a little).
    with Image.open(png) as im:
        assert im.info["dpi"][0] == pytest.approx(300, abs=0.5)
        assert 0.8 * 85 / 25.4 * 300 < im.size[0] <= 85 / 25.4 * 300 + 1
    index = read_figure_index(tmp_path / "index.csv")
    assert sorted(index["format"]) == ["pdf", "png"]
    assert set(index["function"]) == {"tests.fig"} and set(index["language"]) == {"ru"}


def test_saved_files_are_reproducible(tmp_path):
    a = style.save_figure(_figure(), "a", function="f", outdir=tmp_path / "1")
    b = style.save_figure(_figure(), "a", function="f", outdir=tmp_path / "2")
    for x, y in zip(a, b, strict=True):
        assert x.read_bytes() == y.read_bytes()


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"stem": "bad name.pdf"}, "stem"),
        ({"formats": ("svg",)}, "formats"),
        ({"dpi": 50}, "dpi"),
    ],
)
def test_save_figure_rejects_bad_options(tmp_path, kwargs, match):
    args = {"stem": "ok", "function": "f", "outdir": tmp_path, **kwargs}
    fig = _figure()
    with pytest.raises(ValueError, match=match):
        style.save_figure(fig, **args)
    plt.close(fig)
