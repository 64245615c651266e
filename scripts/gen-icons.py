#!/usr/bin/env python3
"""Generate the Kassa desktop icons (RGBA PNG) without any third-party module.

Usage: scripts/gen-icons.py [OUT_DIR]   (default: pos-app/desktop/icons)
Draws a teal rounded square with a white "K". Tauri's generate_context! needs
icons/icon.png to exist and be RGBA.
"""
import os
import struct
import sys
import zlib

BG = (0x0F, 0x76, 0x6E, 0xFF)   # teal
FG = (0xFF, 0xFF, 0xFF, 0xFF)
CLEAR = (0, 0, 0, 0)


def pixel(x: float, y: float) -> tuple:
    """Colour at normalised coordinates (0..1)."""
    # rounded square, corner radius 0.18
    r = 0.18
    cx = min(max(x, r), 1 - r)
    cy = min(max(y, r), 1 - r)
    if (x - cx) ** 2 + (y - cy) ** 2 > r * r:
        return CLEAR
    # the K: a vertical stem plus two diagonal arms
    stroke = 0.11
    if 0.28 <= x <= 0.28 + stroke and 0.22 <= y <= 0.78:
        return FG
    if 0.22 <= y <= 0.78 and x >= 0.28 + stroke * 0.5:
        # arms meet the stem at (0.36, 0.5); upper reaches (0.74, 0.22), lower (0.74, 0.78)
        for (x1, y1) in ((0.74, 0.22), (0.74, 0.78)):
            x0, y0 = 0.36, 0.5
            dx, dy = x1 - x0, y1 - y0
            t = ((x - x0) * dx + (y - y0) * dy) / (dx * dx + dy * dy)
            if 0 <= t <= 1:
                px, py = x0 + t * dx, y0 + t * dy
                if ((x - px) ** 2 + (y - py) ** 2) ** 0.5 <= stroke / 2:
                    return FG
    return BG


def png(size: int) -> bytes:
    rows = bytearray()
    for j in range(size):
        rows.append(0)  # filter: none
        for i in range(size):
            rows.extend(pixel((i + 0.5) / size, (j + 0.5) / size))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))

    ihdr = struct.pack(">IIBBBBB", size, size, 8, 6, 0, 0, 0)  # 8-bit RGBA
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr)
            + chunk(b"IDAT", zlib.compress(bytes(rows), 9)) + chunk(b"IEND", b""))


def main() -> None:
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(root, "pos-app", "desktop", "icons")
    os.makedirs(out, exist_ok=True)
    for name, size in (("32x32.png", 32), ("128x128.png", 128),
                       ("128x128@2x.png", 256), ("icon.png", 512)):
        with open(os.path.join(out, name), "wb") as f:
            f.write(png(size))
        print(f"wrote {os.path.join(out, name)} ({size}x{size})")


if __name__ == "__main__":
    main()
