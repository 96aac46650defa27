#!/usr/bin/env python3
"""Write a patch of a fixed number of changed rows for a manifest, whatever its size.

  make_small_patch.py MANIFEST --rows 35000 --out patch.jsonl [--id-field id]

Rows are taken evenly spaced through MANIFEST (the one the store holds at its tip): five in
seven are relabeled (another label, annotator "ann_bench", guideline "v3.2"), one in seven
comes back under a new id (an added sample), and one in seven is deleted. The cost of
`trail commit --patch` should follow this count, not the dataset's size (issue 15: at most
1 s for 35k changed rows at 10M samples).

Prints one line of counts: added=5000 modified=25000 deleted=5000
"""
import argparse, json


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("manifest")
    p.add_argument("--rows", type=int, default=35000)
    p.add_argument("--out", required=True)
    p.add_argument("--id-field", default="id")
    args = p.parse_args()
    with open(args.manifest, "rb") as f:
        total = sum(1 for _ in f)
    step = max(1, total // args.rows)
    counts = {"added": 0, "modified": 0, "deleted": 0}
    deletions = []
    with open(args.manifest, "rb") as f, open(args.out, "w") as out:
        picked = 0
        for n, line in enumerate(f):
            if n % step or picked >= args.rows:
                continue
            row = json.loads(line)
            kind = picked % 7
            picked += 1
            if kind == 5:
                row[args.id_field] = f"{row[args.id_field]}-bench"
                counts["added"] += 1
            elif kind == 6:
                deletions.append(row[args.id_field])
                continue
            else:
                row["label"] = "harassment" if row.get("label") == "safe" else "safe"
                row["annotator"], row["guideline"] = "ann_bench", "v3.2"
                counts["modified"] += 1
            out.write(json.dumps(row, separators=(",", ":")) + "\n")
        for sample in deletions:
            out.write(json.dumps({args.id_field: sample, "_delete": True}) + "\n")
            counts["deleted"] += 1
    print(" ".join(f"{k}={v}" for k, v in counts.items()))


if __name__ == "__main__":
    main()
