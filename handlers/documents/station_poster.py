"""A station's wall poster: its name and three QR codes (ask a question, request a service,
volunteer) that open the bot on that station directly. A4, as PNG (150 dpi) and PDF.

The QR codes are made with segno (pure Python, no image library needed for the matrix) and
carry `knowledge.deep_links.station_payload` links; Pillow draws the PNG, fpdf2 the PDF with
the same layout and the CJK font of `handlers.documents.volunteer_certificate`. No `telegram` import:
`stationbot poster` writes the same files.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from handlers.documents.volunteer_certificate import cjk_font_file
from handlers.kit.i18n import N_, Gettext
from knowledge.deep_links import ASK, REQUEST, VOLUNTEER, deep_link, station_payload

PNG_MIME = "image/png"
A4_MM = (210.0, 297.0)
DPI = 150
ACTIONS = (
    (ASK, N_("Ask a question")),
    (REQUEST, N_("Request a service")),
    (VOLUNTEER, N_("Become a volunteer")),
)


@dataclass(frozen=True)
class PosterCode:
    action: str  # ask | req | vol
    label: str
    url: str


@dataclass(frozen=True)
class Poster:
    station_code: str
    station_name: str
    heading: str
    footer: str
    codes: tuple[PosterCode, ...]


def poster_for(station_code: str, station_name: str, *, bot_username: str, _: Gettext) -> Poster:
    return Poster(
        station_code=station_code,
        station_name=station_name,
        heading=_("Scan with your phone's camera to open our assistant in Telegram"),
        footer=_("The assistant answers at any hour; a social worker replies in working hours."),
        codes=tuple(
            PosterCode(
                action, _(label), deep_link(bot_username, station_payload(station_code, action))
            )
            for action, label in ACTIONS
        ),
    )


def _qr_png(url: str, scale: int) -> bytes:
    import segno

    out = io.BytesIO()
    segno.make(url, error="m").save(out, kind="png", scale=scale, border=4)
    return out.getvalue()


def _px(mm: float) -> int:
    return round(mm / 25.4 * DPI)


def poster_png(poster: Poster) -> bytes:
    """The poster as an A4 PNG at 150 dpi (1240 × 1754)."""
    from PIL import Image, ImageDraw, ImageFont

    font = cjk_font_file()
    width, height = _px(A4_MM[0]), _px(A4_MM[1])
    image = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(image)

    def text(y_mm: float, words: str, size_mm: float, x_mm: float | None = None) -> None:
        face = ImageFont.truetype(str(font.path), _px(size_mm), index=font.index)
        box = draw.textbbox((0, 0), words, font=face)
        x = (width - (box[2] - box[0])) // 2 if x_mm is None else _px(x_mm)
        draw.text((x, _px(y_mm)), words, fill="black", font=face)

    text(18, poster.station_name, 12)
    text(36, poster.heading, 6)
    for index, code in enumerate(poster.codes):
        top = 55 + index * 78
        qr = Image.open(io.BytesIO(_qr_png(code.url, 8))).convert("RGB")
        side = _px(62)
        qr = qr.resize((side, side), Image.Resampling.NEAREST)
        image.paste(qr, (_px(22), _px(top)))
        text(top + 24, code.label, 9, x_mm=92)
    text(284, poster.footer, 4)
    out = io.BytesIO()
    image.save(out, format="PNG", dpi=(DPI, DPI))
    return out.getvalue()


def poster_pdf(poster: Poster) -> bytes:
    """The poster as an A4 PDF: real text, the QR codes as sharp images."""
    from fpdf import FPDF

    font = cjk_font_file()
    pdf = FPDF(format="A4", unit="mm")
    pdf.set_auto_page_break(auto=False)
    pdf.add_font("cjk", fname=str(font.path), collection_font_number=font.index)
    pdf.set_title(poster.station_name)
    pdf.add_page()

    def centred(y: float, words: str, size_pt: float) -> None:
        pdf.set_font("cjk", size=size_pt)
        pdf.set_xy(0, y)
        pdf.cell(A4_MM[0], size_pt * 0.4, words, align="C")

    centred(20, poster.station_name, 34)
    centred(38, poster.heading, 17)
    for index, code in enumerate(poster.codes):
        top = 55 + index * 78
        pdf.image(io.BytesIO(_qr_png(code.url, 10)), x=22, y=top, w=62, h=62)
        pdf.set_font("cjk", size=26)
        pdf.set_xy(92, top + 26)
        pdf.cell(100, 12, code.label)
    centred(286, poster.footer, 11)
    return bytes(pdf.output())
