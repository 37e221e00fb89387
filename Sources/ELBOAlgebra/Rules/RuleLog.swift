/// One application of a rule of the table in a proof: which rule, where, and with what.
///
/// `at` is a position: `lhs`, `rhs` or `difference`, then child indices into that side's
/// expression (`lhs/1/0` is the first child of the second child of the left side), or a
/// named segment for a term the normaliser derived (`family:p(x | z)`, `nf` for a normal
/// form). `instantiation` names what the pattern variables stood for where that is more than
/// the term at the position (the assumption's name, a non-negative term's label).
public struct RuleApplication: Hashable, Sendable, Codable, CustomStringConvertible {
    public var rule: Rule
    public var at: String
    public var instantiation: String

    public init(rule: Rule, at: String, instantiation: String = "") {
        self.rule = rule
        self.at = at
        self.instantiation = instantiation
    }

    public var description: String {
        instantiation.isEmpty ? "\(rule.rawValue) at \(at)" : "\(rule.rawValue) at \(at) [\(instantiation)]"
    }
}

/// Records the rules applied while normalising one step, in order, with their positions.
public struct RuleLog: Sendable {
    /// The applications, in the order the normaliser made them.
    public private(set) var applications: [RuleApplication] = []
    /// Names of assumptions the step used.
    public var assumptions: [String] = []
    /// The position the normaliser is at (segments of `RuleApplication.at`).
    public var position: [String] = []
    /// When false, nothing is recorded (searches that are not part of a proof).
    public var recording = true

    public init() {}

    /// The rules used, as a set.
    public var used: Set<Rule> { Set(applications.map(\.rule)) }

    /// Records that a rule fired at the current position.
    public mutating func use(_ r: Rule, instantiation: String = "") {
        guard recording else { return }
        let a = RuleApplication(rule: r, at: position.joined(separator: "/"), instantiation: instantiation)
        if applications.last == a { return }
        applications.append(a)
    }

    /// Runs `body` one position segment deeper.
    public mutating func at<T>(_ segment: String, _ body: (inout RuleLog) throws -> T) rethrows -> T {
        position.append(segment)
        defer { position.removeLast() }
        return try body(&self)
    }

    /// Enters a position segment (paired with `leave`).
    public mutating func enter(_ segment: String) { position.append(segment) }
    /// Leaves the innermost position segment.
    public mutating func leave() { position.removeLast() }

    /// Appends the applications of another log (a sub-proof).
    public mutating func append(contentsOf other: RuleLog) {
        guard recording else { return }
        applications += other.applications
    }

    /// Names for reports, sorted.
    public var names: [String] { used.subtracting([.assumption]).sorted().map(\.rawValue) + assumptions.map { "assumption:\($0)" } }
}
