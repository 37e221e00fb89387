#!/usr/bin/env bash
# Runs every non-arithmetic input listed in issue 13 against a built `elbo`, as a new user would
# type it, and checks the exit status and the message. No case may crash (status ≥ 128, a
# signal) or print a raw Foundation error.
#
#   scripts/hostile-inputs.sh [PATH/TO/elbo]      (default .build/debug/elbo; build it first)
#
# Prints one line per case and a summary; exits 1 when a case fails. The same inputs have
# regression tests in the normal suite (HostileInputTests, HostileFileTests,
# HostileCommandLineTests); this script is the end-to-end check of the list as filed.
set -u
root=$(cd "$(dirname "$0")/.." && pwd)
elbo=${1:-$root/.build/debug/elbo}
[ -x "$elbo" ] || { echo "no executable $elbo (run swift build)"; exit 2; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$root"
pass=0; fail=0

# expect NAME STATUS TEXT -- ARGS…: runs elbo ARGS, wants exit STATUS and TEXT in stdout+stderr.
expect() {
    local name=$1 status=$2 text=$3; shift 4
    "$elbo" "$@" >"$tmp/out" 2>"$tmp/err"
    local got=$?
    local all; all=$(cat "$tmp/out" "$tmp/err")
    if [ "$got" = "$status" ] && grep -qF -- "$text" <<<"$all" && ! grep -q NSCocoaErrorDomain <<<"$all"; then
        pass=$((pass + 1)); printf 'ok    %s: %s\n' "$name" "$(grep -m1 -F -- "$text" <<<"$all" | cut -c1-150)"
    else
        fail=$((fail + 1)); printf 'FAIL  %s (exit %s, want %s and "%s")\n' "$name" "$got" "$status" "$text"
        head -c 600 "$tmp/err"; echo
    fi
}

# A spec whose step (1) is $1.
spec() {
    cat >"$2" <<EOF
derivation d "D"
variables
  x : observed real[k]
  z : latent real[m]
model p(x, z) = p(x | z) p(z)
guide q(z | x) = q(z | x)
steps
  log p(x)
  (1) = $1
EOF
}

echo "== parser"
spec "$(printf '(%.0s' $(seq 5000))log p(x)$(printf ')%.0s' $(seq 5000))" "$tmp/parens.elbo"
expect "5000 nested parentheses" 2 "parens.elbo:9:" -- check "$tmp/parens.elbo"
spec "$(printf 'E_{q(z|x)}[%.0s' $(seq 3000))log p(x | z)$(printf ']%.0s' $(seq 3000))" "$tmp/expect.elbo"
expect "3000 nested E_{q(z|x)}[…]" 2 "nested too deeply" -- check "$tmp/expect.elbo"
spec $'log p(x)\u200b' "$tmp/zwsp.elbo"
expect "zero-width space" 2 "zwsp.elbo:9:17: error: unexpected character U+200B (zero-width space)" -- check "$tmp/zwsp.elbo"
spec $'\u200flog p(x)' "$tmp/rtl.elbo"
expect "right-to-left mark" 2 "rtl.elbo:9:9: error: unexpected character U+200F (right-to-left mark)" -- check "$tmp/rtl.elbo"
expect "missing spec" 2 "nope.elbo: error: no such file" -- check "$tmp/nope.elbo"
printf 'derivation d\n\xff\xfe\n' >"$tmp/latin.elbo"
expect "non-UTF-8 spec" 2 "not UTF-8" -- check "$tmp/latin.elbo"

echo "== kernel --eval"
eval_case() {
    printf '%s' "$2" >"$tmp/e.json"
    expect "$1" 2 "$3" -- kernel VaeBernoulliLoss --eval "$tmp/e.json"
}
eval_case "empty batch" '{"dims":{"k":2,"m":1},"inputs":{"x":[],"mu":[],"s":[],"f":[]}}' "the batch is empty"
eval_case "a string in a row" '{"dims":{"k":2,"m":1},"inputs":{"x":[[1,"a",0]],"mu":[[0]],"s":[[0]],"f":[[0,0]]}}' "must be a number, found the string"
eval_case "k = 2.7" '{"dims":{"k":2.7,"m":1}}' "dims.k must be a whole number"
eval_case "a boolean" '{"dims":{"k":2,"m":1},"inputs":{"x":[[1,true]],"mu":[[0]],"s":[[0]],"f":[[0,0]]}}' "found the boolean true"

echo "== data files and training options"
small=(train Specs/vae_bernoulli.elbo --epochs 1 --batch 32 --dim m=2 --seed 3 --format json)
sized=(--limit 64 --hidden 8)
mkdir -p "$tmp/idx"
for f in train-images-idx3-ubyte t10k-images-idx3-ubyte; do printf '\x00\x00\x08\x03\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff' >"$tmp/idx/$f"; done
for f in train-labels-idx1-ubyte t10k-labels-idx1-ubyte; do printf '\x00\x00\x08\x01\xff\xff\xff\xff' >"$tmp/idx/$f"; done
expect "IDX extents 0xFFFFFFFF" 2 "idx/train-" -- "${small[@]}" "${sized[@]}" --data "$tmp/idx" --out "$tmp/r-idx"
# Labels ≥ 10: the bundled data with one training label byte set to 10, for the conditional VAE.
mkdir -p "$tmp/labels"
mnist=Sources/ELBORuntime/Resources/MNIST
cp "$mnist"/*images* "$mnist"/t10k-labels* "$tmp/labels/"
gzip -dc "$mnist/train-labels-idx1-ubyte.gz" >"$tmp/labels/train-labels-idx1-ubyte"
printf '\x0a' | dd of="$tmp/labels/train-labels-idx1-ubyte" bs=1 seek=10 conv=notrunc status=none
expect "a label of 10 (conditional model)" 2 "label 10" -- train Specs/cvae_model.elbo --epochs 1 --batch 32 --limit 64 --hidden 8 --seed 3 --data "$tmp/labels" --out "$tmp/r-label"
expect "--hidden 100000000" 2 "outside 1…4096" -- "${small[@]}" --limit 64 --hidden 100000000 --out "$tmp/r1"
expect "--lr 1e-320" 2 "not a positive number Float can hold" -- "${small[@]}" "${sized[@]}" --lr 1e-320 --out "$tmp/r2"
expect "--limit 100000" 2 "outside 1…60000" -- "${small[@]}" --hidden 8 --limit 100000 --out "$tmp/r3"
expect "--hidden 400,,200" 2 "got '400,,200'" -- "${small[@]}" --limit 64 --hidden 400,,200 --out "$tmp/r4"
expect "--out ''" 2 "--out needs a directory name" -- "${small[@]}" "${sized[@]}" --out ''
expect "--out /dev/null" 2 "/dev/null: error: exists and is not a directory" -- "${small[@]}" "${sized[@]}" --out /dev/null
expect "sample --out in a missing directory" 2 "does not exist" -- sample "$tmp" --out "$tmp/no/such/x.png"

echo "== a real run: resume, sample, run.json and checkpoint edits"
run=$tmp/run
expect "a one-epoch run" 0 '"epoch": 1' -- "${small[@]}" "${sized[@]}" --out "$run"
expect "--resume without --epochs keeps the saved 1 epoch" 0 "already trained for 1 epoch" -- train Specs/vae_bernoulli.elbo --out "$run" --resume
expect "sample with the run's seed" 0 "" -- sample "$run" --out "$tmp/s1.png" --seed 3
if cmp -s "$tmp/s1.png" "$run/samples.png"; then pass=$((pass + 1)); echo "ok    sample --seed 3 is samples.png byte for byte"
else fail=$((fail + 1)); echo "FAIL  sample --seed 3 differs from samples.png"; fi
cp "$run/run.json" "$tmp/run.json.orig"
edit_run() {  # edit_run NAME SED-EXPRESSION MESSAGE
    sed "$2" "$tmp/run.json.orig" >"$run/run.json"
    expect "run.json $1 (resume)" 2 "$3" -- train Specs/vae_bernoulli.elbo --out "$run" --resume --epochs 2
    expect "run.json $1 (sample)" 2 "$3" -- sample "$run" --out "$tmp/s.png"
}
edit_run "batch 0" 's/"batch" : 32/"batch" : 0/' "batch 0 is outside"
edit_run "m = 0" 's/"m" : 2/"m" : 0/' "dimension m=0"
edit_run "m = -4" 's/"m" : 2/"m" : -4/' "dimension m=-4"
edit_run "hidden -3" '/"hidden"/{n;s/[0-9][0-9]*/-3/}' "hidden layer width -3"
cp "$tmp/run.json.orig" "$run/run.json"

