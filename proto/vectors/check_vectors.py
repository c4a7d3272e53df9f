#!/usr/bin/env python3
"""Check antt's test vectors with an implementation independent of the C code.

Written from proto/README.md alone, with its own protobuf writer and reader
(no protobuf library), hashlib's BLAKE2b, PyNaCl for Ed25519 and the
Ed25519 -> X25519 conversion (libsodium's), and Z85 in a few lines.  For
every vector of record-v1.json and antt-v1.json it encodes the fields and
compares the bytes, decodes the bytes and compares the fields, hashes,
signs with the seed (Ed25519 is deterministic) and verifies, derives the
CURVE keys, rebuilds the key file, and applies the format's rules: every
positive vector must pass them, every vector of "refused" must fail them,
for the reason class it names and no other.

    python3 proto/vectors/check_vectors.py [FILE.json ...]

Without arguments it checks record-v1.json and antt-v1.json next to it.
Exit status 0 when every vector holds, 1 otherwise.
"""
import calendar
import hashlib
import json
import os
import re
import sys

try:
    import nacl.bindings
    import nacl.exceptions
    import nacl.signing
except ImportError as e:
    sys.stderr.write(
        "check_vectors: PyNaCl is required and cannot be imported (%s).\n"
        "Install it: apt-get install python3-nacl (scripts/deps.sh does), "
        "or pip install pynacl for this python (%s).\n" % (e, sys.executable)
    )
    sys.exit(1)

# ---- protobuf: the wire format, as far as antt uses it ----

U64 = (1 << 64) - 1


class Malformed(Exception):
    """Not a protobuf message of the expected type."""


def varint(n):
    n &= U64
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def read_varint(buf, i):
    n = shift = 0
    for _ in range(10):
        if i >= len(buf):
            raise Malformed("a varint cut short")
        b = buf[i]
        i += 1
        n |= (b & 0x7F) << shift
        shift += 7
        if not b & 0x80:
            return n & U64, i
    raise Malformed("a varint longer than 10 bytes")


# A schema: field number -> (name, type, repeated).  Types: "uint32",
# "uint64", "int64" (varints), "bytes", "string", or a schema (a message).
VALUE = {1: ("code", "string", False), 2: ("value", "uint64", False)}
ENROLL = {
    1: ("unit", "string", False),
    2: ("key", "bytes", False),
    3: ("grant", "uint32", False),
    4: ("units", "string", True),
    5: ("subtrees", "string", True),
}
REVOKE = {1: ("key", "bytes", False), 2: ("after_seq", "uint64", False), 3: ("reason", "string", False)}
RECORD_BODY = {
    1: ("version", "uint32", False),
    2: ("author", "bytes", False),
    3: ("seq", "uint64", False),
    4: ("prev", "bytes", False),
    5: ("unit", "string", False),
    6: ("clock", "int64", False),
    7: ("form", "string", False),
    8: ("period", "string", False),
    9: ("values", VALUE, True),
    10: ("note", "string", False),
    11: ("corrects", "bytes", False),
    12: ("enroll", ENROLL, False),
    13: ("revoke", REVOKE, False),
}
ENVELOPE = {1: ("body", "bytes", False), 2: ("sig", "bytes", False)}
STAMP_BODY = {
    1: ("author", "bytes", False),
    2: ("from_seq", "uint64", False),
    3: ("to_seq", "uint64", False),
    4: ("to_id", "bytes", False),
    5: ("at", "int64", False),
}
STAMP = {1: ("hub", "bytes", False), 2: ("body", "bytes", False), 3: ("sig", "bytes", False)}
HEAD = {1: ("author", "bytes", False), 2: ("seq", "uint64", False), 3: ("id", "bytes", False)}
HELLO = {1: ("version", "uint32", False), 2: ("unit", "string", False), 3: ("heads", HEAD, True)}
BATCH = {
    1: ("batch", "uint64", False),
    2: ("records", "bytes", True),
    3: ("zrecords", "bytes", False),
    5: ("stamps", STAMP, True),
}
REFUSAL = {
    1: ("author", "bytes", False),
    2: ("seq", "uint64", False),
    3: ("id", "bytes", False),
    4: ("code", "uint32", False),
    5: ("reason", "string", False),
    6: ("index", "uint32", False),
}
ACK = {
    1: ("batch", "uint64", False),
    2: ("heads", HEAD, True),
    3: ("refused", REFUSAL, True),
    4: ("credit", "uint32", False),
}
SYNC_MSG = {1: ("hello", HELLO, False), 3: ("batch", BATCH, False), 4: ("ack", ACK, False)}

