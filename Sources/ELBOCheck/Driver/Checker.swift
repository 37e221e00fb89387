import Foundation
import ELBOAlgebra
import ELBOSpec

/// A derivation whose every step met its expectation. Only the checker creates one, so code
/// generation cannot start from an objective that was not checked.
public struct CheckedDerivation: Sendable {
    public let derivation: Derivation
    public let report: DerivationReport
    fileprivate init(derivation: Derivation, report: DerivationReport) {
        self.derivation = derivation; self.report = report
    }
}

/// Runs both engines over every step of a derivation and decides the verdicts.
public struct Checker: Sendable {
    public var witnessConfiguration: WitnessConfiguration
    /// Whether to search for a missing assumption when a step is refuted.
    public var suggestAssumptions: Bool

    /// How many times more instances the witness tries when no proof was found.
    static let thoroughFactor = 8

    public init(witnessConfiguration: WitnessConfiguration = .standard, suggestAssumptions: Bool = true) {
        self.witnessConfiguration = witnessConfiguration
        self.suggestAssumptions = suggestAssumptions
    }

    /// Checks every derivation of a parsed file.
    public func check(_ file: SpecFile) -> FileReport {
        FileReport(path: file.path, derivations: file.derivations.map { check($0).report })
    }

    /// Checks every derivation of several files, spreading derivations over the CPU cores;
    /// the reports come back in file and derivation order.
    public func check(_ files: [SpecFile]) -> [FileReport] {
        let jobs = files.enumerated().flatMap { f, file in file.derivations.indices.map { (f, $0) } }
        let results = UnsafeResultBox<DerivationReport>(count: jobs.count)
        DispatchQueue.concurrentPerform(iterations: jobs.count) { i in
            let (f, d) = jobs[i]
            results.set(i, check(files[f].derivations[d]).report)
        }
        var out = files.map { FileReport(path: $0.path, derivations: []) }
        for (i, job) in jobs.enumerated() { out[job.0].derivations.append(results.get(i)) }
        return out
    }

    /// Checks one derivation; returns the report and, when every step meets its expectation,
    /// the checked derivation that code generation accepts.
    public func check(_ derivation: Derivation) -> (report: DerivationReport, checked: CheckedDerivation?) {
        if !derivation.sizedInstances.isEmpty { return checkSized(derivation) }
        var steps: [StepReport] = []
        var previous = derivation.start
        let prover = SymbolicProver(declarations: derivation.declarations)
        let witness = WitnessEngine(declarations: derivation.declarations, configuration: witnessConfiguration)
        for step in derivation.steps {
            guard let lhs = previous else { break }
            var report = checkStep(step, lhs: lhs, prover: prover, witness: witness, declarations: derivation.declarations)
            report.lhsTerm = lhs
            report.rhsTerm = step.expr
            steps.append(report)
            if step.expectation != .refuted { previous = step.expr }
        }
        let report = DerivationReport(name: derivation.name, title: derivation.title, source: derivation.source,
                                      steps: steps, objectives: derivation.objectives.map(\.name),
                                      declarations: derivation.declarations)
        let ok = steps.allSatisfy(\.meetsExpectation)
        return (report, ok ? CheckedDerivation(derivation: derivation, report: report) : nil)
    }

