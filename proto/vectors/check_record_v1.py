#!/usr/bin/env python3
"""Check record-v1.json (or the file named) with check_vectors.py.

Kept for its command line; check_vectors.py checks every vector file.

    python3 proto/vectors/check_record_v1.py [proto/vectors/record-v1.json]
"""
import os
import sys

sys.dont_write_bytecode = True  # nothing written into the source tree
here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, here)
import check_vectors  # noqa: E402  (exits, naming PyNaCl, when it is missing)

if __name__ == "__main__":
    sys.exit(check_vectors.main([sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, "record-v1.json")]))
