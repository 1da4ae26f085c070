#!/usr/bin/python3
"""Writes the seed corpus for fuzz_server (tests/fuzz/corpus/, committed).

Each seed is a stream of SFTP packets as a client sends them after INIT (the
target sends INIT itself): every request type and extension, in success and
error forms, plus a few malformed packets. Re-run after protocol changes:
    /usr/bin/python3 tests/fuzz/make_corpus.py
"""
import hashlib
import os
import struct

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "corpus")


def u32(v):
    return struct.pack(">I", v)


def u64(v):
    return struct.pack(">Q", v)


def s(b):
    if isinstance(b, str):
        b = b.encode()
    return u32(len(b)) + b


def pkt(kind, rid, body=b""):
    payload = bytes([kind]) + u32(rid) + body
    return u32(len(payload)) + payload


def ext(rid, name, body=b""):
    return pkt(200, rid, s(name) + body)


# Handles are 8 bytes: slot index, generation. Slot 0 and 1, generation 0.
H0 = s(b"\0\0\0\0\0\0\0\0")
H1 = s(b"\0\0\0\1\0\0\0\0")
ATTRS_NONE = u32(0)
ATTRS_MODE = u32(4) + u32(0o644)
ATTRS_ALL = u32(0xF) + u64(3) + u32(0) + u32(0) + u32(0o100600) + u32(1) + u32(2)
ATTRS_EXT = u32(0x80000000) + u32(1) + s("x@y") + s("data")

SEEDS = {
    "open-write-read-close": [
        pkt(3, 1, s("a") + u32(0x1A) + ATTRS_MODE),
        pkt(6, 2, H0 + u64(0) + s(b"hello world")),
        pkt(6, 3, H0 + u64(100) + s(b"later")),
        pkt(5, 4, H0 + u64(0) + u32(64)),
        pkt(5, 5, H0 + u64(1000) + u32(64)),
        pkt(8, 6, H0),
        pkt(10, 7, H0 + ATTRS_ALL),
        ext(8, "fsync@openssh.com", H0),
        ext(9, "fstatvfs@openssh.com", H0),
        pkt(4, 10, H0),
        pkt(4, 11, H0),
    ],
    "dirs": [
        pkt(14, 1, s("d") + ATTRS_NONE),
        pkt(14, 2, s("d/e") + ATTRS_MODE),
        pkt(3, 3, s("d/f") + u32(0x0A) + ATTRS_NONE),
        pkt(11, 4, s("d")),
        pkt(12, 5, H1),
        pkt(12, 6, H1),
        pkt(12, 7, H1),
        pkt(4, 8, H1),
        pkt(15, 9, s("d/e")),
        pkt(15, 10, s("d")),
        pkt(13, 11, s("d/f")),
    ],
    "paths": [
        pkt(16, 1, s("")),
        pkt(16, 2, s("./x/../.")),
        pkt(17, 3, s(".")),
        pkt(7, 4, s("..")),
        pkt(9, 5, s(".") + ATTRS_ALL),
        pkt(3, 6, s("f") + u32(0x0A) + ATTRS_NONE),
        pkt(20, 7, s("f") + s("l")),
        pkt(19, 8, s("l")),
        pkt(18, 9, s("f") + s("g")),
        ext(10, "posix-rename@openssh.com", s("g") + s("h")),
        ext(11, "hardlink@openssh.com", s("h") + s("i")),
        ext(12, "lsetstat@openssh.com", s("l") + ATTRS_MODE),
        ext(13, "statvfs@openssh.com", s(".")),
        ext(14, "expand-path@openssh.com", s("~/x")),
        ext(15, "expand-path@openssh.com", s("~fuzz/y")),
        ext(16, "expand-path@openssh.com", s("~nobody")),
        ext(17, "home-directory", s("")),
    ],
    "extensions": [
        ext(1, "limits@openssh.com"),
        ext(2, "users-groups-by-id@openssh.com", s(u32(0) + u32(65534)) + s(u32(0))),
        pkt(3, 3, s("src") + u32(0x1A) + ATTRS_NONE),
        pkt(6, 4, H0 + u64(0) + s(b"x" * 100)),
        pkt(3, 5, s("dst") + u32(0x1A) + ATTRS_NONE),
        ext(6, "copy-data", H0 + u64(0) + u64(0) + H1 + u64(0)),
        ext(7, "copy-data", H0 + u64(0) + u64(50) + H0 + u64(0)),
        ext(8, "no-such@example.com", s("x")),
    ],
    "malformed": [
        pkt(3, 1, s(b"a\0b") + u32(0x1A) + ATTRS_NONE),
        pkt(3, 2, s("a")),
        pkt(5, 3, H0),
        pkt(99, 4, b"junk"),
        pkt(3, 5, s("a") + u32(0x1A) + ATTRS_EXT),
        pkt(12, 6, s(b"\xff" * 8)),
        pkt(4, 7, s(b"short")),
        u32(5) + bytes([1]) + u32(6),
    ],
}


def main():
    os.makedirs(OUT, exist_ok=True)
    for name, packets in SEEDS.items():
        data = b"".join(packets)
        digest = hashlib.sha1(data).hexdigest()[:12]
        with open(os.path.join(OUT, f"{name}-{digest}"), "wb") as f:
            f.write(data)
        # Each packet alone too: short seeds mutate well.
        for i, p in enumerate(packets):
            with open(os.path.join(OUT, f"{name}-{i:02d}"), "wb") as f:
                f.write(p)
    print(f"wrote seeds to {OUT}")


if __name__ == "__main__":
    main()
