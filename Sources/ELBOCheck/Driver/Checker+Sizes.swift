import ELBOAlgebra
import ELBOSpec

/// Derivations over indexed families: each step is checked at every size the parser unrolled
/// it at (`Derivation.sizedInstances`), and the verdicts are combined.
///
/// A step over families of variable size holds when it holds at every size. The engines see
/// each size as an ordinary derivation, so a proof at each checked size is not a proof for
/// every size: such a step is `holds-numerically` (proved and witnessed at the sizes listed),
/// never `verified`. A counterexample at any size refutes the step and names that size. With
/// every size fixed (`dim L = 2`) there is one instance and its verdict stands.
extension Checker {
    func checkSized(_ derivation: Derivation) -> (report: DerivationReport, checked: CheckedDerivation?) {
        let results = derivation.sizedInstances.map { check($0.derivation) }
        if results.count == 1 { return results[0] }
        let sizes = derivation.sizedInstances.map(\.sizeDescription)
        let stepCount = results.map(\.report.steps.count).min() ?? 0
        var steps: [StepReport] = []
        for i in 0..<stepCount {
            steps.append(Checker.combine(results.map { $0.report.steps[i] }, sizes: sizes))
        }
        let base = results[0].report
        let report = DerivationReport(name: base.name, title: base.title, source: base.source, steps: steps,
                                      objectives: base.objectives, declarations: base.declarations)
        return (report, nil)
    }

    /// One step's verdict over all sizes: an error or a refutation at the smallest size where
    /// one occurs, naming it; otherwise the weakest verdict, and never `verified`.
    static func combine(_ reports: [StepReport], sizes: [String]) -> StepReport {
        let atAll = "at \(sizes.joined(separator: "; "))"
        for verdict in [Verdict.error, .refuted] {
            if let k = reports.firstIndex(where: { $0.verdict == verdict }) {
                var r = reports[k]
                r.message = "at \(sizes[k]): \(r.message)"
                if var c = r.counterexample {
                    c.instance = "at \(sizes[k]): \(c.instance)"
                    r.counterexample = c
                }
                r.proof = nil
                return r
            }
        }
        var r = reports[0]
        r.proof = nil
        if let k = reports.firstIndex(where: { $0.verdict == .unsupported }) {
            r = reports[k]
            r.proof = nil
            r.message = "at \(sizes[k]): \(r.message)"
            return r
        }
        let proved = reports.allSatisfy { $0.symbolic == "proved" }
        r.verdict = .holdsNumerically
        r.symbolic = "failed"
        r.message = proved
            ? "proved and witnessed \(atAll); no proof for every size (the prover has no rules over indexed families yet)"
            : "witnessed \(atAll); no proof for every size"
        return r
    }
}
