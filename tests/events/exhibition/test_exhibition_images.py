"""The exhibition's image rules with generated files: each accepted format, all eight EXIF
orientations, colour through an embedded profile, 16-bit and alpha, no GPS or author fields in any
derivative, and every kind of bad file refused with a message."""
import io

import pytest
from PIL import Image

from events.exhibition.images import (
    DISPLAY_EDGE,
    MAX_IMAGE_PIXELS,
    THUMBNAIL_EDGE,
    ImageRefused,
    difference_hash,
    hash_distance,
    inspect_image,
    is_near_duplicate,
    make_derivatives,
)
from tests.events.exhibition.conftest import display_p3_profile, marked_picture

STORED_FOR = {  # what a camera stores for each orientation, given the upright picture
    1: (), 2: (Image.Transpose.FLIP_LEFT_RIGHT,), 3: (Image.Transpose.ROTATE_180,),
    4: (Image.Transpose.FLIP_TOP_BOTTOM,), 5: (Image.Transpose.TRANSPOSE,), 6: (Image.Transpose.ROTATE_90,),
    7: (Image.Transpose.TRANSVERSE,), 8: (Image.Transpose.ROTATE_270,),
}


def _process(data: bytes):
    inspection = inspect_image(data)
    return inspection, make_derivatives(data, inspection)


def _opened(jpeg: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(jpeg))
    image.load()
    return image


def _is_red(pixel) -> bool:
    return pixel[0] > 150 and pixel[2] < 100


@pytest.mark.parametrize("format", ["JPEG", "PNG", "WEBP", "HEIF"])
def test_each_accepted_format_gives_both_derivatives(make_image, format):
    inspection, made = _process(make_image(format, size=(2400, 1600)))
    assert inspection.extension == {"JPEG": "jpg", "PNG": "png", "WEBP": "webp", "HEIF": "heic"}[format]
    assert (inspection.width, inspection.height) == (2400, 1600)
    assert made.display_size == (DISPLAY_EDGE, round(DISPLAY_EDGE * 2 / 3))
    assert max(made.thumbnail_size) == THUMBNAIL_EDGE
    for jpeg in (made.display, made.thumbnail):
        image = _opened(jpeg)
        assert image.format == "JPEG" and image.mode == "RGB"
        assert _is_red(image.getpixel((5, 5))) and not _is_red(image.getpixel((image.width - 5, image.height - 5)))


def test_an_mpo_keeps_its_first_frame(make_image):
    first, second = marked_picture(800, 600), Image.new("RGB", (800, 600), (0, 200, 0))
    buffer = io.BytesIO()
    first.save(buffer, format="MPO", save_all=True, append_images=[second])
    inspection, made = _process(buffer.getvalue())
    assert inspection.format == "MPO" and inspection.extension == "jpg"
    assert _is_red(_opened(made.display).getpixel((5, 5)))


@pytest.mark.parametrize("orientation", range(1, 9))
def test_every_exif_orientation_comes_out_upright_and_turned_once(orientation):
    from tests.events.exhibition.conftest import _exif

    stored = marked_picture(600, 400)
    for transpose in STORED_FOR[orientation]:
        stored = stored.transpose(transpose)
    buffer = io.BytesIO()
    stored.save(buffer, format="JPEG", exif=_exif(orientation).tobytes())
    inspection, made = _process(buffer.getvalue())
    assert (inspection.width, inspection.height) == (600, 400)
    display = _opened(made.display)
    assert display.size == (600, 400)
    assert _is_red(display.getpixel((10, 10))) and not _is_red(display.getpixel((590, 390)))
    assert not display.getexif()  # nothing to rotate again downstream


def test_heif_is_never_rotated_twice():
    from pillow_heif import register_heif_opener

    from tests.events.exhibition.conftest import _exif

    register_heif_opener()
    buffer = io.BytesIO()
    marked_picture(600, 400).save(buffer, format="HEIF", exif=_exif(6).tobytes())  # stored turned by libheif
    inspection, made = _process(buffer.getvalue())
    reference = Image.open(io.BytesIO(buffer.getvalue()))
    assert inspection.orientation == 1
    assert _opened(made.display).size == reference.size