# Checkpoint layout: magic(8) version(4) count(4) metadata length(u64 at 16), metadata, tensors,
# CRC-32 (little-endian) of everything before it. Rewrites the metadata JSON with sed and
# recomputes the length and the CRC (gzip's trailer holds the same CRC-32).
cp "$run/checkpoint.ckpt" "$tmp/ckpt.orig"
edit_checkpoint() {  # edit_checkpoint SED-EXPRESSION
    local f=$tmp/ckpt.orig size len
    size=$(stat -c %s "$f")
    len=$(od -An -tu8 -j16 -N8 "$f" | tr -d ' ')
    head -c 16 "$f" >"$tmp/body"
    tail -c +25 "$f" | head -c "$len" | sed "$1" >"$tmp/meta"
    local n; n=$(stat -c %s "$tmp/meta")
    printf "$(printf '\\x%02x' $((n & 255)) $(((n >> 8) & 255)) $(((n >> 16) & 255)) $(((n >> 24) & 255)) 0 0 0 0)" >>"$tmp/body"
    cat "$tmp/meta" >>"$tmp/body"
    tail -c +$((25 + len)) "$f" | head -c $((size - 24 - len - 4)) >>"$tmp/body"
    gzip -c "$tmp/body" | tail -c 8 | head -c 4 >"$tmp/crc"
    cat "$tmp/body" "$tmp/crc" >"$run/checkpoint.ckpt"
}
edit_checkpoint 's/"epoch":[0-9]*/"epoch":-1/'
expect "checkpoint with a negative epoch (resume)" 2 "checkpoint.ckpt" -- train Specs/vae_bernoulli.elbo --out "$run" --resume --epochs 2
edit_checkpoint 's/"batchInEpoch":[0-9]*/"batchInEpoch":1000000/'
expect "checkpoint with batchInEpoch 1e6 (resume)" 2 "stopped at batch 1000000" -- train Specs/vae_bernoulli.elbo --out "$run" --resume --epochs 2
edit_checkpoint 's/x/x/'
expect "the rewritten but unchanged checkpoint resumes" 0 '"epoch": 2' -- train Specs/vae_bernoulli.elbo --out "$run" --resume --epochs 2 --format json
touch "$run/.checkpoint.ckpt.tmp-999999999"
expect "a stale .tmp-PID of a dead save is removed" 0 '"epoch": 3' -- train Specs/vae_bernoulli.elbo --out "$run" --resume --epochs 3 --format json
if [ -e "$run/.checkpoint.ckpt.tmp-999999999" ]; then fail=$((fail + 1)); echo "FAIL  the stale temporary file is still there"
else pass=$((pass + 1)); echo "ok    the stale temporary file is gone"; fi

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
