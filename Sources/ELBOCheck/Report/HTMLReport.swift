import ELBOAlgebra

extension CheckReport {
    /// The report as one self-contained page (no network, no external assets), in markup that
    /// is also well-formed XML: every expression typeset as MathML, one section per
    /// derivation with one table row per step, and the checked files' text with line anchors
    /// that each step links to. `sources` maps a report's file path to its text; a file
    /// without one gets no listing and its steps name their line without a link.
    public func html(sources: [String: String] = [:]) -> String {
        HTMLReportWriter(report: self, sources: sources).page()
    }
}

/// Writes the HTML report; one method per part of the page.
struct HTMLReportWriter {
    let report: CheckReport
    let sources: [String: String]
    let math = MathMLRenderer()

    func page() -> String {
        let steps = report.summary.counts.values.reduce(0, +)
        var h = "<!DOCTYPE html>\n<html xmlns=\"http://www.w3.org/1999/xhtml\" lang=\"en\">\n<head>\n"
        h += "<meta charset=\"utf-8\"/>\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>\n"
        h += "<title>elbo check: \(steps) steps</title>\n<style>\n\(HTMLReportStyle.css)\n</style>\n</head>\n<body>\n"
        h += header()
        h += "<main>\n"
        for (f, file) in report.files.enumerated() {
            for (d, derivation) in file.derivations.enumerated() {
                h += section(derivation, file: file, id: "f\(f)-d\(d)", fileIndex: f)
            }
        }
        for (f, file) in report.files.enumerated() {
            if let text = sources[file.path] { h += listing(file, text: text, fileIndex: f) }
        }
        h += "</main>\n<footer><p>Written by <code>elbo check --format html</code>. Every step is judged by a symbolic "
        h += "prover and a numeric witness; <em>verified</em> needs both.</p></footer>\n</body>\n</html>\n"
        return h
    }

    // MARK: Header

    func header() -> String {
        var h = "<header>\n<h1>elbo check</h1>\n<ul class=\"summary\">"
        for v in Verdict.allCases {
            let n = report.summary.counts[v.rawValue] ?? 0
            guard n > 0 else { continue }
            h += "<li><span class=\"badge v-\(v.rawValue)\">\(n) \(v.rawValue)</span></li>"
        }
        let expected = allSteps.filter(isExpectedMistake).count
        if expected > 0 {
            h += "<li><span class=\"badge v-expected-mistake\">\(expected) of the refuted: the sources' mistakes, as expected</span></li>"
        }
        h += "</ul>\n"
        let misses = allSteps.filter { !$0.meetsExpectation }.count
        h += misses == 0
            ? "<p class=\"overall ok\">Every step meets its expectation.</p>\n"
            : "<p class=\"overall bad\">\(misses) step\(misses == 1 ? " does" : "s do") not meet \(misses == 1 ? "its" : "their") expectation (marked ✗).</p>\n"
        return h + "</header>\n"
    }

    var allSteps: [StepReport] { report.files.flatMap { $0.derivations.flatMap(\.steps) } }

    func isExpectedMistake(_ s: StepReport) -> Bool { s.expected == .refuted && s.verdict == .refuted }

    // MARK: Derivations

    func section(_ d: DerivationReport, file: FileReport, id: String, fileIndex: Int) -> String {
        var h = "<section class=\"derivation\" id=\"\(id)\">\n"
        h += "<h2>\(esc(d.title))</h2>\n<p class=\"meta\"><code>\(esc(d.name))</code> in <code>\(esc(file.path))</code>"
        if let s = d.source { h += " · source <code>\(esc(s))</code>" }
        if !d.objectives.isEmpty { h += " · objectives " + d.objectives.map { "<code>\(esc($0))</code>" }.joined(separator: ", ") }
        h += "</p>\n"
        h += declarationsBlock(d)
        h += "<table class=\"steps\">\n<colgroup><col class=\"c-label\"/><col class=\"c-expr\"/><col class=\"c-verdict\"/></colgroup>\n"
        h += "<thead><tr><th>step</th><th>expression and why</th><th>verdict</th></tr></thead>\n<tbody>\n"
        var previous: Expr? = nil
        for (k, s) in d.steps.enumerated() {
            // A step's left side is the last step that holds; show it when it is not the row above.
            let showLHS = k == 0 || s.lhsTerm == nil || s.lhsTerm != previous
            h += row(s, id: "\(id)-s\(k)", showLHS: showLHS, sourceAnchor: sources[file.path] == nil ? nil : "f\(fileIndex)-L\(s.line)",
                     declarations: d.declarations)
            previous = s.rhsTerm
        }
        h += "</tbody>\n</table>\n</section>\n"
        return h
    }