def test_display_p3_is_converted_through_its_profile(make_image):
    green = Image.new("RGB", (64, 64), (40, 160, 40))
    plain, tagged = io.BytesIO(), io.BytesIO()
    green.save(plain, format="PNG")
    green.save(tagged, format="PNG", icc_profile=display_p3_profile())
    untagged_pixel = _opened(_process(plain.getvalue())[1].display).getpixel((32, 32))
    converted_pixel = _opened(_process(tagged.getvalue())[1].display).getpixel((32, 32))
    # P3 green is more saturated than sRGB's: its sRGB equivalent has less red and more green.
    assert converted_pixel[0] < untagged_pixel[0] - 5 and converted_pixel[1] >= untagged_pixel[1]


def test_cmyk_sixteen_bit_and_alpha_become_8_bit_srgb():
    cmyk = io.BytesIO()
    Image.new("CMYK", (300, 200), (0, 255, 255, 0)).save(cmyk, format="JPEG")  # pure red ink
    assert _is_red(_opened(_process(cmyk.getvalue())[1].display).getpixel((5, 5)))

    deep = io.BytesIO()
    Image.new("I;16", (300, 200), 65535).save(deep, format="PNG")
    assert _opened(_process(deep.getvalue())[1].display).getpixel((5, 5)) == (255, 255, 255)

    clear = io.BytesIO()
    Image.new("RGBA", (300, 200), (255, 0, 0, 0)).save(clear, format="PNG")  # fully transparent red
    assert _opened(_process(clear.getvalue())[1].display).getpixel((5, 5)) == (255, 255, 255)


def test_gps_and_author_fields_never_reach_a_derivative_but_camera_data_is_kept_for_the_organiser(make_image):
    data = make_image("JPEG", size=(1200, 900), gps=True, artist="张三")
    inspection, made = _process(data)
    assert inspection.has_gps and inspection.camera == {"make": "TestPhone", "model": "Model X"}
    for jpeg in (made.display, made.thumbnail):
        assert not _opened(jpeg).getexif()
        assert b"GPS" not in jpeg and "张三".encode() not in jpeg and b"TestPhone" not in jpeg


def test_a_malformed_exif_block_does_not_refuse_the_picture(make_image):
    data = bytearray(make_image("JPEG", size=(400, 300), orientation=6))
    start = data.index(b"Exif\0\0")
    data[start + 10:start + 40] = b"\xff" * 30  # the IFD offsets now point nowhere
    inspection, made = _process(bytes(data))
    assert inspection.orientation in range(1, 9) and made.display


def test_identical_and_near_identical_pictures_are_told_apart(make_image):
    original = make_image("JPEG", size=(1200, 800))
    recompressed = io.BytesIO()
    Image.open(io.BytesIO(original)).save(recompressed, format="JPEG", quality=60)
    first, again = inspect_image(original), inspect_image(original)
    assert first.content_hash == again.content_hash != inspect_image(recompressed.getvalue()).content_hash
    near = make_derivatives(recompressed.getvalue(), inspect_image(recompressed.getvalue())).dhash
    assert is_near_duplicate(make_derivatives(original, first).dhash, near)
    other = Image.linear_gradient("L").resize((1200, 800)).convert("RGB")
    assert hash_distance(difference_hash(marked_picture(1200, 800)), difference_hash(other)) > 6


def _refused(data: bytes, **options) -> str:
    with pytest.raises(ImageRefused) as refused:
        inspection = inspect_image(data, **options)
        make_derivatives(data, inspection)
    return refused.value.message


def test_bad_files_are_refused_with_a_message(make_image):
    assert "无法识别" in _refused("这不是图片".encode() * 50)  # a text file, whatever it is called
    assert "空" in _refused(b"")
    assert "MB" in _refused(make_image("PNG", size=(200, 200)), max_bytes=100)
    full = make_image("JPEG", size=(1600, 1200))
    assert "损坏" in _refused(full[: len(full) // 2])  # a truncated upload
    gif = io.BytesIO()
    Image.new("RGB", (20, 20)).save(gif, format="GIF")
    assert "GIF" in _refused(gif.getvalue())


def test_a_pixel_bomb_is_refused_before_its_pixels_are_decoded():
    side = int(MAX_IMAGE_PIXELS ** 0.5) + 100
    bomb = io.BytesIO()
    Image.new("1", (side, side)).save(bomb, format="PNG")  # a few kB that would decode to 80+ MP
    assert len(bomb.getvalue()) < 200_000
    assert "像素过多" in _refused(bomb.getvalue())