VARINTS = ("uint32", "uint64", "int64")


def _scalar_default(t):
    return 0 if t in VARINTS else b""


def encode(schema, msg):
    """The canonical proto3 encoding of msg (a dict by field name): fields in
    number order; a zero or empty scalar omitted; a message present (not
    None) written even when empty; every element of a repeated field
    written."""
    out = bytearray()
    for num in sorted(schema):
        name, t, rep = schema[num]
        v = msg.get(name)
        items = (v or []) if rep else [v]
        for x in items:
            if isinstance(t, dict):
                if x is None:
                    continue
                sub = encode(t, x)
                out += varint(num << 3 | 2) + varint(len(sub)) + sub
            elif t in VARINTS:
                if x or rep:
                    out += varint(num << 3) + varint(x)
            else:
                if isinstance(x, str):
                    x = x.encode("utf-8")
                if x or rep:
                    out += varint(num << 3 | 2) + varint(len(x)) + x
    return bytes(out)


def decode(schema, buf, path=""):
    """Read buf as the message schema describes: a dict by field name (every
    field, defaults for those absent: 0, b"", [] or None) and the list of
    unknown fields met (at any depth).  A scalar given twice keeps the last
    value and a message given twice is merged, as every protobuf reader
    does; the canonical check then refuses both.  Raises Malformed."""
    raw = {}
    unknown = []
    i = 0
    while i < len(buf):
        key, i = read_varint(buf, i)
        num, wt = key >> 3, key & 7
        if num == 0 or num > 0x1FFFFFFF:
            raise Malformed("field number %d" % num)
        if wt == 0:
            val, i = read_varint(buf, i)
        elif wt == 2:
            n, i = read_varint(buf, i)
            if n > len(buf) - i:
                raise Malformed("a length beyond the end")
            val, i = buf[i : i + n], i + n
        elif wt in (1, 5):
            n = 8 if wt == 1 else 4
            if n > len(buf) - i:
                raise Malformed("a fixed field cut short")
            val, i = buf[i : i + n], i + n
        else:
            raise Malformed("wire type %d" % wt)
        if num not in schema:
            unknown.append("%s%d" % (path, num))
            continue
        name, t, rep = schema[num]
        want = 0 if t in VARINTS else 2
        if wt != want:
            raise Malformed("field %s with wire type %d" % (name, wt))
        raw.setdefault(num, []).append(val)
    msg = {}
    for num, (name, t, rep) in schema.items():
        vals = raw.get(num, [])
        if isinstance(t, dict):
            if rep:
                msg[name] = []
                for k, v in enumerate(vals):
                    sub, unk = decode(t, v, "%s%s[%d]." % (path, name, k))
                    msg[name].append(sub)
                    unknown += unk
            elif vals:
                # merging the occurrences is parsing them one after another
                msg[name], unk = decode(t, b"".join(vals), "%s%s." % (path, name))
                unknown += unk
            else:
                msg[name] = None
            continue
        conv = {
            "uint32": lambda v: v & 0xFFFFFFFF,
            "uint64": lambda v: v,
            "int64": lambda v: v - (1 << 64) if v >> 63 else v,
        }.get(t, bytes)
        if rep:
            msg[name] = [conv(v) for v in vals]
        else:
            msg[name] = conv(vals[-1]) if vals else _scalar_default(t)
    return msg, unknown


# ---- JSON fields <-> messages ----


def unhex(s):
    return bytes.fromhex(s) if s is not None else b""


def hexn(b):
    """Hex, or None for an empty (absent) value."""
    return b.hex() if b else None


def text(b):
    return b.decode("utf-8")


def body_from_json(f):
    e, r = f.get("enroll"), f.get("revoke")
    return {
        "version": f["version"],
        "author": unhex(f["author"]),
        "seq": f["seq"],
        "prev": unhex(f["prev"]),
        "unit": f["unit"].encode(),
        "clock": f["clock"],
        "form": f["form"].encode(),
        "period": f["period"].encode(),
        "values": [{"code": c.encode(), "value": v} for c, v in f["values"]],
        "note": (f["note"] or "").encode(),
        "corrects": unhex(f["corrects"]),
        "enroll": None
        if e is None
        else {
            "unit": e["unit"].encode(),
            "key": unhex(e["key"]),
            "grant": e["grant"],
            "units": [u.encode() for u in e["units"]],
            "subtrees": [u.encode() for u in e["subtrees"]],
        },
        "revoke": None
        if r is None
        else {"key": unhex(r["key"]), "after_seq": int(r["after_seq"]), "reason": (r["reason"] or "").encode()},
    }


