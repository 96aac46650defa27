#!/usr/bin/env bash
# bench/scale.sh — how Trail's cost grows with the dataset: every whole-dataset command's wall
# time, peak RSS (per process) and the store's size, at several sizes, beside doltlite in the
# same run, with the ratios of issue 15's goals.
#
# Usage:
#   bench/scale.sh [--samples N[,N...]] [--10m] [--work DIR] [--no-doltlite]
#
#   --samples LIST  sizes, comma-separated (default: 1000000,3000000). The first is the base of
#                   the linearity ratio: t(N) / (t(base) * N / base), goal <= 1.2.
#   --10m           add 10,000,000 (about 3.4 GB per manifest and 10 GB of disk in all).
#   --work DIR      datasets, stores and logs (default: bench/work/). Datasets are kept in
#                   DIR/data-N/ (the same ones bench/run.sh makes) and reused.
#   --no-doltlite   skip the doltlite peer.
#   --no-remotes    skip clone, push and erase (the slowest steps; the report leaves them blank).
#   --remotes-up-to N  run clone, push and erase only at sizes up to N samples.
#
# Environment: TRAIL_BIN (default: builds `swift build -c release --static-swift-stdlib`),
# GEN (the dataset generator, as for run.sh), PYTHON (to make doltlite's venv, default python3).
#
# Per size it times, each with /usr/bin/time -f "%e %M" (wall seconds, peak RSS of the process):
#   commit v1 (fresh store), status v2.jsonl (against v1), commit v2.jsonl (full manifest),
#   commit --patch patch.jsonl (on a copy holding v1), export HEAD, diff clf-v1 clf-v2,
#   history ID (median of 5), audit model clf-v2, reindex, verify, commit --patch of 35k
#   changed rows whatever the size (bench/make_small_patch.py, on the v2 store), clone of that
#   store (three commits) through git daemon, push of the patched copy (v1 and the full patch)
#   to a new bare repository, erase of one sample (on the clone);
#   the store's size after v1 and v2 (objects and index); and doltlite (PyPI, in a venv made
#   under DIR): load of v1, full load of v2, diff v1 -> v2 (counts by change and label pair),
#   and its database's size. Results go to DIR/scale-N/results.tsv; the report at the end
#   reads every size measured in this run.

set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/.." && pwd)"
sizes="1000000,3000000"
work="$root/bench/work"
gen="${GEN:-$here/../../shared/bench/gen_dataset.py}"
doltlite=1
remotes=1
remotes_max=

usage() { sed -n '2,/^$/s/^# \{0,1\}//p' "$0"; }
while [ $# -gt 0 ]; do
    case "$1" in
        --samples) sizes="$2"; shift 2 ;;
        --samples=*) sizes="${1#*=}"; shift ;;
        --10m) sizes="$sizes,10000000"; shift ;;
        --work) work="$2"; shift 2 ;;
        --work=*) work="${1#*=}"; shift ;;
        --no-doltlite) doltlite=0; shift ;;
        --no-remotes) remotes=0; shift ;;
        --remotes-up-to) remotes_max="$2"; shift 2 ;;
        -h|--help) usage; exit 0 ;;
        *) echo "scale.sh: unknown argument: $1" >&2; usage >&2; exit 2 ;;
    esac
done
[ -x /usr/bin/time ] || { echo "scale.sh: /usr/bin/time (GNU time) is needed" >&2; exit 1; }
mkdir -p "$work"; work="$(cd "$work" && pwd)"
export TRAIL_AUTHOR="Bench <bench@example.org>"

die() { echo "scale.sh: $*" >&2; exit 1; }
step() { printf '\n== %s\n' "$*"; }
tree_bytes() { find "$@" -type f -printf '%s\n' 2>/dev/null | awk '{ s += $1 } END { printf "%.0f\n", s }'; }

