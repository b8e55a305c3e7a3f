"""Writes hostile and odd checkpoint files into the folder given as argv[1], for test/checkpoint/hostile.test.ts.

Standard library only (zipfile, struct); no torch. Every file is small; the "bombs" are judged with small limits
passed by the test. Names of the files are the contract with the test.
"""
import io
import os
import struct
import sys
import zipfile

out = sys.argv[1]

PROTO2 = b"\x80\x02"
STOP = b"."
# {} with one entry "w" -> None, at protocol 2: EMPTY_DICT, BINUNICODE "w", NONE, SETITEM
SAFE = PROTO2 + b"}X\x01\x00\x00\x00wNs" + STOP
# posix.system("true") by GLOBAL + REDUCE
EVIL = PROTO2 + b"cposix\nsystem\nX\x04\x00\x00\x00true\x85R" + STOP


def torch_zip(name, members, version=True, **open_kwargs):
    """A zip laid out like torch.save's: `<prefix>/data.pkl` first, then other members, then `<prefix>/version`
    (torch refuses an archive without a version record)."""
    prefix = members[0][0].split("/")[0]
    if version and not any(m[0].endswith("/version") for m in members):
        members = members + [(prefix + "/version", b"3\n", None)]
    with zipfile.ZipFile(os.path.join(out, name), "w", zipfile.ZIP_STORED) as zf:
        for member, data, method in members:
            with zf.open(zipfile.ZipInfo(member) if method is None else _info(member, method), "w", **open_kwargs) as f:
                f.write(data)


def _info(member, method):
    info = zipfile.ZipInfo(member)
    info.compress_type = method
    return info


# 1. ZIP64 extra fields in the local header, holding a dangerous global (torch's own files, and the fixtures of
#    test/fixtures/make_checkpoints.py written like them, carry ZIP64 end records and data descriptors already)
torch_zip("zip64_evil.pt", [("zip64_evil/data.pkl", EVIL, None), ("zip64_evil/version", b"3\n", None)], force_zip64=True)


# 2. data descriptors (sizes after the data, not in the local header): written to a stream that cannot seek
class Unseekable(io.RawIOBase):
    def __init__(self):
        self.buf = bytearray()

    def writable(self):
        return True

    def write(self, b):
        self.buf += b
        return len(b)

    def tell(self):
        return len(self.buf)

    def seek(self, *args):
        raise OSError("not seekable")


stream = Unseekable()
with zipfile.ZipFile(stream, "w", zipfile.ZIP_DEFLATED) as zf:
    zf.writestr("desc/data.pkl", EVIL)
    zf.writestr("desc/version", b"3\n")
with open(os.path.join(out, "descriptor_evil.pt"), "wb") as f:
    f.write(bytes(stream.buf))

# 3. a zip bomb: 4 MiB of one byte in a BINUNICODE, deflated (~4 KiB)
big = PROTO2 + b"X" + struct.pack("<I", 4 << 20) + b"a" * (4 << 20) + STOP
torch_zip("bomb.pt", [("bomb/data.pkl", big, zipfile.ZIP_DEFLATED)])

# 4. a bomb whose headers lie: both size fields say 100 bytes, the stream inflates to 4 MiB
data = bytearray(open(os.path.join(out, "bomb.pt"), "rb").read())
for signature, field in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
    at = data.index(signature)
    data[at + field:at + field + 4] = struct.pack("<I", 100)
with open(os.path.join(out, "lying_bomb.pt"), "wb") as f:
    f.write(data)

# 5. lists nested 100,000 deep (EMPTY_LIST MARK ... APPENDS, opcodes torch accepts), harmless; and the same depth
#    hiding posix.system at the bottom
DEPTH = 100_000
torch_zip("deep_safe.pt", [("deep_safe/data.pkl", PROTO2 + b"](" * DEPTH + b"]" + b"e" * DEPTH + STOP, None)])
torch_zip("deep_evil.pt", [("deep_evil/data.pkl", PROTO2 + b"](" * DEPTH + EVIL[2:-1] + b"e" * DEPTH + STOP, None)])

