"""QR codes drawn on the server as SVG (no CDN, no script: the CSP allows neither)."""

import base64

import qrcode
import qrcode.image.svg
from qrcode.constants import ERROR_CORRECT_M


def qr_svg(text, *, box_size=10):
    """SVG bytes of a QR code for `text`. Error correction M survives a creased or smudged poster."""
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, box_size=box_size, border=2,
                         image_factory=qrcode.image.svg.SvgPathImage)
    code.add_data(text)
    code.make(fit=True)
    return code.make_image().to_string()


def qr_svg_data_uri(text, *, box_size=10):
    return "data:image/svg+xml;base64," + base64.b64encode(qr_svg(text, box_size=box_size)).decode("ascii")
