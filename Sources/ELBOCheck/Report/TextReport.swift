import Foundation

extension CheckReport {
    /// The human-readable report: one line per step, details under the ones that need them.
    public func text(verbose: Bool = false, explain: Bool = false) -> String {
        var out = ""
        var proofSizes: [Int] = []
        for f in files {
            for d in f.derivations {
                out += "\(f.path): derivation \(d.name) \"\(d.title)\""
                if let s = d.source { out += "  [\(s)]" }
                out += "\n"
                for s in d.steps {
                    let mark = s.meetsExpectation ? "ok " : "!! "
                    let expectation = s.meetsExpectation ? "" : "  (expected \(s.expected.rawValue))"
                    let expectedNote = s.expected == .refuted && s.verdict == .refuted ? "  (expected: a mistake of the source)" : ""
                    out += "  \(mark)\(s.name.padding(toLength: 7, withPad: " ", startingAt: 0)) \(s.relation)  \(s.verdict.rawValue)\(expectation)\(expectedNote)\n"
                    if !s.rules.isEmpty && (verbose || s.verdict == .verified || s.verdict == .approximation) {
                        out += "        rules: \(s.rules.joined(separator: ", "))\n"
                    }
                    if let proof = s.proof {
                        proofSizes.append(proof.count)
                        if explain {
                            out += "        proof (\(proof.count) applications, checked by the kernel):\n"
                            for (i, a) in proof.enumerated() {
                                let with = a.instantiation.map { " [\($0)]" } ?? ""
                                out += "          \(i + 1). \(a.rule) at \(a.at)\(with)\n"
                            }
                        }
                    }
                    for w in s.warnings ?? [] { out += "        \(f.path):\(s.line):\(s.column): warning: \(w)\n" }
                    if s.verdict != .verified || verbose {
                        out += "        \(f.path):\(s.line):\(s.column): \(s.message)\n"
                    }
                    if let c = s.counterexample {
                        out += String(format: "        counterexample: lhs = %.6g, rhs = %.6g\n", c.lhs, c.rhs)
                        out += "          instance: \(c.instance)\n"
                    }
                    if let a = s.suggestedAssumption { out += "        suggested assumption: \(a)\n" }
                    if let e = s.approximationError, s.verdict == .approximation {
                        out += String(format: "        error without the assumption: %.4g\n", e)
                    }
                }
            }
        }
        if explain, !proofSizes.isEmpty {
            let sorted = proofSizes.sorted()
            out += "proof sizes: \(sorted.count) proofs, \(sorted.reduce(0, +)) applications; per step min \(sorted.first!), "
                + "median \(sorted[sorted.count / 2]), max \(sorted.last!)\n"
        }
        let order = Verdict.allCases.map(\.rawValue)
        out += "summary: " + order.map { "\(summary.counts[$0] ?? 0) \($0)" }.joined(separator: ", ") + "\n"
        return out
    }

    /// The JSON report (schema of DESIGN.md; fields may be added, never renamed). Numbers
    /// that are not finite (a counterexample's side at a NaN or an infinity) are the strings
    /// `"nan"`, `"inf"` and `"-inf"`, so the report is always valid JSON.
    public func json() -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.nonConformingFloatEncodingStrategy = CheckReport.nonFiniteEncoding
        guard let data = try? encoder.encode(self), let s = String(data: data, encoding: .utf8) else { return "{}" }
        return s
    }

    /// How the JSON report writes NaN and infinities (README, "JSON report").
    public static let nonFiniteEncoding = JSONEncoder.NonConformingFloatEncodingStrategy.convertToString(
        positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
    /// The same strings read back, for tools that decode the report.
    public static let nonFiniteDecoding = JSONDecoder.NonConformingFloatDecodingStrategy.convertFromString(
        positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
}