# 6. STACK_GLOBAL whose module and name come back from the memo (protocol 4), a bypass of scanners reading only
#    the strings right before STACK_GLOBAL
memo_pickle = (
    b"\x80\x04"
    + b"\x8c\x05posix\x94"  # SHORT_BINUNICODE "posix", MEMOIZE (0)
    + b"\x8c\x06system\x94"  # SHORT_BINUNICODE "system", MEMOIZE (1)
    + b"00"  # POP, POP
    + b"h\x00h\x01\x93"  # BINGET 0, BINGET 1, STACK_GLOBAL
    + b"\x8c\x04true\x85R"  # "true", TUPLE1, REDUCE
    + STOP
)
torch_zip("memo_stack_global.pt", [("memo_stack_global/data.pkl", memo_pickle, None)])

# 7. a huge memo index (LONG_BINPUT 0xffffffff) on a harmless pickle: torch's unpickler accepts it
torch_zip("huge_memo_index.pt", [("huge_memo_index/data.pkl", PROTO2 + b"}r\xff\xff\xff\xff" + STOP, None)])

# 8. a renamed prefix: the first entry's folder is what torch uses, whatever its name
torch_zip("renamed.pt", [("not_the_file_name/data.pkl", EVIL, None), ("not_the_file_name/version", b"3\n", None)])

# 9. garbage after the first STOP (not a pickle): torch ignores it, so the file is safe
torch_zip("garbage_after_stop.pt", [("garbage_after_stop/data.pkl", SAFE + b"\xff\xfe junk \x00" * 10, None)])

# 10. a valid zip whose data.pkl is cut in the middle: torch cannot load it
torch_zip("truncated_pickle.pt", [("truncated_pickle/data.pkl", SAFE[:-3], None)])

# 10b. names as torch looks them up: two same-named members (either may be the one read), ASCII case ignored, and
#     odd names it ignores
import warnings  # noqa: E402  (zipfile warns about the duplicate on purpose)

warnings.simplefilter("ignore")
torch_zip("dup_evil_first.pt", [("dup/data.pkl", EVIL, None), ("dup/data.pkl", SAFE, None)])
torch_zip("dup_safe_first.pt", [("dup/data.pkl", SAFE, None), ("dup/data.pkl", EVIL, None)])
torch_zip("upper_case_evil.pt", [("up/version", b"3\n", None), ("up/DATA.PKL", EVIL, None)])
torch_zip("upper_version.pt", [("uv/data.pkl", SAFE, None), ("uv/VERSION", b"3\n", None)])
torch_zip("dotdot_name.pt", [("dd/data.pkl", SAFE, None), ("dd/../x", b"x", None)])

# 11. a zip without the version record: torch cannot open it
torch_zip("no_version.pt", [("no_version/data.pkl", SAFE, None)], version=False)

# 12. a .pt that is really a text file, and a raw pickle with a dangerous global
with open(os.path.join(out, "readme.pt"), "w") as f:
    f.write("weights are on the release page\n")
with open(os.path.join(out, "raw_evil.pkl"), "wb") as f:
    f.write(EVIL)

# 13. pickles that do not start with PROTO: protocol 0 text opcodes calling posix.system, a safetensors-looking
#     header in front of a protocol 0 pickle, and a text file starting with "c" (not a pickle at all)
PROTO0_EVIL = b"cposix\nsystem\n(S'true'\ntR."
with open(os.path.join(out, "proto0_evil.pkl"), "wb") as f:
    f.write(PROTO0_EVIL)
with open(os.path.join(out, "fake_safetensors.bin"), "wb") as f:
    # 'V' is both a header length (86) and UNICODE; the pickle goes on after its line, then padding
    f.write(b"V\0\0\0\0\0\0\0{\"a\":1}\n0" + PROTO0_EVIL + b" " * 120)
with open(os.path.join(out, "text_c.bin"), "w") as f:
    f.write("config = load()\nname = x\n. and more text\n")

