#!/usr/bin/env python3
"""Check record-v1.json with an implementation independent of the C code.

For every vector: encode the fields with the small protobuf writer below and
compare with body_hex; BLAKE2b-256(body) must equal id; Envelope{body, sig}
must equal envelope_hex; and, if the 'cryptography' package is installed,
the Ed25519 public key derived from seed and the signature over body must
equal public_key and signature.

    python3 proto/vectors/check_record_v1.py [proto/vectors/record-v1.json]
"""
import hashlib
import json
import os
import sys


def varint(n):
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def field_varint(num, value):
    # proto3: a zero scalar is not written; int64 negatives take 10 bytes
    if value == 0:
        return b""
    return varint(num << 3 | 0) + varint(value & 0xFFFFFFFFFFFFFFFF)


def field_bytes(num, data):
    if not data:
        return b""
    return varint(num << 3 | 2) + varint(len(data)) + data


def encode_body(f):
    out = field_varint(1, f["version"])
    out += field_bytes(2, bytes.fromhex(f["author"]))
    out += field_varint(3, f["seq"])
    out += field_bytes(4, bytes.fromhex(f["prev"]))
    out += field_bytes(5, f["unit"].encode())
    out += field_varint(6, f["clock"])
    out += field_bytes(7, f["form"].encode())
    out += field_bytes(8, f["period"].encode())
    for code, value in f["values"]:
        v = field_bytes(1, code.encode()) + field_varint(2, value)
        # a Value is written even when empty: it is an element of a list
        out += varint(9 << 3 | 2) + varint(len(v)) + v
    if f["note"] is not None:
        out += field_bytes(10, f["note"].encode())
    if f["corrects"] is not None:
        out += field_bytes(11, bytes.fromhex(f["corrects"]))
    return out


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    path = sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, "record-v1.json")
    with open(path, encoding="utf-8") as fh:
        doc = json.load(fh)
    try:
        from cryptography.hazmat.primitives import serialization
        from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    except ImportError:
        Ed25519PrivateKey = None
        print("note: 'cryptography' not installed, Ed25519 not checked")
    bad = 0
    for v in doc["vectors"]:
        f = v["fields"]
        body = bytes.fromhex(v["body_hex"])
        sig = bytes.fromhex(v["signature"])
        checks = {
            "body": encode_body(f) == body,
            "id": hashlib.blake2b(body, digest_size=32).hexdigest() == v["id"],
            "envelope": field_bytes(1, body) + field_bytes(2, sig)
            == bytes.fromhex(v["envelope_hex"]),
            "author": f["author"] == v["public_key"],
        }
        if Ed25519PrivateKey:
            sk = Ed25519PrivateKey.from_private_bytes(bytes.fromhex(v["seed"]))
            pk = sk.public_key().public_bytes(
                serialization.Encoding.Raw, serialization.PublicFormat.Raw
            )
            checks["public_key"] = pk.hex() == v["public_key"]
            checks["signature"] = sk.sign(body) == sig
        failed = [k for k, ok in checks.items() if not ok]
        print("%-14s %s" % (v["name"], "FAIL: " + ", ".join(failed) if failed else "ok"))
        bad += bool(failed)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