def body_to_json(m):
    e, r = m["enroll"], m["revoke"]
    return {
        "version": m["version"],
        "author": m["author"].hex(),
        "seq": m["seq"],
        "prev": m["prev"].hex(),
        "unit": text(m["unit"]),
        "clock": m["clock"],
        "form": text(m["form"]),
        "period": text(m["period"]),
        "values": [[text(v["code"]), v["value"]] for v in m["values"]],
        "note": text(m["note"]) if m["note"] else None,
        "corrects": hexn(m["corrects"]),
        "enroll": None
        if e is None
        else {
            "unit": text(e["unit"]),
            "key": e["key"].hex(),
            "grant": e["grant"],
            "units": [text(u) for u in e["units"]],
            "subtrees": [text(u) for u in e["subtrees"]],
        },
        "revoke": None
        if r is None
        else {
            "key": r["key"].hex(),
            # a number no int64 holds is written as a decimal string
            "after_seq": r["after_seq"] if r["after_seq"] <= MAX_SEQ else str(r["after_seq"]),
            "reason": text(r["reason"]) if r["reason"] else None,
        },
    }


def stamp_from_json(f):
    return {
        "author": unhex(f["author"]),
        "from_seq": f["from_seq"],
        "to_seq": f["to_seq"],
        "to_id": unhex(f["to_id"]),
        "at": f["at"],
    }


def stamp_to_json(m):
    return {
        "author": hexn(m["author"]),
        "from_seq": m["from_seq"],
        "to_seq": m["to_seq"],
        "to_id": hexn(m["to_id"]),
        "at": m["at"],
    }


def heads_from_json(hs):
    return [{"author": unhex(h["author"]), "seq": h["seq"], "id": unhex(h["id"])} for h in hs]


def heads_to_json(hs):
    return [{"author": hexn(h["author"]), "seq": h["seq"], "id": hexn(h["id"])} for h in hs]


def sync_from_json(kind, f):
    if kind == "hello":
        m = {"version": f["version"], "unit": f["unit"].encode(), "heads": heads_from_json(f["heads"])}
    elif kind == "batch":
        m = {
            "batch": f["batch"],
            "records": [unhex(r) for r in f["records"]],
            "zrecords": b"",
            "stamps": [{"hub": unhex(s["hub"]), "body": unhex(s["body"]), "sig": unhex(s["sig"])} for s in f["stamps"]],
        }
    elif kind == "ack":
        m = {
            "batch": f["batch"],
            "heads": heads_from_json(f["heads"]),
            "refused": [
                {
                    "author": unhex(r["author"]),
                    "seq": r["seq"],
                    "id": unhex(r["id"]),
                    "code": r["code"],
                    "reason": r["reason"].encode(),
                    "index": r["index"],
                }
                for r in f["refused"]
            ],
            "credit": f["credit"],
        }
    else:
        raise ValueError("unknown message kind %r" % kind)
    return {kind: m}


def sync_to_json(msg):
    kinds = [k for k in ("hello", "batch", "ack") if msg[k] is not None]
    if len(kinds) != 1:
        raise Malformed("a SyncMsg carries exactly one message")
    kind, m = kinds[0], msg[kinds[0]]
    if kind == "hello":
        f = {"version": m["version"], "unit": text(m["unit"]), "heads": heads_to_json(m["heads"])}
    elif kind == "batch":
        f = {
            "batch": m["batch"],
            "records": [r.hex() for r in m["records"]],
            "stamps": [{"hub": hexn(s["hub"]), "body": hexn(s["body"]), "sig": hexn(s["sig"])} for s in m["stamps"]],
        }
        if m["zrecords"]:
            f["zrecords"] = m["zrecords"].hex()
    else:
        f = {
            "batch": m["batch"],
            "heads": heads_to_json(m["heads"]),
            "refused": [
                {
                    "index": r["index"],
                    "author": hexn(r["author"]),
                    "seq": r["seq"],
                    "id": hexn(r["id"]),
                    "code": r["code"],
                    "reason": text(r["reason"]),
                }
                for r in m["refused"]
            ],
            "credit": m["credit"],
        }
    return kind, f


