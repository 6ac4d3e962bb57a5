"""The demo's attached files, made here so that ``o`` opens a real file in the demo too.

The demo's customers attach a photo of what they received. The picture is drawn, the same
every time (no randomness, no clock): a takeaway box on a table, its lid split. A file is
named in the store by ``demo:<name>``; nothing else has that form.
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Callable
from functools import cache

PREFIX = "demo:"
WIDTH, HEIGHT = 320, 240


def _chunk(kind: bytes, data: bytes) -> bytes:
    body = kind + data
    return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body) & 0xFFFFFFFF)


def png(width: int, height: int, pixel: Callable[[int, int], tuple[int, int, int]]) -> bytes:
    """A true-colour PNG of ``pixel(x, y)`` → (r, g, b)."""
    rows = bytearray()
    for y in range(height):
        rows.append(0)  # no filter
        for x in range(width):
            rows += bytes(pixel(x, y))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", zlib.compress(bytes(rows), 9))
        + _chunk(b"IEND", b"")
    )


def _box_on_a_table(x: int, y: int) -> tuple[int, int, int]:
    if y > 170:  # the table's edge, in shade
        return (92, 70, 52)
    if 80 <= x <= 240 and 70 <= y <= 160:  # the box
        if y < 86:  # the lid's rim
            if abs((x - 150) - (y - 70) * 3) < 3 and x < 200:
                return (40, 30, 22)  # the split
            return (224, 196, 150)
        grain = 8 if (x + y) % 17 == 0 else 0
        return (196 - grain, 160 - grain, 112 - grain)
    if 72 <= x <= 248 and 160 < y <= 166:  # its shadow
        return (120, 110, 100)
    shade = 235 - y // 8
    return (shade, shade - 4, shade - 10)  # the wall


@cache
def photo() -> bytes:
    """The demo customers' photo (PNG, a few kB)."""
    return png(WIDTH, HEIGHT, _box_on_a_table)


FILES: dict[str, Callable[[], bytes]] = {"photo.png": photo}


def is_demo_file(external_id: str | None) -> bool:
    return bool(external_id and external_id.startswith(PREFIX))


def demo_file(external_id: str) -> bytes | None:
    """The bytes of a demo file, or None for a name the demo does not make."""
    make = FILES.get(external_id.removeprefix(PREFIX))
    return make() if make is not None and is_demo_file(external_id) else None


def attachment(name: str, content_type: str) -> dict[str, object]:
    """The record of a demo file as a message's attachment list keeps it."""
    data = demo_file(PREFIX + name)
    assert data is not None, name
    return {
        "filename": name,
        "content_type": content_type,
        "size": len(data),
        "external_id": PREFIX + name,
    }
