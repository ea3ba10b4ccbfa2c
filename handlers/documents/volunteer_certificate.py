"""A volunteer's hours certificate as a printable PDF (A4), in the reader's language (Chinese
by default), from a `services.volunteer_certificates.Certificate`.

Why fpdf2: the certificate must carry Chinese as real, embedded text (printable anywhere,
searchable, checkable). Debian's CJK font is Noto Sans CJK, an OpenType collection (`.ttc`)
with CFF outlines; reportlab embeds TrueType outlines only and refuses it, while fpdf2 reads
the collection through fontTools and embeds a subset of the glyphs used (a certificate is
about 20 KB). matplotlib's PDF backend could draw the text too, but it lays out figures, not
pages with flowing tables and page breaks. No `telegram` import: the CLI uses this as well.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from zoneinfo import ZoneInfo

from handlers.kit.i18n import Gettext, ngettext_of, plural_n
from services.volunteer_certificates import Certificate

PDF_MIME = "application/pdf"
FONT_HINTS = ("notosanscjk", "notosanssc", "sourcehansans", "wqy", "droidsansfallback")
SIMPLIFIED = ("SC", "CN", "GB", "Hans")


class NoCjkFont(RuntimeError):
    """No Chinese font is installed (Debian: `apt-get install fonts-noto-cjk`)."""


@dataclass(frozen=True)
class FontFile:
    path: Path
    index: int  # the face inside a `.ttc` collection (0 for a single font)


@functools.cache
def cjk_font_file() -> FontFile:
    """The installed CJK font file (the Simplified Chinese face of a collection)."""
    from fontTools.ttLib import TTCollection
    from matplotlib import font_manager

    found = sorted(
        (
            Path(p)
            for p in font_manager.findSystemFonts()
            if any(h in Path(p).name.lower() for h in FONT_HINTS)
        ),
        # Regular weight and sans first: a certificate is not printed in Black or Serif.
        key=lambda p: ("regular" not in p.name.lower(), "serif" in p.name.lower(), p.name),
    )
    for path in found:
        if path.suffix.lower() != ".ttc":
            return FontFile(path, 0)
        collection = TTCollection(str(path), lazy=True)
        for index, face in enumerate(collection.fonts):
            family = face["name"].getBestFamilyName() or ""
            if any(tag in family.split() for tag in SIMPLIFIED) and "Mono" not in family:
                return FontFile(path, index)
        return FontFile(path, 0)
    raise NoCjkFont("no CJK font found (install fonts-noto-cjk)")


def hours_text(minutes: int) -> str:
    """2.5, 3, 0.5: hours as people write them."""
    return f"{minutes / 60:.1f}".removesuffix(".0")


def date_text(day: date, _: Gettext) -> str:
    return _("{year}-{month}-{day}").format(year=day.year, month=day.month, day=day.day)


def certificate_file_name(certificate: Certificate) -> str:
    return f"certificate-{certificate.display_code}.pdf"


def certificate_pdf(
    certificate: Certificate, *, station_name: str, _: Gettext, zone: ZoneInfo
) -> bytes:
    """The certificate as PDF bytes. Raises NoCjkFont without a CJK font."""
    from fpdf import FPDF
    from fpdf.enums import XPos, YPos

    font = cjk_font_file()
    pdf = FPDF(format="A4", unit="mm")
    pdf.set_auto_page_break(auto=True, margin=20)
    pdf.set_margins(22, 22, 22)
    pdf.add_font("cjk", fname=str(font.path), collection_font_number=font.index)
    pdf.set_title(_("Volunteer service certificate"))
    pdf.add_page()
    width = pdf.w - pdf.l_margin - pdf.r_margin

    def line(text: str, size: float, *, align: str = "L", gap: float = 2) -> None:
        pdf.set_font("cjk", size=size)
        pdf.multi_cell(width, size * 0.5, text, align=align, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.ln(gap)

    line(_("Volunteer service certificate"), 24, align="C", gap=10)
    holder = certificate.holder_name or _("(name erased)")
    line(_("Volunteer: {name}").format(name=holder), 14)
    if certificate.minor:
        line(
            _("A volunteer under 18; guardian on file: {guardian}").format(
                guardian=certificate.guardian_name or _("(name erased)")
            ),
            12,
        )
    period = (
        _("all volunteer service")
        if certificate.year is None
        else _("volunteer service in {year}").format(year=certificate.year)
    )
    first = certificate.first_date or certificate.issued_at.astimezone(zone).date()
    last = certificate.last_date or first
    line(
        ngettext_of(_)(
            "This certifies that from {first} to {last} the volunteer served {hours} hour "
            "of volunteer service with {station} ({period}; activities: {count}), as "
            "confirmed by the station's social workers.",
            "This certifies that from {first} to {last} the volunteer served {hours} hours "
            "of volunteer service with {station} ({period}; activities: {count}), as "
            "confirmed by the station's social workers.",
            plural_n(certificate.minutes / 60),
        ).format(
            first=date_text(first, _),
            last=date_text(last, _),
            count=len(certificate.activities),
            station=station_name,
            period=period,
            hours=hours_text(certificate.minutes),
        ),
        13,
        gap=6,
    )

    # The activities, one row each.
    pdf.set_font("cjk", size=11)
    columns = (width * 0.25, width * 0.55, width * 0.20)
    for text, column in zip((_("Date"), _("Activity"), _("Hours served")), columns, strict=True):
        pdf.cell(column, 8, text, border=1, align="C")
    pdf.ln(8)
    for activity in certificate.activities:
        cells = (
            date_text(activity.local_date, _),
            activity.title,
            hours_text(activity.minutes),
        )
        for text, column, align in zip(cells, columns, ("C", "L", "C"), strict=True):
            pdf.cell(column, 8, text, border=1, align=align)
        pdf.ln(8)
    pdf.set_font("cjk", size=11)
    pdf.cell(columns[0] + columns[1], 8, _("Total"), border=1, align="R")
    pdf.cell(columns[2], 8, hours_text(certificate.minutes), border=1, align="C")
    pdf.ln(14)

    issued = certificate.issued_at.astimezone(zone).date()
    line(_("Record kept and certificate issued by: {station}").format(station=station_name), 12)
    line(_("Date of issue: {date}").format(date=date_text(issued, _)), 12)
    line(_("Verification code: {code}").format(code=certificate.display_code), 12)
    line(
        _("The station can check this certificate against its records with the verification code."),
        10,
    )
    return bytes(pdf.output())
