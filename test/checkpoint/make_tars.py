"""Writes tar archives into the folder given as argv[1], for test/checkpoint/tar.test.ts, and prints as JSON what
Python's tarfile (the reader torch's legacy loader uses) lists in each: {file: [member names] or null when
tarfile.open fails}.

Standard library only (tarfile, pickle, gzip); no torch. torch's legacy tar format (torch/serialization.py
`_legacy_load`, the "legacy_load" branch) has the members `storages`, `tensors` and `pickle` (and `sys_info`, which
the loader does not read). Names of the files are the contract with the test.
"""
import gzip
import io
import json
import os
import pickle
import struct
import sys
import tarfile

out = sys.argv[1]

# posix.system("true") by GLOBAL + REDUCE, protocol 0
EVIL = b"cposix\nsystem\n(S'true'\ntR."
SYS_INFO = pickle.dumps({"protocol_version": 1001, "little_endian": True, "type_sizes": {"short": 2, "int": 4, "long": 8}}, protocol=2)
# the object: a dict holding an OrderedDict (collections.OrderedDict is in every weights_only allowlist)
OBJECT = b"\x80\x02}q\x00X\x05\x00\x00\x00stateq\x01ccollections\nOrderedDict\nq\x02)Rq\x03s."
NO_TENSORS = pickle.dumps(0, protocol=2)
# no storages, then an empty list of storage views
NO_STORAGES = pickle.dumps(0, protocol=2) + pickle.dumps([], protocol=2)


def write_tar(name, members, fmt=tarfile.PAX_FORMAT):
    """`members`: (name, bytes) or (name, bytes, {"pax": {...}} / {"type": tarfile.DIRTYPE}) in archive order."""
    with tarfile.open(os.path.join(out, name), "w", format=fmt) as tar:
        for member in members:
            member_name, data = member[0], member[1]
            extra = member[2] if len(member) > 2 else {}
            info = tarfile.TarInfo(member_name)
            info.size = len(data)
            info.mtime = 0
            if "pax" in extra:
                info.pax_headers = extra["pax"]
            if "type" in extra:
                info.type = extra["type"]
                info.linkname = extra.get("linkname", "")
                info.size = 0
            tar.addfile(info, io.BytesIO(data) if info.size else None)


def legacy(obj=OBJECT, storages=NO_STORAGES, tensors=NO_TENSORS):
    return [("sys_info", SYS_INFO), ("pickle", obj), ("tensors", tensors), ("storages", storages)]


# torch's legacy layout, as old torch.save wrote it (PAX format)
write_tar("legacy.pt", legacy())
write_tar("legacy_evil.pt", legacy(obj=EVIL))
write_tar("legacy_evil_storages.tar", legacy(storages=EVIL))
# the payload in an earlier `pickle` member that a later one shadows: still in the file
write_tar("legacy_dup_pickle.tar", [("pickle", EVIL)] + legacy())
# the layout torch's loader follows in `storages` and `tensors`: a count, then per item an args pickle and raw bytes
# (storages: an int64 element count and the elements; tensors: int32 ndim, 4 bytes, sizes, strides, offset)
STORAGE_ARGS = b"\x80\x02X\x01\x00\x00\x000X\x03\x00\x00\x00cpuctorch\nFloatStorage\n\x87."
TENSOR_ARGS = b"\x80\x02X\x01\x00\x00\x000X\x01\x00\x00\x000ctorch\nFloatTensor\n\x87."


