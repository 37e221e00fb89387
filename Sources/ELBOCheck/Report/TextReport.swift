import Foundation

extension CheckReport {
    /// The human-readable report: one line per step, details under the ones that need them.
    public func text(verbose: Bool = false) -> String {
        var out = ""
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
        let order = Verdict.allCases.map(\.rawValue)
        out += "summary: " + order.map { "\(summary.counts[$0] ?? 0) \($0)" }.joined(separator: ", ") + "\n"
        return out
    }

    /// The JSON report (schema of DESIGN.md; fields may be added, never renamed).
    public func json() -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        guard let data = try? encoder.encode(self), let s = String(data: data, encoding: .utf8) else { return "{}" }
        return s
    }

    /// A self-contained HTML page of the report.
    public func html() -> String {
        func esc(_ s: String) -> String {
            s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
                .replacingOccurrences(of: ">", with: "&gt;")
        }
        let colours: [Verdict: String] = [.verified: "#d4f7d4", .approximation: "#e6f0ff", .refuted: "#ffd9d9",
                                          .holdsNumerically: "#fff3c4", .unsupported: "#eeeeee", .error: "#ffb0b0"]
        var h = "<!doctype html><meta charset=utf-8><title>elbo check</title><style>body{font-family:sans-serif}"
        h += "td{padding:4px 8px;vertical-align:top;border-bottom:1px solid #ddd}code{white-space:pre-wrap}</style>"
        for f in files {
            for d in f.derivations {
                h += "<h2>\(esc(d.title)) <small>\(esc(f.path))</small></h2><table>"
                h += "<tr><th>step</th><th>verdict</th><th>expression</th><th>details</th></tr>"
                for s in d.steps {
                    let bg = colours[s.verdict] ?? "#fff"
                    var details = esc(s.message)
                    if let c = s.counterexample { details += "<br>counterexample: lhs=\(c.lhs) rhs=\(c.rhs)<br>\(esc(c.instance))" }
                    if let a = s.suggestedAssumption { details += "<br><b>suggested assumption:</b> \(esc(a))" }
                    if !s.rules.isEmpty { details += "<br>rules: \(esc(s.rules.joined(separator: ", ")))" }
                    h += "<tr style='background:\(bg)'><td>\(esc(s.name))</td><td>\(s.verdict.rawValue)"
                    h += s.meetsExpectation ? "" : " (expected \(s.expected.rawValue))"
                    h += "</td><td><code>\(esc(s.relation)) \(esc(s.rhs))</code></td><td>\(details)</td></tr>"
                }
                h += "</table>"
            }
        }
        return h + "<p>" + Verdict.allCases.map { "\(summary.counts[$0.rawValue] ?? 0) \($0.rawValue)" }.joined(separator: ", ") + "</p>"
    }
}
