#!/usr/bin/env bash
# Builds one libFuzzer target of Fuzz/ and runs it.
#
#   Fuzz/run.sh TARGET [RUNS] [libFuzzer options…]     TARGET: spec latex check kernel-eval idx checkpoint run-json
#   Fuzz/run.sh build                                  build every target
#
# The package in Fuzz/ depends on the root package by path; it is built with -sanitize=fuzzer
# into .build-fuzz/ (ignored by git), so the root package's `swift build` and `swift test` never
# see it. The corpus grows in .build-fuzz/corpus/TARGET, starting from Fuzz/Seeds/TARGET;
# crashes, hangs and out-of-memory inputs are written to .build-fuzz/artifacts/TARGET/.
# RUNS defaults to 1000000; one target at a time (the fuzzer uses one core).
# FUZZ_CONFIGURATION=release builds with -O (several times more executions per second for the
# targets whose work is Swift code, e.g. latex; slower to build).
set -euo pipefail
configuration=${FUZZ_CONFIGURATION:-debug}
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
declare -A product=([spec]=FuzzSpec [latex]=FuzzLaTeX [check]=FuzzCheck [kernel-eval]=FuzzKernelEval [idx]=FuzzIDX
                    [checkpoint]=FuzzCheckpoint [run-json]=FuzzRunJSON)
# Longest input per target: long enough for a derivation, a few displays, a document or a header
# with a few tensors, short enough that a run of a million inputs takes minutes.
declare -A maxlen=([spec]=1024 [latex]=512 [check]=1024 [kernel-eval]=512 [idx]=512 [checkpoint]=1024 [run-json]=512)

build() {
    swift build -c "$configuration" --package-path Fuzz --scratch-path .build-fuzz -Xswiftc -sanitize=fuzzer -Xswiftc -parse-as-library \
        --product "$1" 2>&1 | grep -E "error|warning: unre|Compiling|Build" | grep -v "^\[" || true
}

target=${1:?"usage: Fuzz/run.sh TARGET [RUNS] [libFuzzer options…] (TARGET: ${!product[*]} or build)"}
if [ "$target" = build ]; then
    for t in "${!product[@]}"; do build "${product[$t]}"; done
    exit 0
fi
[ -n "${product[$target]:-}" ] || { echo "unknown target '$target' (have: ${!product[*]})"; exit 2; }
runs=${2:-1000000}
shift $(( $# >= 2 ? 2 : 1 ))
build "${product[$target]}"
corpus=.build-fuzz/corpus/$target
artifacts=.build-fuzz/artifacts/$target/
mkdir -p "$corpus" "$artifacts"
# The Swift runtime's backtracer would take a trap before libFuzzer could save the input.
export SWIFT_BACKTRACE=enable=no
exec ".build-fuzz/$configuration/${product[$target]}" "$corpus" "Fuzz/Seeds/$target" -runs="$runs" -max_len="${maxlen[$target]}" \
    -timeout=10 -rss_limit_mb=2048 -malloc_limit_mb=1024 -artifact_prefix="$artifacts" -print_final_stats=1 "$@"
