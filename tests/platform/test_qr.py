"""app.common.qr: the codes decode, with a real decoder, to exactly the URL put in."""
import io

import zxingcpp
from PIL import Image

from app.common.qr import qr_png, qr_svg, qr_svg_inline

URL = "http://127.0.0.1:5000/checkin/scan/17?t=eyJhbGciOiJIUzI1NiJ9.abc-_DEF.ghi"


def test_png_decodes_to_the_url():
    results = zxingcpp.read_barcodes(Image.open(io.BytesIO(qr_png(URL))))
    assert [r.text for r in results] == [URL]


def test_svg_is_a_document_and_the_inline_form_embeds():
    assert qr_svg(URL).lstrip().startswith("<?xml")
    inline = qr_svg_inline(URL)
    assert inline.startswith("<svg") and "<?xml" not in inline and "<path" in inline