# ---- the rules of proto/README.md ----

MAX_SEQ = (1 << 63) - 1
MAX_VALUE = (1 << 53) - 1
UNIT = re.compile(rb"[0-9A-Za-z._-]{1,16}")
NAME = re.compile(rb"[0-9A-Za-z][0-9A-Za-z._-]{0,63}")
STAMP_DOMAIN = b"antt stamp v1\n"


def period_kind(p):
    """The kind of a period of the calendar, years 2000 to 2099: "day",
    "month", "quarter" or "year"; None for anything else."""
    m = re.fullmatch(rb"([0-9]{4})(?:-([0-9]{2})(?:-([0-9]{2}))?|-Q([1-4]))?", p)
    if not m:
        return None
    year = int(m.group(1))
    if not 2000 <= year <= 2099:
        return None
    if m.group(4):
        return "quarter"
    if not m.group(2):
        return "year"
    month = int(m.group(2))
    if not 1 <= month <= 12:
        return None
    if not m.group(3):
        return "month"
    day = int(m.group(3))
    return "day" if 1 <= day <= calendar.monthrange(year, month)[1] else None


def good_text(b):
    """A note or a reason: absent (empty), or 1-4096 bytes of UTF-8, no NUL."""
    if not b:
        return True
    try:
        b.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return len(b) <= 4096 and b"\0" not in b


def ascending(v):
    return all(a < b for a, b in zip(v, v[1:]))


def body_faults(m, size):
    """The rules a decoded RecordBody breaks: a list of (class, why)."""
    out = []

    def fault(cls, why):
        out.append((cls, why))

    if size > 65536:
        fault("field", "a body is at most 65536 bytes")
    if m["version"] != 1:
        fault("field", "version is 1")
    if len(m["author"]) != 32:
        fault("field", "author is 32 bytes")
    if not 1 <= m["seq"] <= MAX_SEQ:
        fault("field", "seq is 1 to 2^63-1")
    if len(m["prev"]) != 32:
        fault("field", "prev is 32 bytes")
    elif (m["seq"] == 1) != (m["prev"] == bytes(32)):
        fault("field", "prev is all zero if and only if seq is 1")
    if not UNIT.fullmatch(m["unit"]):
        fault("field", "unit: 1-16 of 0-9 A-Z a-z . _ -")
    if not NAME.fullmatch(m["form"]):
        fault("field", "form: a form id")
    kind = period_kind(m["period"])
    if kind is None:
        fault("period", "not a day, month, quarter or year of the calendar, 2000-2099")
    vals = m["values"]
    if len(vals) > 256:
        fault("field", "at most 256 values")
    for v in vals:
        if not NAME.fullmatch(v["code"]):
            fault("field", "a value code is a form id")
        if v["value"] > MAX_VALUE:
            fault("field", "a value is at most 2^53-1")
    if not ascending([v["code"] for v in vals]):
        fault("field", "values strictly ascending by code")
    if not good_text(m["note"]):
        fault("field", "note: 1-4096 bytes of UTF-8 without NUL")
    if len(m["corrects"]) not in (0, 32):
        fault("field", "corrects is absent or 32 bytes")

    system = m["form"].startswith(b"antt.")
    e, r = m["enroll"], m["revoke"]
    if e is not None and r is not None:
        fault("system", "a body enrolls or revokes, not both")
    if e is not None:
        if m["form"] != b"antt.enroll" or vals or m["corrects"]:
            fault("system", "an enrollment has form antt.enroll, no values, no corrects")
        if not UNIT.fullmatch(e["unit"]):
            fault("field", "the enrolled unit is a unit code")
        if len(e["key"]) != 32:
            fault("field", "the enrolled key is 32 bytes")
        scope = e["units"] + e["subtrees"]
        if e["grant"] not in (0, 1, 2):
            fault("grant", "grant is 0, 1 or 2")
        elif e["grant"] != 2 and scope:
            fault("scope", "only a hub's enrollment has a scope")
        elif e["grant"] == 2 and not 1 <= len(scope) <= 4096:
            fault("scope", "a hub's scope has 1 to 4096 entries")
        if not all(UNIT.fullmatch(u) for u in scope):
            fault("scope", "scope entries are unit codes")
        if not ascending(e["units"]) or not ascending(e["subtrees"]):
            fault("scope", "units and subtrees strictly ascending")
    elif r is not None:
        if m["form"] != b"antt.revoke" or vals or m["corrects"]:
            fault("system", "a revocation has form antt.revoke, no values, no corrects")
        if len(r["key"]) != 32:
            fault("field", "the revoked key is 32 bytes")
        if r["after_seq"] > MAX_SEQ:
            fault("field", "after_seq is at most 2^63-1")
        if not good_text(r["reason"]):
            fault("field", "reason: 1-4096 bytes of UTF-8 without NUL")
    elif system:
        fault("system", "forms antt.* are enrollments and revocations only")
    if system and kind is not None and kind != "day":
        fault("system", "a system record's period is a day")
    return out


