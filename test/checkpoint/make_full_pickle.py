"""Writes the files of test/checkpoint/full-pickle.test.ts into the folder given as argv[1]: each one a reading that
torch's full unpickler could take (issue 13). Standard library only; bytes are written, nothing is unpickled.
"""
import json
import os
import struct
import sys
import zlib

out = sys.argv[1]
PROTO2 = b"\x80\x02"
SAFE = PROTO2 + b"}X\x01\x00\x00\x00wNs."
# posix.system("true") by GLOBAL + REDUCE, without the STOP
GADGET = b"cposix\nsystem\nX\x04\x00\x00\x00true\x85R"
EVIL = PROTO2 + GADGET + b"."


def write(name, data):
    with open(os.path.join(out, name), "wb") as f:
        f.write(data)


def local(name, raw, method, size):
    n = name.encode()
    return struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, method, 0, 0, 0, len(raw), size, len(n), 0) + n + raw


def central(name, raw, method, size, offset):
    n = name.encode()
    return struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, method, 0, 0, 0, len(raw), size, len(n), 0, 0, 0, 0, 0, offset) + n


def end_record(count, size, offset):
    return struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, count, count, size, offset, 0)


def torch_zip(name, pkl_raw, method, size):
    """`a/data.pkl` (raw bytes as given: stored or a deflate stream) and `a/version`, laid out by hand."""
    data = bytearray(local("a/data.pkl", pkl_raw, method, size))
    version_at = len(data)
    data += local("a/version", b"3\n", 0, 2)
    cd = central("a/data.pkl", pkl_raw, method, size, 0) + central("a/version", b"3\n", 0, 2, version_at)
    write(name, bytes(data) + cd + end_record(2, len(cd), len(data)))


def deflate(*parts):
    """A raw deflate stream of the parts, each flushed (so that what precedes a cut still inflates)."""
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    return b"".join(c.compress(p) + c.flush(zlib.Z_SYNC_FLUSH) for p in parts) + c.flush()


# 1. a deflate stream cut short: what inflates names posix.system before the cut
evil_long = PROTO2 + GADGET + b"0X" + struct.pack("<I", 4000) + os.urandom(2000).hex().encode() + b"."
stream = deflate(PROTO2 + GADGET, evil_long[len(PROTO2 + GADGET):])
torch_zip("cut_deflate_evil.pt", stream[: len(stream) // 2], 8, len(evil_long))
# 2. the same cut through a harmless pickle: nothing named, still not shown safe
safe_long = PROTO2 + b"X" + struct.pack("<I", 4000) + os.urandom(2000).hex().encode() + b"."
stream = deflate(safe_long[:20], safe_long[20:])
torch_zip("cut_deflate_safe.pt", stream[: len(stream) // 2], 8, len(safe_long))
# 3. a deflate stream without its final block: torch 1.13 reads it (checked with weights_only=True), so do we
c = zlib.compressobj(9, zlib.DEFLATED, -15)
torch_zip("no_final_block.pt", c.compress(SAFE) + c.flush(zlib.Z_SYNC_FLUSH), 8, len(SAFE))


# 4. data.pkl stored after the end-of-central-directory record (torch 1.13 reads it, weights_only=True)
def after_end(name, pkl):
    data = bytearray(local("a/version", b"3\n", 0, 2))
    cd_at = len(data)
    pkl_at = cd_at + 2 * 46 + len("a/version") + len("a/data.pkl") + 22
    cd = central("a/version", b"3\n", 0, 2, 0) + central("a/data.pkl", pkl, 0, len(pkl), pkl_at)
    data += cd + end_record(2, len(cd), cd_at)
    assert len(data) == pkl_at
    write(name, bytes(data) + local("a/data.pkl", pkl, 0, len(pkl)))


after_end("after_end_safe.pt", SAFE)
after_end("after_end_evil.pt", EVIL)


# 5. a valid safetensors file that is also a pickle whose payload lies past the first MiB: SHORT_BINBYTES skips the
#    header length and the start of the JSON, a UNICODE line runs from inside a metadata string across the tensor
#    bytes to the first newline, 1.5 MiB in; then POP and the gadget
skip = 40
length = 0x43 + (skip << 8)  # low byte 'C' (SHORT_BINBYTES), second byte its length
head = '{"__metadata__":{"note":"'
pad = skip - 6 - len(head)  # the skip ends at byte 2 + skip, JSON index skip - 6: a 'V' there
text = head + "x" * pad + "V"
text += "y" * (length - len(text) - 3) + '"}}'
assert len(text) == length and text[skip - 6] == "V"
json.loads(text)
write(
    "polyglot_past_1mib.safetensors",
    struct.pack("<Q", length) + text.encode() + b"z" * (3 << 19) + b"\n0" + GADGET + b".",
)
