#!/usr/bin/env bash
# Writes the seed corpora of Fuzz/Seeds/ from the repository's own inputs (run once; the result
# is committed). Needs a built elbo (.build/debug/elbo) for the kernel descriptions and a tiny
# training run's run.json and checkpoint metadata.
#   spec        every derivation of Specs/*.elbo, one file each
#   check       the spec seeds of at most 1024 bytes (the target's -max_len) and the derivations
#               over indexed families of Fuzz/IndexedSeeds (from IndexedFamilyCheckTests)
#   latex       the seeds' text (Tests/ELBOCheckTests/Seeds), one paragraph group of ≤ 1000 bytes each
#   kernel-eval per kernel (first byte: its index in KernelRegistry.all), a document giving every
#               dimension 2 and every input one example of zeros; the malformed documents of issue 13
#   idx         tiny raw and gzip IDX files (images 1×4×4, labels 3) and the bundled files' first bytes
#   checkpoint  a checkpoint body (no CRC: the target appends it) with a real trainer state
#   run-json    run.json of a tiny VaeBernoulliLoss and CvaeLoss run
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
elbo=.build/debug/elbo
out=Fuzz/Seeds
rm -rf "$out"; mkdir -p "$out"/{spec,check,latex,kernel-eval,idx,checkpoint,run-json}
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT

for f in Specs/*.elbo; do
    awk -v base="$out/spec/$(basename "$f" .elbo)" '/^derivation /{n++} {print > (base "-" n+0 ".elbo")}' "$f"
done
for f in "$out"/spec/*.elbo; do
    [ "$(wc -c <"$f")" -le 1024 ] && cp "$f" "$out/check/"
done
cp Fuzz/IndexedSeeds/*.elbo "$out/check/"
for f in Tests/ELBOCheckTests/Seeds/*; do
    awk -v base="$out/latex/$(basename "$f" | tr . _)" 'BEGIN{RS=""; ORS="\n\n"}
        { if (length(chunk) + length($0) > 1000) { n++; chunk = "" } chunk = chunk $0 "\n\n"; print > (base "-" n+0 ".md") }' "$f"
done

i=0
for k in BernoulliVAEFixture GaussianVAEFixture MixturePriorFixture CdvaeLoss CvaeLoss SrvaeLoss VaeBernoulliLoss VaeGaussianLoss; do
    "$elbo" kernel "$k" --describe >"$tmp/d"
    dims=$(sed -n 's/^  dimensions: //p' "$tmp/d" | tr -d ' ' | tr , '\n' | grep -v '^[0-9]*$' | sed 's/.*/"&":2/' | paste -sd,)
    inputs=$(awk '/^  inputs/{f=1; next} /^  [a-z]/{f=0} f {print $1, $2}' "$tmp/d" |
        while read -r name width; do
            w=${width//[\[\]]/}; case $w in *[!0-9]*) w=2;; esac
            printf '"%s":[[%s]]\n' "$name" "$(yes 0 | head -n "$w" | paste -sd,)"
        done | paste -sd,)
    { printf "\\x$(printf %02x $i)"; printf '{"dims":{%s},"inputs":{%s}}' "$dims" "$inputs"; } >"$out/kernel-eval/$k.json"
    i=$((i + 1))
done
n=0
for doc in '{"dims":{"k":2,"m":1},"inputs":{"x":[],"mu":[],"s":[],"f":[]}}' \
           '{"dims":{"k":2,"m":1},"inputs":{"x":[[1,"a",0]],"mu":[[0]],"s":[[0]],"f":[[0,0]]}}' \
           '{"dims":{"k":2.7,"m":1}}' '{"dims":{"k":2,"m":1},"inputs":{"x":[[1,true]],"mu":[[0]],"s":[[0]],"f":[[0,0]]}}'; do
    { printf '\x06'; printf '%s' "$doc"; } >"$out/kernel-eval/malformed-$n.json"; n=$((n + 1))
done

# IDX: mode byte (bit 0: label magic, bit 1: an item limit of mode>>2) then the file.
printf '\x00\x00\x00\x08\x03\x00\x00\x00\x01\x00\x00\x00\x04\x00\x00\x00\x04' >"$tmp/images"
head -c 16 /dev/zero | tr '\0' '\200' >>"$tmp/images"
printf '\x00\x00\x08\x01\x00\x00\x00\x03\x00\x05\x09' >"$tmp/labels"
cp "$tmp/images" "$out/idx/images.idx"
{ printf '\x01'; cat "$tmp/labels"; } >"$out/idx/labels.idx"
{ printf '\x00'; tail -c +2 "$tmp/images" | gzip -9n; } >"$out/idx/images.idx.gz"
{ printf '\x07'; gzip -9n <"$tmp/labels"; } >"$out/idx/labels-limit-1.idx.gz"
for f in Sources/ELBORuntime/Resources/MNIST/*.gz; do
    mode='\x00'; case $f in *labels*) mode='\x01';; esac
    { printf "$mode"; head -c 300 "$f"; } >"$out/idx/$(basename "$f" .gz)-head.gz"
    { printf "$mode"; gzip -dc "$f" | head -c 300; } >"$out/idx/$(basename "$f" .gz)-head"
done

"$elbo" train Specs/vae_bernoulli.elbo --epochs 1 --batch 32 --limit 64 --hidden 2 --dim m=1 --seed 3 --out "$tmp/run" >/dev/null 2>&1
"$elbo" train Specs/cvae_model.elbo --epochs 1 --batch 32 --limit 64 --hidden 2 --dim m=1 --seed 3 --out "$tmp/crun" >/dev/null 2>&1
cp "$tmp/run/run.json" "$out/run-json/vae_bernoulli.json"
cp "$tmp/crun/run.json" "$out/run-json/cvae.json"
# Checkpoint: magic, version 1, one tensor, metadata length (u64), metadata, then the tensor
# "w" of rank 1 and extent 3; the real run's trainer state as metadata.
len=$(od -An -tu8 -j16 -N8 "$tmp/run/checkpoint.ckpt" | tr -d ' ')
tail -c +25 "$tmp/run/checkpoint.ckpt" | head -c "$len" >"$tmp/meta"
le() { local v=$1 b=$2 s=""; for ((k = 0; k < b; k++)); do s+=$(printf '\\x%02x' $(((v >> (8 * k)) & 255))); done; printf "$s"; }
{ printf 'ELBOCKPT'; le 1 4; le 1 4; le "$len" 8; cat "$tmp/meta"; le 1 4; printf w; le 1 4; le 3 8; head -c 12 /dev/zero; } \
    >"$out/checkpoint/state-and-one-tensor.ckpt"
{ printf 'ELBOCKPT'; le 1 4; le 2 4; le 2 8; printf '{}'; le 1 4; printf a; le 2 4; le 2 8; le 3 8; head -c 24 /dev/zero
  le 1 4; printf b; le 0 4; head -c 4 /dev/zero; } >"$out/checkpoint/two-tensors.ckpt"
echo "seeds: $(find "$out" -type f | wc -l) files, $(du -sh "$out" | cut -f1)"