if [ -z "${TRAIL_BIN:-}" ]; then
    (cd "$root" && swift build -c release --static-swift-stdlib) || die "swift build failed"
    TRAIL_BIN="$root/.build/release/trail"
fi
T="$TRAIL_BIN"

if [ "$doltlite" = 1 ]; then
    venv="$work/doltlite-venv"
    if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c 'import doltlite' 2>/dev/null; then
        step "doltlite: installing into $venv"
        "${PYTHON:-python3}" -m venv "$venv"
        "$venv/bin/pip" install -q doltlite || die "pip install doltlite failed"
    fi
    DL="$venv/bin/python $here/doltlite_bench.py"
    echo "   doltlite $("$venv/bin/python" -c 'import doltlite; print(doltlite.__version__)')"
fi

# measure NAME CMD... : wall seconds and peak RSS (KiB) into results.tsv; stops on failure.
measure() {
    local name="$1"; shift
    local log="$run/logs/$name.log" tf="$run/logs/$name.time"
    if ! /usr/bin/time -f "%e %M" -o "$tf" "$@" >"$log" 2>&1; then
        echo "scale.sh: FAILED ($name): $*" >&2; sed 's/^/    | /' "$log" "$tf" >&2; exit 1
    fi
    read -r SECS KB < <(tail -n 1 "$tf")
    printf '%s\t%s\t%s\n' "$name" "$SECS" "$KB" >>"$run/results.tsv"
    printf '   %-22s %8s s %8d MiB\n' "$name" "$SECS" $((KB / 1024))
}
# median5 NAME CMD... : the median of 5 runs (after a warm-up), the largest RSS.
median5() {
    local name="$1"; shift
    local times=() kbs=() k
    "$@" >/dev/null 2>&1 || die "$name failed"
    for k in 1 2 3 4 5; do
        /usr/bin/time -f "%e %M" -o "$run/logs/$name.time" "$@" >/dev/null 2>&1 || die "$name failed"
        read -r s kb < <(tail -n 1 "$run/logs/$name.time"); times+=("$s"); kbs+=("$kb")
    done
    SECS=$(printf '%s\n' "${times[@]}" | sort -g | sed -n 3p)
    KB=$(printf '%s\n' "${kbs[@]}" | sort -g | tail -n 1)
    printf '%s\t%s\t%s\n' "$name" "$SECS" "$KB" >>"$run/results.tsv"
    printf '   %-22s %8s s %8d MiB  (median of 5)\n' "$name" "$SECS" $((KB / 1024))
}
record() { printf '%s\t%s\t0\n' "$1" "$2" >>"$run/results.tsv"; }

