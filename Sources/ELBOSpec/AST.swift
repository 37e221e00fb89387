import ELBOAlgebra

/// A position in a spec file, 1-based, as compilers print it; line 0 stands for the file as a
/// whole (a file that is missing or unreadable) and prints as the path alone.
public struct SourceLocation: Hashable, Sendable, CustomStringConvertible {
    public var file: String
    public var line: Int
    public var column: Int
    public init(file: String, line: Int, column: Int) { self.file = file; self.line = line; self.column = column }
    public var description: String { line > 0 ? "\(file):\(line):\(column)" : file }
}

/// How two consecutive steps are related.
public enum Relation: String, Hashable, Sendable {
    /// `=`: equal for every distribution consistent with the declarations in force.
    case equal = "="
    /// `≥` / `>=`.
    case greaterOrEqual = "≥"
    /// `≤` / `<=`.
    case lessOrEqual = "≤"
    /// `≈` / `~=`: exact under the step's named assumption.
    case approximately = "≈"
    /// `≐` / `=c`: equal up to an additive term free of learnable quantities.
    case equalUpToConstant = "≐"
    /// `∝` / `prop`: equal up to a positive factor and such an additive term.
    case proportional = "∝"
}

/// What the author of the transcription expects the checker to say about a step.
public enum StepExpectation: String, Hashable, Sendable {
    /// The default: the step holds (verified, or an approximation when it says `≈`).
    case holds
    /// `expect refuted`: a mistake of the source document, kept faithfully.
    case refuted
}

/// One numbered equation of the derivation: it relates the previous expression to `expr`.
public struct Step: Hashable, Sendable {
    /// The source document's equation number, e.g. `(4)` is stored as `4` … printed `(4)`.
    public var label: String?
    public var relation: Relation
    public var expr: Expr
    /// Assumptions put in force by `assuming A, B`.
    public var assumptions: [String]
    /// Rules the author names with `by RULE`.
    public var authorRules: [String]
    public var expectation: StepExpectation
    /// Where the step starts (its label or relation).
    public var location: SourceLocation
    /// Where the expression starts.
    public var exprLocation: SourceLocation
    public init(label: String?, relation: Relation, expr: Expr, assumptions: [String] = [], authorRules: [String] = [],
                expectation: StepExpectation = .holds, location: SourceLocation, exprLocation: SourceLocation) {
        self.label = label; self.relation = relation; self.expr = expr; self.assumptions = assumptions
        self.authorRules = authorRules; self.expectation = expectation; self.location = location
        self.exprLocation = exprLocation
    }
}

/// `objective NAME = EXPR`.
public struct ObjectiveDecl: Hashable, Sendable {
    public var name: String
    public var expr: Expr
    public var location: SourceLocation
    public init(name: String, expr: Expr, location: SourceLocation) { self.name = name; self.expr = expr; self.location = location }
}

/// `estimate E_{M} by reparameterization samples S` (or `by montecarlo samples S`).
public struct EstimateDecl: Hashable, Sendable {
    /// The measure of the expectation this applies to.
    public var measure: Expr
    /// `reparameterization` or `montecarlo`.
    public var method: String
    public var samples: Int
    public var location: SourceLocation
    public init(measure: Expr, method: String, samples: Int, location: SourceLocation) {
        self.measure = measure; self.method = method; self.samples = samples; self.location = location
    }
}

/// One `derivation` block of a spec file.
public struct Derivation: Hashable, Sendable {
    public var name: String
    public var title: String
    /// Provenance given by `source "…"`.
    public var source: String?
    public var location: SourceLocation
    public var declarations: Declarations
    /// Where each declaration was written, keyed by the declared name (variables, joints,
    /// assumptions, families by their density's description, …), for diagnostics.
    public var declarationLocations: [String: SourceLocation]
    /// The starting expression of `steps`.
    public var start: Expr?
    public var startLocation: SourceLocation?
    public var steps: [Step]
    public var objectives: [ObjectiveDecl]
    public var estimates: [EstimateDecl]
    /// For a derivation over indexed families (`dim T ≥ 2`, `x_t … for t = 1..T`): the
    /// derivation unrolled at each size the checker evaluates, smallest first. The derivation
    /// itself is the first of them; empty for a derivation without plates or chains.
    public var sizedInstances: [SizedDerivation] = []
    public init(name: String, title: String, source: String? = nil, location: SourceLocation,
                declarations: Declarations = Declarations(), declarationLocations: [String: SourceLocation] = [:],
                start: Expr? = nil, startLocation: SourceLocation? = nil, steps: [Step] = [],
                objectives: [ObjectiveDecl] = [], estimates: [EstimateDecl] = []) {
        self.name = name; self.title = title; self.source = source; self.location = location
        self.declarations = declarations; self.declarationLocations = declarationLocations
        self.start = start; self.startLocation = startLocation; self.steps = steps
        self.objectives = objectives; self.estimates = estimates
    }
}

/// A derivation over indexed families unrolled at one assignment of its sizes.
public struct SizedDerivation: Hashable, Sendable {
    /// The size symbols and their values, in declaration order (`[("T", 3)]`).
    public var sizes: [SizeValue]
    /// The derivation with every family, `∏`, `Σ` over an index and slice written out.
    public var derivation: Derivation
    public init(sizes: [SizeValue], derivation: Derivation) { self.sizes = sizes; self.derivation = derivation }
    /// `T = 3` or `N = 2, T = 3`, as counterexamples name the size.
    public var sizeDescription: String { sizes.map { "\($0.name) = \($0.value)" }.joined(separator: ", ") }
}

/// One size symbol's value at an instance.
public struct SizeValue: Hashable, Sendable {
    public var name: String
    public var value: Int
    public init(name: String, value: Int) { self.name = name; self.value = value }
}

/// A parsed `.elbo` file.
public struct SpecFile: Hashable, Sendable {
    public var path: String
    public var derivations: [Derivation]
    public init(path: String, derivations: [Derivation]) { self.path = path; self.derivations = derivations }
}

/// A problem in a spec, printed as `path:line:column: error: message`.
public struct Diagnostic: Error, Hashable, Sendable, CustomStringConvertible {
    public enum Severity: String, Hashable, Sendable { case error, warning, note }
    public var location: SourceLocation
    public var severity: Severity
    public var message: String
    public init(_ location: SourceLocation, _ message: String, severity: Severity = .error) {
        self.location = location; self.message = message; self.severity = severity
    }
    /// `path:line:column: error: message`; `path: error: message` for a whole file (line 0).
    public var description: String {
        location.line == 0 ? "\(location.file): \(severity.rawValue): \(message)" : "\(location): \(severity.rawValue): \(message)"
    }
}

/// All diagnostics of a failed parse; the parser reports every problem it can find in one run.
public struct SpecErrors: Error, Sendable, CustomStringConvertible {
    public var diagnostics: [Diagnostic]
    public init(_ diagnostics: [Diagnostic]) { self.diagnostics = diagnostics }
    public var description: String { diagnostics.map(\.description).joined(separator: "\n") }
}