# 14. a STACK_GLOBAL whose module and name are computed by REDUCE (builtins.str("posix")): unknowable statically
computed = (
    b"\x80\x04"
    + b"cbuiltins\nstr\nX\x05\x00\x00\x00posix\x85R"
    + b"cbuiltins\nstr\nX\x06\x00\x00\x00system\x85R"
    + b"\x93X\x04\x00\x00\x00true\x85R."
)
torch_zip("computed_stack_global.pt", [("csg/data.pkl", computed, None)])

# 15. callables beyond the blocked modules that still run code when called: each GLOBAL then POP
gadgets = [("webbrowser", "open"), ("_posixsubprocess", "fork_exec"), ("numpy.testing._private.utils", "runstring"), ("torch.jit", "load"), ("code", "InteractiveInterpreter")]
torch_zip("gadgets.pt", [("gadgets/data.pkl", PROTO2 + b"".join(b"c%s\n%s\n0" % (m.encode(), n.encode()) for m, n in gadgets) + b"N.", None)])

# 16. zips torch's reader opens and a strict one does not: junk after the archive, a wrong comment length, and an
#     unrelated member flagged with strong encryption
zip_evil = open(os.path.join(out, "renamed.pt"), "rb").read()
with open(os.path.join(out, "trailing_junk.pt"), "wb") as f:
    f.write(zip_evil + b"JUNK")
bad_comment = bytearray(zip_evil)
eocd = bad_comment.rindex(b"PK\x05\x06")
bad_comment[eocd + 20:eocd + 22] = struct.pack("<H", 5)
with open(os.path.join(out, "bad_comment_length.pt"), "wb") as f:
    f.write(bad_comment)
torch_zip("flagged.pt", [("flagged/data.pkl", EVIL, None), ("flagged/extra.txt", b"x", None)])
flagged = bytearray(open(os.path.join(out, "flagged.pt"), "rb").read())
cd = flagged.index(b"PK\x01\x02", flagged.index(b"PK\x01\x02") + 4)  # the second central-directory entry
flagged[cd + 8] |= 0x40
with open(os.path.join(out, "flagged.pt"), "wb") as f:
    f.write(flagged)

# 17. 300 harmless pickle members in front of the data.pkl torch reads
torch_zip("decoys.pt", [("decoys/x%03d.pkl" % i, SAFE, None) for i in range(300)] + [("decoys/data.pkl", EVIL, None)])

# 18. a valid safetensors header that is also the start of a pickle (torch.load unpickles it), and a pickle with a
#     "ustar" mark where a tar header has one (torch's tar attempt fails, then it unpickles)
header = b'{"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}'
header += b" " * (0x56 - len(header))  # length 86: the first byte 'V' is also UNICODE
with open(os.path.join(out, "polyglot_safetensors.pt"), "wb") as f:
    f.write(struct.pack("<Q", len(header)) + header + b"\n0" + PROTO0_EVIL)
fake_tar = bytearray(PROTO0_EVIL + b"\x00" * 600)
fake_tar[257:262] = b"ustar"
with open(os.path.join(out, "fake_tar.pt"), "wb") as f:
    f.write(fake_tar)

# 19. protocol 0 gadget without STOP (pickle calls it before reaching the end), and a memo index written "1_0"
with open(os.path.join(out, "no_stop_gadget.pkl"), "wb") as f:
    f.write(b"cpydoc\npipepager\n(S''\nS'touch x'\ntR")
with open(os.path.join(out, "memo_underscore.pkl"), "wb") as f:
    f.write(b"\x80\x04Vposix\np1_0\n0Vsystem\np2\n0g10\ng2\n\x93Vtrue\n\x85R.")

# 20. a legacy file saved with pickle_protocol=3 holding an argparse.Namespace (five pickles in a row)
import argparse  # noqa: E402
import pickle  # noqa: E402

with open(os.path.join(out, "legacy_proto3.pt"), "wb") as f:
    for obj in (0x1950A86A20F9469CFC6C, 1001, {"protocol_version": 1001, "little_endian": True}, {"args": argparse.Namespace(steps=3)}, []):
        f.write(pickle.dumps(obj, protocol=3))

