"""QR codes for URLs (check-in venue and member codes, judges' tablet binding): PNG for screens and
paper, SVG for posters. Error correction M survives a screen's glare and a creased printout while
keeping a 200-character URL at a size phone cameras read from a metre away."""
import io

import qrcode
import qrcode.image.svg
from qrcode.constants import ERROR_CORRECT_M


def _code(data: str, border: int) -> qrcode.QRCode:
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=border, box_size=10)
    code.add_data(data)
    code.make(fit=True)
    return code


def qr_png(data: str, *, box_size: int = 10, border: int = 4) -> bytes:
    """The PNG bytes of a QR code holding `data`, `box_size` pixels per module, quiet zone `border` modules."""
    code = _code(data, border)
    code.box_size = box_size
    buffer = io.BytesIO()
    code.make_image(fill_color="black", back_color="white").save(buffer, format="PNG")
    return buffer.getvalue()


def qr_svg(data: str, *, border: int = 4) -> str:
    """A standalone SVG document of a QR code holding `data` (scales without blur for posters)."""
    code = _code(data, border)
    image = code.make_image(image_factory=qrcode.image.svg.SvgPathImage)
    body = image.to_string(encoding="unicode")
    return body if body.startswith("<?xml") else '<?xml version="1.0" encoding="UTF-8"?>\n' + body


def qr_svg_inline(data: str, *, border: int = 4) -> str:
    """The same SVG without the XML declaration, to embed in an HTML page (printed sheets, displays)."""
    svg = qr_svg(data, border=border)
    return svg[svg.index("<svg"):] if "<svg" in svg else svg
