import ELBOAlgebra
import ELBOSpec

/// The checker's judgement of one step.
public enum Verdict: String, Sendable, Codable, CaseIterable {
    /// Proved symbolically and witnessed numerically.
    case verified
    /// The witness found a counterexample.
    case refuted
    /// Exact under the named assumption; the error without it is reported.
    case approximation
    /// Witnessed on every instance, but no proof was found.
    case holdsNumerically = "holds-numerically"
    /// Uses something neither engine handles (the message says what).
    case unsupported
    /// Ill-formed, or the engines contradict each other (an internal error, reported loudly).
    case error
}

/// A witness disagreement, printed for the author.
public struct CounterexampleReport: Sendable, Codable, Equatable {
    public var lhs: Double
    public var rhs: Double
    public var instance: String
}

/// One application of a rule in a proof the kernel checked, for reports.
public struct ProofApplication: Sendable, Codable, Equatable {
    /// The rule's name in the table (`elbo rules`).
    public var rule: String
    /// Its position: `lhs`/`rhs` and child indices, `difference`, or `step`.
    public var at: String
    /// What the rule's pattern variables stood for, where that is more than the term there.
    public var instantiation: String?

    public init(rule: String, at: String, instantiation: String? = nil) {
        self.rule = rule
        self.at = at
        self.instantiation = instantiation
    }
}

/// Everything the checker says about one step.
public struct StepReport: Sendable, Codable, Equatable {
    public var label: String?
    public var line: Int
    public var column: Int
    public var relation: String
    public var verdict: Verdict
    public var expected: Verdict
    /// `proved`, `failed` or `not-applicable`.
    public var symbolic: String
    /// `agrees`, `disagrees` or `skipped`.
    public var witness: String
    public var rules: [String]
    public var assumptions: [String]
    public var suggestedAssumption: String?
    public var counterexample: CounterexampleReport?
    /// For `≈`: the largest error the witness saw without the assumption.
    public var approximationError: Double?
    public var message: String
    /// The two sides, printed.
    public var lhs: String
    public var rhs: String
    /// The two sides as terms, as the spec writes them, for reports that typeset them (not
    /// part of the JSON: `lhs` and `rhs` print them).
    public var lhsTerm: Expr? = nil
    public var rhsTerm: Expr? = nil
    /// The ordered applications of the proof the kernel checked (nil without a proof).
    public var proof: [ProofApplication]? = nil
    /// Warnings about the step (a `by RULE` the proof does not use).
    public var warnings: [String]? = nil

    /// Whether the verdict is what the transcription expects.
    public var meetsExpectation: Bool { verdict == expected }

    /// `(4)` or `line 23`.
    public var name: String { label ?? "line \(line)" }

    enum CodingKeys: String, CodingKey {
        case label, line, column, relation, verdict, expected, symbolic, witness, rules, assumptions
        case suggestedAssumption = "suggested_assumption"
        case counterexample, approximationError = "approximation_error", message, lhs, rhs, proof, warnings
    }
}

/// The report of one derivation.
public struct DerivationReport: Sendable, Codable, Equatable {
    public var name: String
    public var title: String
    public var source: String?
    public var steps: [StepReport]
    public var objectives: [String]
    /// The derivation's declarations, for reports that state its assumptions and definitions
    /// (not part of the JSON).
    public var declarations: Declarations? = nil

    enum CodingKeys: String, CodingKey { case name, title, source, steps, objectives }
}

/// The report of one file.
public struct FileReport: Sendable, Codable, Equatable {
    public var path: String
    public var derivations: [DerivationReport]
}

/// Counts of verdicts.
public struct Summary: Sendable, Codable, Equatable {
    public var counts: [String: Int] = Dictionary(uniqueKeysWithValues: Verdict.allCases.map { ($0.rawValue, 0) })
    public init() {}
    public mutating func add(_ v: Verdict) { counts[v.rawValue, default: 0] += 1 }
    public func encode(to encoder: Encoder) throws { try counts.encode(to: encoder) }
    public init(from decoder: Decoder) throws { counts = try [String: Int](from: decoder) }
}

/// The report of a whole `elbo check` run.
public struct CheckReport: Sendable, Codable, Equatable {
    public var files: [FileReport]
    public var summary: Summary

    public init(files: [FileReport]) {
        self.files = files
        var s = Summary()
        for f in files { for d in f.derivations { for st in d.steps { s.add(st.verdict) } } }
        summary = s
    }

    /// Every step meets its expectation.
    public var allMeetExpectation: Bool {
        files.allSatisfy { $0.derivations.allSatisfy { $0.steps.allSatisfy(\.meetsExpectation) } }
    }

    /// Exit status of `elbo check`: 1 when a step is refuted or errs unexpectedly, or a step
    /// marked `expect refuted` is not refuted.
    public var exitStatus: Int32 {
        for f in files { for d in f.derivations { for s in d.steps where !s.meetsExpectation {
            if s.verdict == .refuted || s.verdict == .error || s.expected == .refuted { return 1 }
        } } }
        return 0
    }
}

extension Relation {
    /// The symbolic comparison a relation asks for.
    var comparison: ELBOAlgebraComparison {
        switch self {
        case .equal, .approximately: return .equal
        case .greaterOrEqual: return .greaterOrEqual
        case .lessOrEqual: return .lessOrEqual
        case .equalUpToConstant: return .equalUpToConstant
        case .proportional: return .proportional
        }
    }
}
