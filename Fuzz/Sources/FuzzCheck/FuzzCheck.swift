import ELBOCheck
import ELBOSpec

/// The most steps of one derivation a fuzzed input has checked: a whole check is the slow part,
/// and a long derivation is many inputs' worth of steps, not a harder one.
let maximumSteps = 6

/// Any bytes as a spec: the parser, then the whole check (prover, kernel, witness, sizes of
/// indexed families) of its first derivation, cut to `maximumSteps` steps. Every input must end
/// in diagnostics or step verdicts within libFuzzer's `-timeout` (the time budget; run.sh sets it),
/// never trap.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzCheck(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    let parsed = SpecParser.parseRecovering(source: text, path: "fuzz.elbo")
    guard var derivation = parsed.file.derivations.first else { return 0 }
    derivation.steps = Array(derivation.steps.prefix(maximumSteps))
    for i in derivation.sizedInstances.indices {
        derivation.sizedInstances[i].derivation.steps = Array(derivation.sizedInstances[i].derivation.steps.prefix(maximumSteps))
    }
    let report = Checker(suggestAssumptions: false).check(derivation).report
    // A step report without a message would be a verdict nobody can act on.
    for step in report.steps where step.message.isEmpty { fatalError("step at line \(step.line) has no message") }
    return 0
}