    /// The assumptions and definitions the derivation declares, typeset.
    func declarationsBlock(_ d: DerivationReport) -> String {
        guard let decl = d.declarations else { return "" }
        let used = Set(d.steps.flatMap(\.assumptions))
        var items = ""
        for a in decl.assumptions where used.contains(a.name) {
            items += "<dt>assumption <code>\(esc(a.name))</code></dt><dd>\(assumptionStatement(a))</dd>"
        }
        for def in decl.definitions {
            let lhs: Expr = def.parameters.isEmpty ? .symbol(def.name) : .apply(def.name, def.parameters.map { .symbol($0) })
            items += "<dt>definition <code>\(esc(def.name))</code></dt><dd><div class=\"math\">\(math.math(def.body, relation: "=", lhs: lhs, display: false))</div></dd>"
        }
        guard !items.isEmpty else { return "" }
        return "<dl class=\"facts\">\(items)</dl>\n"
    }

    func assumptionStatement(_ a: Assumption) -> String {
        switch a.kind {
        case .equality(let lhs, let rhs):
            let r: Expr = rhs.count == 1 ? .density(rhs[0]) : .product(rhs.map { .density($0) })
            return math.math(r, relation: "=", lhs: .density(lhs), display: false)
        case .deterministic(let variable, let given, let joint):
            return math.math(.symbol(variable), display: false) + " is deterministic given "
                + given.map { math.math(.symbol($0), display: false) }.joined(separator: ", ") + " in <code>\(esc(joint))</code>"
        }
    }

    // MARK: Steps

    func row(_ s: StepReport, id: String, showLHS: Bool, sourceAnchor: String?, declarations: Declarations?) -> String {
        let cls = isExpectedMistake(s) ? "expected-mistake" : s.verdict.rawValue
        var h = "<tr class=\"step v-\(cls)\" id=\"\(id)\">"
        h += "<td class=\"label\">"
        if let sourceAnchor {
            h += "<a href=\"#\(sourceAnchor)\" title=\"the step in its source\">\(esc(s.label ?? "·"))</a>"
        } else {
            h += "<span>\(esc(s.label ?? "·"))</span>"
        }
        h += "<span class=\"line\">line \(s.line)</span></td>"
        h += "<td class=\"expr\"><div class=\"math\">\(expression(s, showLHS: showLHS))</div>"
        h += "<div class=\"details\">\(details(s, declarations: declarations))</div></td>"
        h += "<td class=\"verdict\">\(verdict(s))</td></tr>\n"
        return h
    }

    func expression(_ s: StepReport, showLHS: Bool) -> String {
        guard let rhs = s.rhsTerm else {
            // A report read back from JSON carries only the printed sides.
            let text = (showLHS ? s.lhs + " " : "") + s.relation + " " + s.rhs
            return "<math xmlns=\"http://www.w3.org/1998/Math/MathML\" display=\"block\"><mtext>\(esc(text))</mtext></math>"
        }
        return math.math(rhs, relation: s.relation, lhs: showLHS ? s.lhsTerm : nil)
    }

    func verdict(_ s: StepReport) -> String {
        var h: String
        if isExpectedMistake(s) {
            h = "<span class=\"badge\">refuted</span><span class=\"note\">as the source's mistake expected</span>"
        } else {
            h = "<span class=\"badge\">\(s.verdict.rawValue)</span>"
        }
        if !s.meetsExpectation {
            h += "<span class=\"note miss\">✗ expected \(s.expected.rawValue)</span>"
        }
        return h
    }