def stamp_faults(m):
    out = []
    if len(m["author"]) != 32 or len(m["to_id"]) != 32:
        out.append(("field", "author and to_id are 32 bytes"))
    if not 1 <= m["from_seq"] <= m["to_seq"] <= MAX_SEQ:
        out.append(("field", "1 <= from_seq <= to_seq <= 2^63-1"))
    if m["at"] <= 0:
        out.append(("field", "at > 0"))
    return out


def envelope_faults(m):
    out = []
    if not 1 <= len(m["body"]) <= 65536:
        out.append(("field", "a body of 1 to 65536 bytes"))
    if len(m["sig"]) != 64:
        out.append(("field", "a signature is 64 bytes"))
    return out


def judge(kind, buf):
    """Read buf as a RecordBody, StampBody or Envelope and apply the rules:
    (decoded message or None, list of (class, why)); no faults: valid."""
    schema, faults, canonical = {
        "record_body": (RECORD_BODY, lambda m: body_faults(m, len(buf)), True),
        "stamp_body": (STAMP_BODY, stamp_faults, True),
        "envelope": (ENVELOPE, envelope_faults, False),
    }[kind]
    try:
        m, unknown = decode(schema, buf)
    except Malformed as e:
        return None, [("malformed", str(e))]
    if unknown:
        return m, [("unknown_field", "unknown field " + ", ".join(unknown))]
    out = faults(m)
    if canonical and encode(schema, m) != buf:
        out.append(("noncanonical", "not the canonical encoding of its fields"))
    return m, out


# ---- keys ----

