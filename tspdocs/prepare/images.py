"""Load the pictures a document shows, from inside the project only, and check what they are."""

from __future__ import annotations

import struct
from pathlib import Path, PurePosixPath
from urllib.parse import unquote

from .. import tree as t
from ..errors import BuildError, Location, Problems
from ..project.projectfs import ProjectFS

# Pillow's own threshold for a decompression bomb: a picture this large takes gigabytes to decode, and no
# page or screen shows more than a small share of its pixels.
MAX_PIXELS = 89_478_485

MIME_BY_MAGIC = (
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
)


def load_images(doc: t.Document, fs: ProjectFS, problems: Problems) -> None:
    """Read every image a node points at; a remote URL, a path outside the project or a non-image is an error."""
    blocks = t.document_blocks(doc)
    for inlines in t.inline_lists(blocks):
        for node in inlines:
            if isinstance(node, t.Image) and node.data is None:
                _load(node, fs, problems)
    for block in t.walk(blocks):
        if isinstance(block, t.Figure) and block.image.data is None:
            _load(block.image, fs, problems)


def _load(image: t.Image, fs: ProjectFS, problems: Problems) -> None:
    where = image.loc
    if "://" in image.src or image.src.startswith(("//", "data:", "file:")):
        problems.error(f"image {image.src!r} is not a file in the project; tspdocs never fetches from the "
                       "network: save the image under content/ and link to it", "remote-image", where)
        return
    base = _source_folder(fs, where)
    try:  # markdown-it percent-encodes a destination (`<café map.png>` arrives as caf%C3%A9%20map.png)
        path = fs.resolve(unquote(image.src), base=base, where=where, what="image")
        data = fs.read_bytes(path, where)
    except BuildError as exc:
        problems.extend(exc.problems)
        return
    mime = next((m for magic, m in MIME_BY_MAGIC if data.startswith(magic)), None)
    if mime is None:
        problems.error(f"image {image.src!r} is not a PNG, JPEG or GIF file", "image-type", where)
        return
    try:
        image.width_px, image.height_px = _size(data, mime)
    # Pillow's many errors for a damaged picture
    except Exception:  # noqa: BLE001
        problems.error(f"image {image.src!r} is damaged and cannot be read", "image-type", where)
        return
    if image.width_px * image.height_px > MAX_PIXELS:
        problems.error(f"image {image.src!r} is {image.width_px:,} by {image.height_px:,} pixels, more than the "
                       f"{MAX_PIXELS:,} a picture may have; scale it down", "image-size", where)
        return
    if not _whole(data):  # a cut-off file has a good header: WeasyPrint would leave the picture out and go on
        problems.error(f"image {image.src!r} is damaged or cut off and cannot be read", "image-type", where)
        return
    image.data, image.mime = data, mime


def _source_folder(fs: ProjectFS, where: Location | None) -> Path:
    if where is None or not where.path or where.path.startswith("("):
        return fs.root
    return fs.root / PurePosixPath(where.path).parent


def _size(data: bytes, mime: str) -> tuple[int, int]:
    """Return pixel width and height without decoding the picture."""
    if mime == "image/png" and len(data) >= 24:
        width, height = struct.unpack(">II", data[16:24])
        return width, height
    if mime == "image/gif" and len(data) >= 10:
        width, height = struct.unpack("<HH", data[6:10])
        return width, height
    import io

    from PIL import Image  # JPEG headers are awkward; Pillow comes with WeasyPrint

    with Image.open(io.BytesIO(data)) as picture:
        return picture.size


def _whole(data: bytes) -> bool:
    """Return whether Pillow can read the whole picture (checked after its size, so never a bomb)."""
    import io

    from PIL import Image, ImageFile

    # Importing WeasyPrint sets Pillow's process-wide LOAD_TRUNCATED_IMAGES, after which a cut-off file
    # loads without complaint; whether a picture is whole must not depend on what was imported before.
    accepting = ImageFile.LOAD_TRUNCATED_IMAGES
    ImageFile.LOAD_TRUNCATED_IMAGES = False
    try:
        with Image.open(io.BytesIO(data)) as picture:
            picture.load()
    # Pillow's many errors for a damaged picture
    except Exception:  # noqa: BLE001
        return False
    finally:
        ImageFile.LOAD_TRUNCATED_IMAGES = accepting
    return True
