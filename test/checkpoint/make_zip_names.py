"""Writes zips whose member names play tricks on a reader that does not resolve names as torch does, into the folder
given as argv[1], for test/checkpoint/zip-names.test.ts.

Standard library only, no torch. zipfile decides the names' bytes and flag bit 11 itself, so the archives are
written here byte by byte: each member is (name bytes, data, general-purpose flags), stored, in central-directory
order (which is also their order in the file). Names of the files are the contract with the test.
"""
import os
import struct
import sys
import zlib

out = sys.argv[1]

UTF8 = 0x800  # general-purpose flag bit 11: the name is UTF-8 (torch's reader never looks at it)
VERSION = b"3\n"


def safe(tag):
    """A protocol 2 pickle of {"w": tag}: torch loads it with weights_only=True, and the tag says which member it read."""
    text = tag.encode()
    return b"\x80\x02}X\x01\x00\x00\x00wX" + struct.pack("<I", len(text)) + text + b"s."


# a class torch's allowlist lacks (needs-allowlist), and posix.system("true") by GLOBAL + REDUCE (dangerous)
NEEDS = b"\x80\x02cargparse\nNamespace\n)R."
EVIL = b"\x80\x02cposix\nsystem\nX\x04\x00\x00\x00true\x85R."
CONSTANTS = b"\x80\x02)."  # an empty tuple, like the constants.pkl of a module without constants


def raw_zip(name, members):
    body = bytearray()
    central = bytearray()
    for member, data, flags in members:
        offset = len(body)
        crc = zlib.crc32(data)
        body += struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, flags, 0, 0, 0x21, crc, len(data), len(data), len(member), 0)
        body += member + data
        central += struct.pack(
            "<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, flags, 0, 0, 0x21, crc, len(data), len(data), len(member), 0, 0, 0, 0, 0, offset
        )
        central += member
    end = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(members), len(members), len(central), len(body), 0)
    with open(os.path.join(out, name), "wb") as f:
        f.write(bytes(body + central + end))


E = "\u00e9".encode()  # é in UTF-8 (c3 a9); in CP437 or Latin-1 these bytes read as two other characters
KELVIN = "\u212a".encode()  # KELVIN SIGN, whose Unicode lowercase is "k"

# 1. the flag bit 11 is not read by torch: names are bytes. A decoder that honours the flag sees "é/..." for one
#    member and "Ã©/..." for its neighbour, so it missed the data.pkl (or constants.pkl) that torch reads.
raw_zip("flag_mixed_evil.pt", [(E + b"/version", VERSION, 0), (E + b"/data.pkl", EVIL, UTF8)])
raw_zip("flag_constants.pt", [(E + b"/version", VERSION, 0), (E + b"/data.pkl", safe("data"), 0), (E + b"/constants.pkl", CONSTANTS, UTF8)])
# a name that is not UTF-8: torch.load's record listing cannot decode it, so torch cannot load the file
raw_zip("not_utf8_name.pt", [(b"u/data.pkl", safe("data"), 0), (b"u/\xff", b"", 0), (b"u/version", VERSION, 0)])
# bytes that differ but decode alike (\xe9 as Latin-1, c3 a9 as flagged UTF-8): torch's listing refuses the archive
raw_zip("decoded_alike.pt", [(b"\xe9/version", VERSION, 0), (b"\xe9/data.pkl", safe("latin1"), 0), (E + b"/data.pkl", EVIL, UTF8)])

# 2. case: torch's lookup lowers ASCII A-Z only (miniz MZ_TOLOWER); a KELVIN SIGN is another byte string
raw_zip("kelvin_decoy.pt", [(b"k/version", VERSION, 0), (b"k/data.p" + KELVIN + b"l", EVIL, UTF8), (b"k/data.pkl", safe("real"), 0)])
raw_zip("kelvin_only.pt", [(b"k/version", VERSION, 0), (b"k/data.p" + KELVIN + b"l", NEEDS, UTF8)])
raw_zip("upper_needs.pt", [(b"u/version", VERSION, 0), (b"u/DATA.PKL", NEEDS, 0)])
raw_zip("mixed_case_dup.pt", [(b"c/data.pkl", safe("lower"), 0), (b"c/Data.PKL", NEEDS, 0), (b"c/version", VERSION, 0)])

# 3. duplicates: which one miniz's sorted search returns depends on the whole directory (torch 1.13 reads the second
#    of the two in the first file and the first in the other: the one that needs an allowlist both times)
raw_zip("dup_decoy_first.pt", [(b"d/version", VERSION, 0), (b"d/data.pkl", safe("decoy"), 0), (b"d/data.pkl", NEEDS, 0)])
raw_zip("dup_decoy_second.pt", [(b"d/data.pkl", NEEDS, 0), (b"d/data.pkl", safe("decoy"), 0), (b"d/version", VERSION, 0)])

# 4. constants.pkl hidden from an exact or a decoding reader
raw_zip("constants_upper.pt", [(b"s/data.pkl", safe("data"), 0), (b"s/CONSTANTS.PKL", CONSTANTS, 0), (b"s/version", VERSION, 0)])
raw_zip("constants_nul.pt", [(b"n/data.pkl", safe("data"), 0), (b"n/constants.pkl\x00x", CONSTANTS, 0), (b"n/version", VERSION, 0)])
P = b"p" * 497  # so that "<P>/constants.pkl" is exactly 511 bytes and the name goes on past torch's listing buffer
raw_zip("constants_long.pt", [(P + b"/data.pkl", safe("data"), 0), (P + b"/constants.pkl" + b"z" * 10, CONSTANTS, 0), (P + b"/version", VERSION, 0)])
raw_zip("constants_other_folder.pt", [(b"o/data.pkl", safe("data"), 0), (b"o/version", VERSION, 0), (b"x/constants.pkl", CONSTANTS, 0)])

# 5. the prefix is the first entry's folder, whatever the others say
raw_zip("first_prefix_decoy.pt", [(b"x/data.pkl", safe("x"), 0), (b"m/data.pkl", EVIL, 0), (b"m/version", VERSION, 0), (b"x/version", VERSION, 0)])
raw_zip("first_prefix_only.pt", [(b"x/version", VERSION, 0), (b"m/data.pkl", NEEDS, 0), (b"m/version", VERSION, 0)])
raw_zip("prefix_case.pt", [(b"P/version", VERSION, 0), (b"p/data.pkl", safe("p"), 0), (b"p/version", VERSION, 0)])
raw_zip("empty_prefix.pt", [(b"/version", VERSION, 0), (b"/data.pkl", NEEDS, 0)])
raw_zip("nul_prefix.pt", [(b"x\x00/version", VERSION, 0), (b"x", safe("nul"), 0)])

# 6. nothing is normalised: `..`, backslashes
raw_zip("dotdot_decoy.pt", [(b"a/version", VERSION, 0), (b"a/../a/data.pkl", NEEDS, 0), (b"a/data.pkl", safe("real"), 0)])
raw_zip("dotdot_only.pt", [(b"a/version", VERSION, 0), (b"a/x/../data.pkl", EVIL, 0)])
raw_zip("backslash_first.pt", [(b"b\\version", VERSION, 0), (b"b/data.pkl", EVIL, 0), (b"b/version", VERSION, 0)])
raw_zip("backslash_name.pt", [(b"w/version", VERSION, 0), (b"w\\data.pkl", EVIL, 0), (b"w/data.pkl", safe("real"), 0)])