    func checkStep(_ step: Step, lhs: Expr, prover: SymbolicProver, witness: WitnessEngine,
                   declarations: Declarations) -> StepReport {
        var step = step
        step.expr = step.expr.pooledNestedIntegrals
        let lhs = lhs.pooledNestedIntegrals
        // The witness computes in floating point: numeric sub-terms are computed exactly first.
        let (witnessLHS, witnessRHS) = (lhs.withExactNumbers, step.expr.withExactNumbers)
        let expected: Verdict = step.expectation == .refuted ? .refuted : (step.relation == .approximately ? .approximation : .verified)
        var report = StepReport(label: step.label.map { "(\($0))" }, line: step.location.line, column: step.location.column,
                                relation: step.relation.rawValue, verdict: .error, expected: expected,
                                symbolic: "not-applicable", witness: "skipped", rules: [], assumptions: step.assumptions,
                                suggestedAssumption: nil, counterexample: nil, approximationError: nil, message: "",
                                lhs: lhs.unicodeText, rhs: step.expr.unicodeText)
        if step.relation == .approximately && step.assumptions.isEmpty {
            report.message = "'≈' needs 'assuming NAME': an approximation is checked exact under its assumption"
            return report
        }
        let symbolic = prover.prove(lhs: lhs, rhs: step.expr, relation: step.relation.comparison, assumptions: step.assumptions)
        var outcome = witness.check(lhs: witnessLHS, rhs: witnessRHS, relation: step.relation, assumptions: step.assumptions)
        var proved = false
        if case .proved = symbolic {} else if case .agrees = outcome {
            // No proof: before calling the step true, search many more instances for a
            // counterexample (inequalities are often violated only on some instances).
            var thorough = witnessConfiguration
            thorough.seed = witnessConfiguration.seed &+ 0x9E37_79B9
            thorough.instances = witnessConfiguration.instances * Checker.thoroughFactor
            outcome = WitnessEngine(declarations: declarations, configuration: thorough)
                .check(lhs: witnessLHS, rhs: witnessRHS, relation: step.relation, assumptions: step.assumptions)
        }
        var notes: [String] = []
        switch symbolic {
        case .proved(let rules, let proof):
            proved = true
            report.symbolic = "proved"
            report.rules = rules
            report.proof = proof.applications.map {
                ProofApplication(rule: $0.rule.rawValue, at: $0.at, instantiation: $0.instantiation.isEmpty ? nil : $0.instantiation)
            }
        case .failed(let residual, let rules):
            report.symbolic = "failed"
            report.rules = rules
            notes.append("no proof: the sides differ by \(residual)")
        case .notApplicable(let why):
            report.symbolic = "not-applicable"
            notes.append("symbolic engine: \(why)")
        case .undefined(let why):
            // A term without a value: the step is ill-formed, whatever the witness computes.
            report.symbolic = "not-applicable"
            report.verdict = .error
            report.message = "the step is undefined: \(why)"
            return report
        case .beyondLimit(let why):
            report.symbolic = "not-applicable"
            notes.append("symbolic engine: \(why)")
            if let c = outcome.counterexample, !c.lhs.isFinite || !c.rhs.isFinite {
                // Floating point overflows where exact arithmetic stopped at its limit.
                report.verdict = .unsupported
                report.witness = "skipped"
                report.message = (notes + [String(format: "the witness overflows (lhs = %g, rhs = %g)", c.lhs, c.rhs)])
                    .joined(separator: "; ")
                return report
            }
        }
        switch outcome {
        case .agrees(let instances, let error):
            report.witness = "agrees"
            report.approximationError = error
            if proved {
                report.verdict = step.relation == .approximately ? .approximation : .verified
                notes = ["proved and witnessed on \(instances) instances"]
                if let e = error, step.relation == .approximately {
                    notes.append(String(format: "without the assumption the error reaches %.3g", e))
                }
            } else {
                report.verdict = .holdsNumerically
                notes.insert("witnessed on \(instances) instances", at: 0)
            }
        case .disagrees(let c):
            report.witness = "disagrees"
            report.counterexample = CounterexampleReport(lhs: c.lhs, rhs: c.rhs, instance: c.instance)
            if proved, let reason = Checker.beyondDoublePrecision([witnessLHS, witnessRHS]) {
                // Exact proof, floating-point witness: large powers and numbers cancel in exact
                // arithmetic but not in doubles, so the witness cannot confirm the step.
                report.verdict = .unsupported
                notes = [String(format: "proved exactly, but the witness cannot confirm it in double precision (lhs = %g, rhs = %g): ", c.lhs, c.rhs) + reason]
            } else if proved {
                report.verdict = .error
                notes = ["INTERNAL ERROR: the symbolic engine proved this step but the witness refutes it (rules \(report.rules.joined(separator: ", "))); please report it"]
            } else {
                report.verdict = .refuted
                notes.insert(String(format: "refuted: lhs = %.6g, rhs = %.6g", c.lhs, c.rhs), at: 0)
                if suggestAssumptions, let s = suggestAssumption(step, lhs: lhs, declarations: declarations) {
                    report.suggestedAssumption = s
                    notes.append("holds if \(s)")
                }
            }
        case .skipped(let why):
            report.witness = "skipped"
            report.verdict = .unsupported
            notes.append(proved ? "proved symbolically but the witness cannot evaluate it: \(why)"
                                : "witness: \(why)")
        }
        report.message = notes.joined(separator: "; ")
        let warnings = Checker.authorRuleWarnings(step.authorRules, proof: report.proof)
        if !warnings.isEmpty { report.warnings = warnings }
        return report
    }

    /// `by RULE` compared with the proof: a warning for each named rule that is not in the
    /// table or that the proof does not use (names compare without case, spaces or `_`).
    static func authorRuleWarnings(_ authorRules: [String], proof: [ProofApplication]?) -> [String] {
        guard !authorRules.isEmpty, let proof else { return [] }
        let used = Set(proof.map(\.rule))
        var out: [String] = []
        for written in authorRules {
            let name = written.lowercased().split(whereSeparator: { $0 == " " || $0 == "_" }).joined(separator: "-")
            if RuleTable.named(name) == nil {
                out.append("'by \(written)' names no rule of the table (see elbo rules); the proof uses \(used.sorted().joined(separator: ", "))")
            } else if !used.contains(name) {
                out.append("'by \(written)' but the proof uses \(used.sorted().joined(separator: ", ")), not \(name)")
            }
        }
        return out
    }
}

extension Checker {
    /// Why double precision may not evaluate these expressions faithfully: an integer power
    /// above 16 of a non-constant term, or a number that a double cannot hold; nil otherwise.
    static func beyondDoublePrecision(_ exprs: [Expr]) -> String? {
        for e in exprs {
            for sub in e.allSubexpressions {
                switch sub {
                case .power(let base, .number(let n)) where n.isInteger && n.numerator.absoluteValue > 16:
                    if case .number = base { continue }
                    return "the step raises \(base) to the power \(n)"
                case .number(let r) where r.bitWidth > 53:
                    return "the step has the number \(r.bitWidth > 80 ? "of \(r.bitWidth) bits" : "\(r)"), beyond a double's 53 bits"
                default: continue
                }
            }
        }
        return nil
    }
}

extension Expr {
    /// Readable Unicode text for reports.
    var unicodeText: String { "\(self)" }
}

/// Slots written by concurrent jobs, each index by exactly one job, read after they all end.
final class UnsafeResultBox<T>: @unchecked Sendable {
    private var slots: [T?]
    private let lock = NSLock()
    init(count: Int) { slots = Array(repeating: nil, count: count) }
    func set(_ i: Int, _ value: T) { lock.lock(); slots[i] = value; lock.unlock() }
    func get(_ i: Int) -> T { lock.lock(); defer { lock.unlock() }; return slots[i]! }
}
