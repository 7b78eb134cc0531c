"""Minimal OLE2 compound files (the container of .doc, .xls and .wps) built in the test, so
the evidence check is exercised on real structure without shipping binary fixtures.

One stream of 4096 bytes (the mini-stream cutoff: a regular stream, no mini FAT), in a
version 3 file of 512-byte sectors: sector 0 the FAT, sector 1 the directory, 2–9 the data.
"""

import struct

MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
FREE, END, FATSECT, NOSTREAM = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD, 0xFFFFFFFF
SECTOR = 512
STREAM_SIZE = 4096


def _entry(name: str, kind: int, child: int, start: int, size: int) -> bytes:
    if not name:
        return b"\x00" * 64 + struct.pack("<HBB", 0, 0, 0) + b"\xff" * 12 + b"\x00" * 48
    encoded = (name + "\x00").encode("utf-16-le")
    return (
        encoded.ljust(64, b"\x00")
        + struct.pack("<HBB", len(encoded), kind, 1)  # name length, type, black
        + struct.pack("<III", NOSTREAM, NOSTREAM, child)  # left, right, child
        + b"\x00" * 16  # CLSID
        + b"\x00" * 4  # state bits
        + b"\x00" * 16  # creation, modification times
        + struct.pack("<IQ", start, size)
    )


def compound_file(stream_name: str, content: bytes = b"") -> bytes:
    """A compound file holding one stream (WordDocument, Workbook …) at the root."""
    header = (
        MAGIC
        + b"\x00" * 16  # CLSID
        + struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6)  # versions, byte order, sector shifts
        + b"\x00" * 6
        + struct.pack("<IIII", 0, 1, 1, 0)  # directory sectors, FAT sectors, first dir, txn
        + struct.pack("<IIIII", STREAM_SIZE, END, 0, END, 0)  # cutoff, mini FAT, DIFAT
        + struct.pack("<I", 0)  # DIFAT[0]: the FAT is sector 0
        + struct.pack("<I", FREE) * 108
    )
    assert len(header) == SECTOR
    data_sectors = STREAM_SIZE // SECTOR
    fat = [FATSECT, END] + [2 + i + 1 for i in range(data_sectors - 1)] + [END]
    fat += [FREE] * (SECTOR // 4 - len(fat))
    directory = (
        _entry("Root Entry", 5, 1, END, 0)
        + _entry(stream_name, 2, NOSTREAM, 2, STREAM_SIZE)
        + _entry("", 0, 0, 0, 0)
        + _entry("", 0, 0, 0, 0)
    )
    assert len(directory) == SECTOR
    body = content.ljust(STREAM_SIZE, b"\x00")[:STREAM_SIZE]
    return header + struct.pack(f"<{len(fat)}I", *fat) + directory + body