def storage(raw=b"\0" * 8):
    return STORAGE_ARGS + struct.pack("<q", len(raw) // 4) + raw


TENSOR = TENSOR_ARGS + struct.pack("<i", 1) + b"\0" * 4 + struct.pack("<qqq", 2, 1, 0)
# a payload in the second storage's args pickle, in the storage views after the raw bytes, in the second tensor's
# args; and the control: the payload's bytes as a storage's raw data, which torch never unpickles
write_tar("legacy_evil_storage_args.tar", legacy(storages=pickle.dumps(2, protocol=2) + storage() + EVIL))
write_tar("legacy_evil_views.tar", legacy(storages=pickle.dumps(1, protocol=2) + storage() + EVIL))
write_tar("legacy_evil_tensor_args.tar", legacy(tensors=pickle.dumps(2, protocol=2) + TENSOR + EVIL))
write_tar("legacy_payload_as_data.tar", legacy(storages=pickle.dumps(1, protocol=2) + storage(EVIL + b"\0" * (-len(EVIL) % 4)) + pickle.dumps([], protocol=2)))
# a webdataset shard and a source tarball: no torch members
write_tar("shard-000000.tar", [(f"{i:06d}.{ext}", f"{i} {ext}".encode()) for i in range(3) for ext in ("cls", "txt")])
write_tar("source.tar", [("pkg", b"", {"type": tarfile.DIRTYPE}), ("pkg/setup.py", b"print('hi')\n"), ("pkg/README", b"hi\n")], fmt=tarfile.USTAR_FORMAT)
# two of the three members
write_tar("partial.tar", [("storages", NO_STORAGES), ("pickle", OBJECT)])
# the names only in pax `path` records (the ustar names are decoys), the payload in `pickle`
write_tar(
    "pax_names.tar",
    [
        ("a", NO_STORAGES, {"pax": {"path": "storages"}}),
        ("b", NO_TENSORS, {"pax": {"path": "tensors"}}),
        ("c", EVIL, {"pax": {"path": "pickle"}}),
    ],
)
# `pickle` is a link to another member: torch reads that one
write_tar("link_pickle.tar", [("x", EVIL), ("storages", NO_STORAGES), ("tensors", NO_TENSORS), ("pickle", b"", {"type": tarfile.SYMTYPE, "linkname": "x"})])
# GNU long names (an `L` header before each) and a ustar prefix split of a long path
long_dir = "d" * 120
write_tar("gnu_long.tar", [(f"{long_dir}/x.txt", b"x")] + legacy(), fmt=tarfile.GNU_FORMAT)
write_tar("ustar_prefix.tar", [(f"{'p' * 90}/{'q' * 90}.txt", b"x")], fmt=tarfile.USTAR_FORMAT)
# torch's members behind a header with a bad checksum: tarfile's list ends there, so torch never sees them
write_tar("bad_second_header.tar", [("readme.txt", b"hello")] + legacy(obj=EVIL), fmt=tarfile.USTAR_FORMAT)
with open(os.path.join(out, "bad_second_header.tar"), "r+b") as f:
    f.seek(1024 + 148)
    f.write(b"0000001\x00")
# a checksum written as Python's int(s, 8) still reads it ("0o" prefix, no NUL)
write_tar("odd_checksum.tar", legacy(), fmt=tarfile.USTAR_FORMAT)
with open(os.path.join(out, "odd_checksum.tar"), "r+b") as f:
    header = bytearray(f.read(512))
    header[148:156] = b" " * 8
    header[148:156] = b"0o%06o" % sum(header)
    f.seek(0)
    f.write(header)
# a pax header far larger than any real one (2 MB of comment) before torch's members
write_tar("huge_pax.tar", [("readme", b"", {"pax": {"comment": "x" * 2_000_000}})] + legacy())
# a gzip-compressed tar named .tar: mode "r:" does not decompress, so torch does not take it for a tar
with open(os.path.join(out, "shard-000000.tar"), "rb") as f:
    compressed = gzip.compress(f.read(), mtime=0)
with open(os.path.join(out, "compressed.tar"), "wb") as f:
    f.write(compressed)

listing = {}
for name in sorted(os.listdir(out)):
    try:
        with tarfile.open(os.path.join(out, name), "r:") as tar:
            listing[name] = tar.getnames()
    except tarfile.TarError:
        listing[name] = None
print(json.dumps(listing))