IFS=, read -r -a size_list <<<"$sizes"
for n in "${size_list[@]}"; do
    data="$work/data-$n"
    step "Datasets: $data"
    mkdir -p "$data"
    [ -s "$data/v1.jsonl" ] || { python3 "$gen" --samples "$n" --out "$data/v1.tmp" && mv "$data/v1.tmp" "$data/v1.jsonl"; }
    [ -s "$data/v2.jsonl" ] || { python3 "$gen" --evolve-from "$data/v1.jsonl" --out "$data/v2.tmp" && mv "$data/v2.tmp" "$data/v2.jsonl"; }
    if [ ! -s "$data/patch.jsonl" ] || [ ! -s "$data/patch.stats" ]; then
        python3 "$here/make_patch.py" "$data/v1.jsonl" "$data/v2.jsonl" --out "$data/patch.tmp" >"$data/patch.stats.tmp"
        mv "$data/patch.tmp" "$data/patch.jsonl"; mv "$data/patch.stats.tmp" "$data/patch.stats"
    fi
    run="$work/scale-$n"; rm -rf "$run"; mkdir -p "$run/logs"
    : >"$run/results.tsv"
    full="$run/full/.trail" patched="$run/patched/.trail"
    cat "$data/v1.jsonl" "$data/v2.jsonl" "$data/patch.jsonl" >/dev/null; sync

    step "Trail, $n samples"
    "$T" init --store "$full" >/dev/null
    measure commit-v1 "$T" commit --store "$full" "$data/v1.jsonl" -m v1
    mkdir -p "$(dirname "$patched")"; cp -a "$full" "$patched"
    measure status-v2 "$T" status --store "$full" "$data/v2.jsonl"
    measure commit-v2 "$T" commit --store "$full" "$data/v2.jsonl" -m v2
    measure commit-patch "$T" commit --store "$patched" --patch "$data/patch.jsonl" -m "v2 (patch)"
    measure export "$T" export HEAD --store "$full" --out "$run/export-v2.jsonl"
    rm -f "$run/export-v2.jsonl"
    "$T" model register --store "$full" clf-v1 HEAD~1 >/dev/null
    "$T" model register --store "$full" clf-v2 HEAD >/dev/null
    measure diff "$T" diff --store "$full" clf-v1 clf-v2
    sample=$(python3 -c 'import json, sys
for line in open(sys.argv[1]):
    row = json.loads(line)
    if not row.get("_delete"): print(row["id"]); break' "$data/patch.jsonl")
    median5 history "$T" history --store "$full" "$sample"
    measure audit-model "$T" audit model --store "$full" clf-v2
    measure reindex "$T" reindex --store "$full"
    measure verify "$T" verify --store "$full"
    record store-objects "$(tree_bytes "$full/objects")"
    record store-index "$(tree_bytes "$full"/index.sqlite*)"
    record store-total "$(tree_bytes "$full")"
    record manifest-bytes "$(stat -c %s "$data/v1.jsonl")"
    # A patch of 35k changed rows whatever the size: its cost should follow the change (goal 1 s at 10M).
    python3 "$here/make_small_patch.py" "$data/v2.jsonl" --rows 35000 --out "$run/patch-35k.jsonl" >"$run/logs/patch-35k.stats"
    measure commit-patch-35k "$T" commit --store "$full" --patch "$run/patch-35k.jsonl" -m "35k changed rows"
    rm -f "$run/patch-35k.jsonl"

    if [ "$remotes" = 1 ] && { [ -z "$remotes_max" ] || [ "$n" -le "$remotes_max" ]; }; then
    port=$((20000 + ($$ + n / 1000) % 20000))
    git daemon --reuseaddr --export-all --enable=receive-pack --listen=127.0.0.1 --port="$port" \
        --base-path="$run" "$run" >"$run/logs/daemon.log" 2>&1 &
    daemon_pid=$!
    trap 'kill "$daemon_pid" 2>/dev/null || true' EXIT
    for _ in $(seq 1 100); do git ls-remote "git://127.0.0.1:$port/full/.trail" >/dev/null 2>&1 && break; sleep 0.1; done
    # The served store is set up as docs/collaboration.md recommends for large datasets: no
    # delta search when upload-pack packs it (libgit2's fetch resolving deltas took 5 GiB at 10M).
    git --git-dir "$full" config pack.window 0
    measure clone "$T" clone "git://127.0.0.1:$port/full/.trail" "$run/clone.trail"
    git init -q --bare "$run/server.git"
    "$T" remote add --store "$patched" origin "git://127.0.0.1:$port/server.git" >/dev/null
    measure push "$T" push --store "$patched" origin main
    kill "$daemon_pid" 2>/dev/null || true
    rm -rf "$run/server.git" "$patched"
    measure erase "$T" erase --store "$run/clone.trail" "$sample" --reason "bench: one sample"
    rm -rf "$run/clone.trail"
    fi
    git --git-dir "$full" fsck --strict >"$run/logs/fsck.log" 2>&1 && echo "   git fsck --strict: OK" || { echo "   git fsck --strict: FAIL"; exit 1; }

    if [ "$doltlite" = 1 ]; then
        step "doltlite, $n samples"
        db="$run/doltlite.db"
        measure dl-load-v1 $DL load "$db" "$data/v1.jsonl" v1
        measure dl-load-v2 $DL load "$db" "$data/v2.jsonl" v2
        measure dl-diff $DL diff "$db"
        sed -n 1p "$run/logs/dl-diff.log" | sed 's/^/      | /'
        record dl-db "$(tree_bytes "$run"/doltlite.db*)"
        rm -f "$run"/doltlite.db*
    fi
    rm -rf "$run/full"
done

step "Report"
python3 - "$work" "${size_list[@]}" <<'PY'
import sys
work, sizes = sys.argv[1], [int(s) for s in sys.argv[2:]]
res = {}
for n in sizes:
    d = {}
    for line in open(f"{work}/scale-{n}/results.tsv"):
        name, secs, kb = line.rstrip("\n").split("\t")
        d[name] = (float(secs), int(kb))
    res[n] = d
base = sizes[0]
def mib(kb): return f"{kb / 1024:.0f}"
def gib(b): return f"{b / 2**30:.2f} GiB"
names = ["commit-v1", "status-v2", "commit-v2", "commit-patch", "commit-patch-35k", "export", "diff", "history",
         "audit-model", "reindex", "verify", "clone", "push", "erase"]
head = "| command | " + " | ".join(f"{n/1e6:g}M: s | RSS MiB" for n in sizes) + " | " + \
       " | ".join(f"linear {n/1e6:g}M" for n in sizes[1:]) + " |"
print(head)
print("|" + "---|" * (1 + 2 * len(sizes) + len(sizes) - 1))
for name in names:
    cells = []
    for n in sizes:
        s, kb = res[n].get(name, (float("nan"), 0))
        cells += [f"{s:.3g}" if name == "history" else f"{s:.2f}", mib(kb)]
    lin = []
    for n in sizes[1:]:
        s0, s = res[base].get(name, (0, 0))[0], res[n].get(name, (0, 0))[0]
        lin.append(f"{s / (s0 * n / base):.2f}" if s0 > 0 else "n/a")
    print(f"| {name} | " + " | ".join(cells) + " | " + " | ".join(lin) + " |")
print()
print("| size | store after v1+v2 (objects + index) | doltlite db | store / doltlite | first commit / dl load | v2 commit / dl v2 load | diff / dl diff | peak RSS, any command |")
print("|---|---|---|---|---|---|---|---|")
for n in sizes:
    d = res[n]
    peak = max(kb for name, (s, kb) in d.items() if name in names)
    store = d["store-total"][0]
    row = [f"{n/1e6:g}M", f"{gib(store)} ({gib(d['store-objects'][0])} + {gib(d['store-index'][0])})"]
    if "dl-db" in d:
        row += [gib(d["dl-db"][0]), f"{store / d['dl-db'][0]:.2f}",
                f"{d['commit-v1'][0] / d['dl-load-v1'][0]:.2f} (goal 0.5)",
                f"{d['commit-v2'][0] / d['dl-load-v2'][0]:.2f} (goal 0.3)",
                f"{d['diff'][0] / d['dl-diff'][0]:.2f} (goal 0.2)"]
    else:
        row += ["-"] * 5
    row.append(f"{peak / 1024:.0f} MiB (goal 2048)")
    print("| " + " | ".join(row) + " |")
if any("dl-load-v1" in res[n] for n in sizes):
    print()
    for n in sizes:
        d = res[n]
        if "dl-load-v1" in d:
            print(f"doltlite {n/1e6:g}M: load v1 {d['dl-load-v1'][0]:.1f} s ({mib(d['dl-load-v1'][1])} MiB), "
                  f"load v2 {d['dl-load-v2'][0]:.1f} s ({mib(d['dl-load-v2'][1])} MiB), diff {d['dl-diff'][0]:.2f} s")
PY
