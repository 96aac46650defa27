#!/usr/bin/env python3
"""Load the exact data a model trained on, streamed from `trail export MODEL --out -`.

    python3 load_snapshot.py STORE MODEL [--label-field label]

STORE is the store's folder (what `trail --store` takes, e.g. `.trail`); MODEL is a model name,
or any revision (branch, tag, commit). Needs `trail` on PATH. Pure Python: no third-party package.
"""
import argparse
import collections
import json
import subprocess
import sys
import threading


class TrailError(RuntimeError):
    """`trail` exited with a non-zero code; the message is its stderr."""

    def __init__(self, args, code, stderr):
        super().__init__(f"{' '.join(args)} exited with {code}: {stderr}")
        self.code = code
        self.stderr = stderr


def iter_samples(revision, store=None, trail="trail"):
    """Yields each sample of `revision` as a dict, in id order, as `trail export` streams it."""
    args = [trail, "export", revision, "--out", "-"] + (["--store", store] if store else [])
    proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    # Drained on a thread, so that trail can never block on a full stderr pipe.
    stderr = []
    drain = threading.Thread(target=lambda: stderr.append(proc.stderr.read()))
    drain.start()
    complete = False
    try:
        for line in proc.stdout:  # one JSON object per line; no temporary file
            yield json.loads(line)
        complete = True
    finally:
        if not complete:  # the caller stopped early, or a line failed to parse
            proc.kill()
        proc.stdout.close()
        code = proc.wait()
        drain.join()
    message = stderr[0].decode("utf-8", "replace").strip()
    if code != 0:
        raise TrailError(args, code, message)
    if message:  # e.g. "note: 1 sample was erased from this version since and is left out: ..."
        print(message, file=sys.stderr)


class TrailDataset:
    """A map-style dataset of one revision's samples: `len(ds)` and `ds[i]`.

    It duck-types `torch.utils.data.Dataset` (a DataLoader needs only `__len__` and
    `__getitem__`), so it works with PyTorch without importing it here.
    """

    def __init__(self, revision, store=None, transform=None):
        self.samples = list(iter_samples(revision, store))
        self.transform = transform

    def __len__(self):
        return len(self.samples)

    def __getitem__(self, index):
        sample = self.samples[index]
        return self.transform(sample) if self.transform else sample


def main():
    parser = argparse.ArgumentParser(description="Load a model's training snapshot from a Trail store.")
    parser.add_argument("store", help="the store's folder, e.g. .trail")
    parser.add_argument("model", help="a model name, or any revision")
    parser.add_argument("--label-field", default="label", help="the label field to count (default: label)")
    options = parser.parse_args()

    try:
        dataset = TrailDataset(options.model, store=options.store,
                               transform=lambda s: (s.get("text", ""), s.get(options.label_field)))
    except TrailError as error:
        print(error.stderr, file=sys.stderr)  # trail's own "error: ..." and "hint: ..." lines
        sys.exit(error.code)
    print(f"{options.model}: {len(dataset)} samples")
    labels = collections.Counter(label for _, label in dataset)
    for label, n in labels.most_common():
        print(f"  {label:<28} {n:>5}")
    first = dataset.samples[0]
    print(f"first sample: {first['id']}, {first.get(options.label_field)} "
          f"by {first.get('annotator')} under {first.get('guideline')}")
    print(f"dataset[0]: {dataset[0]!r}")


if __name__ == "__main__":
    main()