Z85 = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-:+=^!/*?&<>()[]{}@%$#"


def z85_encode(b):
    """ZeroMQ RFC 32: each 4 bytes, big-endian, as 5 base-85 digits."""
    assert len(b) % 4 == 0
    out = []
    for i in range(0, len(b), 4):
        n = int.from_bytes(b[i : i + 4], "big")
        out += [Z85[n // 85**k % 85] for k in (4, 3, 2, 1, 0)]
    return "".join(out)


def z85_decode(s):
    assert len(s) % 5 == 0
    out = bytearray()
    for i in range(0, len(s), 5):
        n = 0
        for c in s[i : i + 5]:
            n = n * 85 + Z85.index(c)
        out += n.to_bytes(4, "big")
    return bytes(out)


KEY_FILE = (
    "# antt node identity. SECRET: keep this file mode 0600, never copy it\n"
    "# off this machine except to a backup you trust.\n"
    "[identity]\n"
    "type = ed25519\n"
    "seed = {seed}\n"
    "public = {public}\n"
)


def signing_key(seed_hex):
    return nacl.signing.SigningKey(bytes.fromhex(seed_hex))


def verifies(pk, msg, sig):
    try:
        nacl.signing.VerifyKey(pk).verify(msg, sig)
        return True
    except nacl.exceptions.BadSignatureError:
        return False


# ---- the checks, vector by vector ----


class Checker:
    def __init__(self):
        self.bad = 0
        self.count = 0
        self.ids = {}  # (author hex, seq) -> id hex, every record seen
        self.envelopes = set()
        self.formats = set()  # of the files read so far
        self.units = {}  # public key hex -> unit, from "keys"

    def report(self, section, name, failed):
        self.count += 1
        self.bad += bool(failed)
        label = "%s/%s" % (section, name)
        print("%-40s %s" % (label, "FAIL: " + "; ".join(failed) if failed else "ok"))

    def record(self, v, chains):
        """One record vector (record-v1.json or antt-v1.json's records)."""
        f = v["fields"]
        body = bytes.fromhex(v["body_hex"])
        sig = bytes.fromhex(v["signature"])
        sk = signing_key(v["seed"])
        pk = bytes(sk.verify_key)
        m = body_from_json(f)
        got, faults = judge("record_body", body)
        env = encode(ENVELOPE, {"body": body, "sig": sig})
        checks = {
            "public_key": pk.hex() == v["public_key"],
            "author": f["author"] == v["public_key"],
            "body": encode(RECORD_BODY, m) == body,
            "decode": got is not None and body_to_json(got) == body_to_json(m),
            "rules": not faults,
            "id": hashlib.blake2b(body, digest_size=32).hexdigest() == v["id"],
            "signature": sk.sign(body).signature == sig,
            "verify": verifies(pk, body, sig),
            "envelope": env == bytes.fromhex(v["envelope_hex"]),
            "envelope_decode": judge("envelope", env)[0] == {"body": body, "sig": sig},
        }
        # one chain per author: seq 1 first, each prev the id before
        key = (f["author"], f["seq"])
        if f["seq"] > 1:
            checks["chain"] = chains.get((f["author"], f["seq"] - 1)) == f["prev"]
        if f["corrects"] is not None:
            checks["corrects"] = f["corrects"] in chains.values()
        # each key files for its own unit and is enrolled for it
        if f["author"] in self.units:
            checks["unit"] = self.units[f["author"]] == f["unit"]
        e = f.get("enroll")
        if e is not None and e["key"] in self.units:
            checks["enrolled_unit"] = self.units[e["key"]] == e["unit"]
        chains[key] = v["id"]
        self.ids[key] = v["id"]
        self.envelopes.add(v["envelope_hex"])
        return [k for k, ok in checks.items() if not ok] + [w for _, w in faults]

    def key(self, v):
        seed = bytes.fromhex(v["seed"])
        pk, sk = nacl.bindings.crypto_sign_seed_keypair(seed)
        cpk = nacl.bindings.crypto_sign_ed25519_pk_to_curve25519(pk)
        csk = nacl.bindings.crypto_sign_ed25519_sk_to_curve25519(sk)
        text_file = KEY_FILE.format(seed=seed.hex(), public=pk.hex())
        self.units[pk.hex()] = v["unit"]
        checks = {
            "public_key": bytes(signing_key(v["seed"]).verify_key) == pk and pk.hex() == v["public_key"],
            "libsodium_secret_key": sk == seed + pk and sk.hex() == v["libsodium_secret_key"],
            "curve_public": cpk.hex() == v["curve_public"],
            "curve_secret": csk.hex() == v["curve_secret"],
            "curve_pair": nacl.bindings.crypto_scalarmult_base(csk) == cpk,
            "curve_public_z85": z85_encode(cpk) == v["curve_public_z85"]
            and z85_decode(v["curve_public_z85"]) == cpk,
            "curve_secret_z85": z85_encode(csk) == v["curve_secret_z85"]
            and z85_decode(v["curve_secret_z85"]) == csk,
            "key_file": text_file == v["key_file"],
            "key_file_hex": text_file.encode("ascii").hex() == v["key_file_hex"],
        }
        return [k for k, ok in checks.items() if not ok]

    def stamp(self, v):
        f = v["fields"]
        body = bytes.fromhex(v["body_hex"])
        sig = bytes.fromhex(v["signature"])
        sk = signing_key(v["hub_seed"])
        hub = bytes(sk.verify_key)
        msg = STAMP_DOMAIN + body
        got, faults = judge("stamp_body", body)
        checks = {
            "hub": hub.hex() == v["hub"],
            "body": encode(STAMP_BODY, stamp_from_json(f)) == body,
            "decode": got is not None and stamp_to_json(got) == f,
            "rules": not faults,
            "message": msg == bytes.fromhex(v["message_hex"]),
            "signature": sk.sign(msg).signature == sig,
            "verify": verifies(hub, msg, sig),
            "not_a_record": not verifies(hub, body, sig),
            "stamp": encode(STAMP, {"hub": hub, "body": body, "sig": sig}) == bytes.fromhex(v["stamp_hex"]),
        }
        held = self.ids.get((f["author"], f["to_seq"]))
        if held is not None:
            checks["to_id"] = held == f["to_id"]
        return [k for k, ok in checks.items() if not ok] + [w for _, w in faults]

    def message(self, v):
        kind, f = v["message"], v["fields"]
        buf = bytes.fromhex(v["syncmsg_hex"])
        checks = {"encode": encode(SYNC_MSG, sync_from_json(kind, f)) == buf}
        try:
            msg, unknown = decode(SYNC_MSG, buf)
            checks["decode"] = not unknown and sync_to_json(msg) == (kind, f)
        except Malformed:
            checks["decode"] = False
        heads = f.get("heads", [])
        for h in heads:
            known = self.ids.get((h["author"], h["seq"]))
            if h["seq"] == 0:
                checks["head_seq_0"] = checks.get("head_seq_0", True) and h["id"] is None
            elif known is not None:
                checks["heads"] = checks.get("heads", True) and known == h["id"]
        for i, r in enumerate(f.get("records", [])):
            env, faults = judge("envelope", bytes.fromhex(r))
            ok = env is not None and not faults
            if ok:
                m, faults = judge("record_body", env["body"])
                ok = m is not None and not faults and verifies(m["author"], env["body"], env["sig"])
            # the batch carries record-v1.json's records
            if "antt record v1" in self.formats:
                ok = ok and r in self.envelopes
            checks["record_%d" % i] = ok
        for i, s in enumerate(f.get("stamps", [])):
            body = bytes.fromhex(s["body"])
            m, faults = judge("stamp_body", body)
            checks["stamp_%d" % i] = (
                m is not None
                and not faults
                and verifies(bytes.fromhex(s["hub"]), STAMP_DOMAIN + body, bytes.fromhex(s["sig"]))
            )
        for r in f.get("refused", []):
            if r["author"] is not None:
                known = self.ids.get((r["author"], r["seq"]))
                checks["refusal_id"] = known is None or known == r["id"]
        return [k for k, ok in checks.items() if not ok]

    def refused(self, v):
        kind, cls = v["kind"], v["class"]
        buf = bytes.fromhex(v["hex"])
        m, faults = judge(kind, buf)
        classes = sorted({c for c, _ in faults})
        failed = []
        if classes != [cls]:
            why = "; ".join(w for _, w in faults)
            failed.append("refused for %s, not %s only (%s)" % (classes or "nothing", cls, why))
        if v["fields"] is not None:
            to_json = {
                "record_body": body_to_json,
                "stamp_body": stamp_to_json,
                "envelope": lambda e: {"body": hexn(e["body"]), "sig": hexn(e["sig"])},
            }[kind]
            if m is None or to_json(m) != v["fields"]:
                failed.append("its bytes do not read as its fields")
        if v["canonical_hex"] is not None:
            canon = bytes.fromhex(v["canonical_hex"])
            schema = RECORD_BODY if kind == "record_body" else STAMP_BODY
            if m is None or encode(schema, m) != canon or canon == buf:
                failed.append("canonical_hex is not the canonical encoding of its fields")
            if judge(kind, canon)[1]:
                failed.append("canonical_hex is not valid")
        return failed

    def file(self, path):
        with open(path, encoding="utf-8") as fh:
            doc = json.load(fh)
        fmt = doc.get("format")
        chains = {}
        if fmt == "antt record v1":
            sections = {"vectors": lambda v: self.record(v, chains)}
        elif fmt == "antt vectors v1":
            sections = {
                "keys": self.key,
                "records": lambda v: self.record(v, chains),
                "stamps": self.stamp,
                "messages": self.message,
                "refused": self.refused,
            }
        else:
            print("%s: unknown format %r" % (path, fmt))
            self.bad += 1
            return
        self.formats.add(fmt)
        extra = set(doc) - set(sections) - {"format", "comment"}
        if extra:
            print("%s: sections this checker does not know: %s" % (path, ", ".join(sorted(extra))))
            self.bad += 1
        for section, check in sections.items():
            if not doc.get(section):
                print("%s: no %s" % (path, section))
                self.bad += 1
            for v in doc.get(section, []):
                try:
                    failed = check(v)
                except (KeyError, TypeError, ValueError, UnicodeDecodeError) as e:
                    failed = ["unreadable vector: %r" % e]
                self.report(section, v.get("name", "?"), failed)


def main(paths=None):
    here = os.path.dirname(os.path.abspath(__file__))
    if not paths:
        paths = [os.path.join(here, "record-v1.json"), os.path.join(here, "antt-v1.json")]
    c = Checker()
    for p in paths:
        print("== %s" % p)
        c.file(p)
    print("%d vectors, %d failed" % (c.count, c.bad) if c.bad else "%d vectors, all hold" % c.count)
    return 1 if c.bad or not c.count else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
