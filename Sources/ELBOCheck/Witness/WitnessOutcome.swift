import ELBOAlgebra

/// How the numeric witness instantiates a derivation: how many random instances, from which
/// seed, and how close two numbers must be to count as equal.
///
/// The same configuration always produces the same instances, so a counterexample can be
/// reproduced from the seed and the instance index printed with it.
public struct WitnessConfiguration: Hashable, Sendable {
    /// Seed of every random choice (domains, base weights, tables, parameter values).
    public var seed: UInt64
    /// Number of random instances per check (domain sizes, base measures and dimension values
    /// vary across them).
    public var instances: Int
    /// Relative tolerance: `|l − r| ≤ tolerance · max(1, |l|, |r|)` counts as equal.
    public var tolerance: Double
    /// For `≐` and `∝`: how many draws of the learnable parts (tables, `param`s, family
    /// parameters) are compared per instance. At least 2.
    public var learnableDraws: Int
    /// Range of the random values given to scalar symbols (`param`s, family parameters) and
    /// to real variables used as numbers. Positive by default so that logarithms are defined.
    public var valueRange: ClosedRange<Double>
    /// Upper bound on the number of assignments of the free variables compared per instance;
    /// a step with more is skipped rather than checked slowly.
    public var maximumAssignments: Int
    /// A joint with more configurations than this (counting three points per variable) is
    /// evaluated by factors (variable elimination over its factor tables) instead of through
    /// its dense table.
    public var denseJointLimit: Int
    /// The largest table the witness by factors may build; a model that needs a larger one is
    /// skipped with a diagnostic saying it is too large.
    public var factorTableLimit: Int
    /// Evaluate every probability-level step by factors, whatever its size (for tests that
    /// compare the two paths).
    public var alwaysByFactors: Bool

    /// Creates a configuration.
    public init(seed: UInt64 = 0x5EED_E1B0, instances: Int = 8, tolerance: Double = 1e-9,
                learnableDraws: Int = 3, valueRange: ClosedRange<Double> = 0.2...2.5,
                maximumAssignments: Int = 4096, denseJointLimit: Int = 1 << 14,
                factorTableLimit: Int = 1 << 20, alwaysByFactors: Bool = false) {
        self.denseJointLimit = denseJointLimit
        self.factorTableLimit = factorTableLimit
        self.alwaysByFactors = alwaysByFactors
        self.seed = seed
        self.instances = instances
        self.tolerance = tolerance
        self.learnableDraws = max(2, learnableDraws)
        self.valueRange = valueRange
        self.maximumAssignments = maximumAssignments
    }

    /// Eight instances (domain sizes 2 and 3, base weights below one, above one and mixed,
    /// dimensions 1, 2 and 3), tolerance 1e-9.
    public static let standard = WitnessConfiguration()
}

/// A concrete instance on which the two sides of a step disagree.
public struct Counterexample: Hashable, Sendable, CustomStringConvertible {
    /// Value of the left side (for `≐` and `∝`: in the re-drawn instance of the pair).
    public var lhs: Double
    /// Value of the right side.
    public var rhs: Double
    /// The instance, readable by a person: seed and index, domain sizes, which variables are
    /// continuous and their base weights, dimension and parameter values, the assignment of
    /// the free variables and the assumptions in force.
    public var instance: String

    /// Creates a counterexample.
    public init(lhs: Double, rhs: Double, instance: String) {
        self.lhs = lhs
        self.rhs = rhs
        self.instance = instance
    }

    public var description: String { "lhs = \(lhs), rhs = \(rhs) on \(instance)" }
}

/// What the numeric witness says about one step.
public enum WitnessOutcome: Hashable, Sendable {
    /// The relation holds on every assignment of every instance. For `≈`,
    /// `approximationError` is the largest `|lhs − rhs|` seen without the step's assumptions.
    case agrees(instances: Int, approximationError: Double?)
    /// The relation fails on the given instance.
    case disagrees(Counterexample)
    /// The witness cannot judge the step; the reason names the construct.
    case skipped(String)

    /// Whether the witness agrees.
    public var agrees: Bool { if case .agrees = self { return true } else { return false } }
    /// Whether the witness refutes the step.
    public var disagrees: Bool { if case .disagrees = self { return true } else { return false } }
    /// The counterexample of a refutation.
    public var counterexample: Counterexample? {
        if case .disagrees(let c) = self { return c } else { return nil }
    }
    /// The reason of a skip.
    public var skipReason: String? { if case .skipped(let r) = self { return r } else { return nil } }
}

/// Why the witness cannot evaluate something: an unsupported construct, an assumption it
/// cannot realise, or a shape it cannot evaluate. Becomes `WitnessOutcome.skipped`.
struct WitnessUnsupported: Error, CustomStringConvertible {
    var reason: String
    init(_ reason: String) { self.reason = reason }
    var description: String { reason }
}