    /// The why of a verdict, in parts that sit side by side on a wide screen.
    func details(_ s: StepReport, declarations: Declarations?) -> String {
        var h = "<div class=\"part\"><p>\(esc(s.message))</p></div>"
        let rules = s.rules.filter { !$0.hasPrefix("assumption:") }
        if !rules.isEmpty {
            // Compact: one chip per rule the proof used, its statement in the tooltip; the
            // ordered applications follow, folded (a proof has tens of them).
            h += "<div class=\"part\"><h3>rules the proof used</h3><ul class=\"proof\">"
            for r in rules {
                let statement = Rule(rawValue: r).map { " title=\"\(esc($0.definition.statement))\"" } ?? ""
                h += "<li\(statement)><code>\(esc(r))</code></li>"
            }
            h += "</ul></div>"
        }
        if let proof = s.proof, !proof.isEmpty {
            h += "<div class=\"part\"><details class=\"proof-steps\"><summary>the proof: \(proof.count) applications, "
            h += "in order, checked by the kernel</summary><ol>"
            for a in proof {
                let statement = Rule(rawValue: a.rule).map { " title=\"\(esc($0.definition.statement))\"" } ?? ""
                h += "<li\(statement)><code>\(esc(a.rule))</code> at <code>\(esc(a.at))</code>"
                if let i = a.instantiation, !i.isEmpty { h += " <span class=\"instantiation\">[\(esc(i))]</span>" }
                h += "</li>"
            }
            h += "</ol></details></div>"
        }
        if !s.assumptions.isEmpty {
            h += "<div class=\"part\"><h3>assumptions in force</h3><ul>"
            for name in s.assumptions {
                h += "<li><code>\(esc(name))</code>"
                if let a = declarations?.assumption(name) { h += ": " + assumptionStatement(a) }
                h += "</li>"
            }
            h += "</ul></div>"
        }
        if let c = s.counterexample { h += "<div class=\"part\">\(counterexample(c))</div>" }
        if let a = s.suggestedAssumption {
            h += "<div class=\"part\"><h3>suggested assumption</h3><p class=\"suggestion\">holds if \(esc(a))</p></div>"
        }
        return h
    }

    func counterexample(_ c: CounterexampleReport) -> String {
        var h = "<h3>counterexample</h3><table class=\"values\"><tbody>"
        for row in CounterexampleTable(c).rows {
            // Short values (`k = 1`, `x = point 0`) share a line; long ones get one each.
            let lines = row.values.allSatisfy { $0.count <= 16 } ? [row.values.joined(separator: ", ")] : row.values
            for (k, v) in lines.enumerated() {
                h += "<tr><th>\(k == 0 ? esc(row.heading) : "")</th><td>\(esc(v))</td></tr>"
            }
        }
        return h + "</tbody></table>"
    }

    // MARK: Sources

    /// The file's text, one anchored line each; the lines where steps start link back to them.
    func listing(_ file: FileReport, text: String, fileIndex: Int) -> String {
        var backLinks: [Int: [(String, String)]] = [:]
        for (d, derivation) in file.derivations.enumerated() {
            for (k, s) in derivation.steps.enumerated() {
                backLinks[s.line, default: []].append(("f\(fileIndex)-d\(d)-s\(k)", s.label ?? derivation.name))
            }
        }
        var h = "<section class=\"source\" id=\"f\(fileIndex)\">\n<h2>\(esc(file.path))</h2>\n<pre class=\"listing\">"
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        for (i, line) in lines.enumerated() {
            let n = i + 1
            if n == lines.count && line.isEmpty { break }
            h += "<span class=\"src\" id=\"f\(fileIndex)-L\(n)\"><a class=\"ln\" href=\"#f\(fileIndex)-L\(n)\">\(n)</a>"
            h += esc(String(line).replacingOccurrences(of: "\r", with: ""))
            for (target, label) in backLinks[n] ?? [] {
                h += "<a class=\"back\" href=\"#\(target)\">↩ \(esc(label))</a>"
            }
            h += "</span>"
        }
        return h + "</pre>\n</section>\n"
    }

    func esc(_ s: String) -> String { HTMLText.escape(s) }
}

/// Text for XML character data: markup characters escaped, and the characters XML 1.0
/// forbids (control characters other than tab and newline) replaced by U+FFFD.
enum HTMLText {
    static func escape(_ s: String) -> String {
        var out = ""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "\t", "\n": out.unicodeScalars.append(scalar)
            default:
                let v = scalar.value
                if v < 0x20 || v == 0xFFFE || v == 0xFFFF || (0x7F...0x9F).contains(v) {
                    out += "\u{FFFD}"
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out
    }
}
