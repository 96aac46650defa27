#!/usr/bin/env python3
"""Write the patch that turns one JSON Lines manifest into the next, for `trail commit --patch`.

  make_patch.py v1.jsonl v2.jsonl --out patch.jsonl [--id-field id]

The patch holds every row of NEW that is not byte-for-byte the row with the same
id in OLD (modified and added samples, copied as they are), followed by
{"id": "...", "_delete": true} for each id of OLD that NEW no longer has.

Prints one line of counts for scripts to read:

  added=20 modified=56 deleted=14 changed_bytes=21834 patch_bytes=23154

changed_bytes is the size of the added and modified rows (newlines included);
patch_bytes is the size of the whole patch file.
"""
import argparse, hashlib, json, sys


def digest(line):
    return hashlib.blake2b(line, digest_size=16).digest()


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("old", help="the manifest the store already holds")
    p.add_argument("new", help="the manifest to reach")
    p.add_argument("--out", required=True, help="where to write the patch (JSON Lines)")
    p.add_argument("--id-field", default="id")
    args = p.parse_args()

    # id -> digest of the raw line, so a million rows stay well under a GiB.
    old = {}
    with open(args.old, "rb") as f:
        for line in f:
            if line.strip():
                old[json.loads(line)[args.id_field]] = digest(line.rstrip(b"\n"))

    added = modified = deleted = changed_bytes = 0
    seen = set()
    with open(args.out, "wb") as out:
        with open(args.new, "rb") as f:
            for line in f:
                if not line.strip():
                    continue
                row = line.rstrip(b"\n")
                sample_id = json.loads(row)[args.id_field]
                seen.add(sample_id)
                before = old.get(sample_id)
                if before == digest(row):
                    continue
                if before is None:
                    added += 1
                else:
                    modified += 1
                out.write(row + b"\n")
                changed_bytes += len(row) + 1
        for sample_id in old:
            if sample_id not in seen:
                out.write(json.dumps({args.id_field: sample_id, "_delete": True},
                                     separators=(",", ":")).encode() + b"\n")
                deleted += 1
        patch_bytes = out.tell()

    print(f"added={added} modified={modified} deleted={deleted} "
          f"changed_bytes={changed_bytes} patch_bytes={patch_bytes}")


if __name__ == "__main__":
    sys.exit(main())
