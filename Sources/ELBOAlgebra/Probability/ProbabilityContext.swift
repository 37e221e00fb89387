/// The factor graphs of every joint of a derivation with a set of assumptions in force.
///
/// This is the only place where declarations and assumptions become structure: everything
/// the symbolic engine knows about conditional independence comes from the factors built here.
public struct ProbabilityContext: Sendable {
    public let declarations: Declarations
    /// The assumptions in force, by name.
    public let assumptionsInForce: [String]
    /// Every factor, by id.
    public internal(set) var factors: [FactorID: Factor] = [:]
    /// The factors of each joint.
    public private(set) var jointFactors: [String: [FactorID]] = [:]
    /// Assumptions that changed the structure (reported as rules).
    public private(set) var appliedAssumptions: [String] = []

    /// Errors raised while building the structure.
    public enum BuildError: Error, CustomStringConvertible, Sendable {
        case unknownAssumption(String)
        case unrealisable(String, String)
        public var description: String {
            switch self {
            case .unknownAssumption(let n): return "undeclared assumption '\(n)'"
            case .unrealisable(let n, let why): return "assumption '\(n)' cannot be put in force: \(why)"
            }
        }
    }

    /// Builds the factor graphs of all joints with the named assumptions in force.
    public init(declarations: Declarations, assumptions: [String] = []) throws {
        self.declarations = declarations
        self.assumptionsInForce = assumptions
        for joint in declarations.joints { addDeclaredFactors(of: joint) }
        for name in assumptions {
            guard let a = declarations.assumption(name) else { throw BuildError.unknownAssumption(name) }
            try apply(a)
        }
    }

    private mutating func add(_ f: Factor) {
        factors[f.id] = f
        jointFactors[f.id.joint, default: []].append(f.id)
    }

    private mutating func addDeclaredFactors(of joint: Joint) {
        if !joint.given.isEmpty {
            add(Factor(id: FactorID(joint: joint.name, index: -1), children: Set(joint.given), parents: [],
                       label: "\(joint.name)(\(joint.given.joined(separator: ", ")))", isInputRoot: true,
                       isDeterministic: false))
        }
        if let declared = joint.factors {
            for (i, d) in declared.enumerated() {
                add(Factor(id: FactorID(joint: joint.name, index: i), children: Set(d.variables),
                           parents: Set(d.given), label: Density(joint: joint.name, variables: d.variables,
                                                                   given: d.given).description,
                           isInputRoot: false, isDeterministic: false))
            }
        } else {
            add(Factor(id: FactorID(joint: joint.name, index: 0), children: Set(joint.variables),
                       parents: Set(joint.given),
                       label: Density(joint: joint.name, variables: joint.variables, given: joint.given).description,
                       isInputRoot: false, isDeterministic: false))
        }
    }

    /// The factor of `joint` whose children are exactly `variables`, if any.
    public func factor(of joint: String, children variables: Set<String>) -> Factor? {
        for id in jointFactors[joint] ?? [] where factors[id]!.children == variables && !factors[id]!.isInputRoot {
            return factors[id]
        }
        return nil
    }

    private mutating func replace(_ old: FactorID, with new: [Factor]) {
        factors[old] = nil
        jointFactors[old.joint]?.removeAll { $0 == old }
        for f in new { add(f) }
    }

    private mutating func apply(_ a: Assumption) throws {
        switch a.kind {
        case .deterministic(let v, let given, let jointName):
            guard let f = factor(of: jointName, children: [v]) else {
                throw BuildError.unrealisable(a.name, "\(jointName) has no factor for \(v) alone")
            }
            var g = f
            g.parents = Set(given)
            g.isDeterministic = true
            g.id.variant = "δ"
            g.label = "δ(\(v) | \(given.joined(separator: ", ")))"
            replace(f.id, with: [g])
        case .equality(let lhs, let rhs):
            let jointName = lhs.joint
            guard declarations.joint(jointName) != nil else {
                throw BuildError.unrealisable(a.name, "no joint named \(jointName)")
            }
            let lhsChildren = Set(lhs.variables)
            if let f = factor(of: jointName, children: lhsChildren), f.parents == Set(lhs.given) {
                // The left side is a declared factor: drop parents or split it.
                var replacements: [Factor] = []
                var covered: Set<String> = []
                for (i, d) in rhs.enumerated() {
                    guard d.joint == jointName, Set(d.given).isSubset(of: Set(lhs.given).union(lhsChildren)) else {
                        throw BuildError.unrealisable(a.name, "\(d) is not a conditional of \(lhs)")
                    }
                    covered.formUnion(d.variables)
                    replacements.append(Factor(id: FactorID(joint: jointName, index: f.id.index, variant: "\(a.name).\(i)"),
                                               children: Set(d.variables), parents: Set(d.given), label: d.description,
                                               isInputRoot: false, isDeterministic: false))
                }
                guard covered == lhsChildren else {
                    throw BuildError.unrealisable(a.name, "the right side does not cover \(lhs.variables.joined(separator: ", "))")
                }
                replace(f.id, with: replacements)
                appliedAssumptions.append(a.name)
            } else if rhs.count == 1, Set(rhs[0].variables) == lhsChildren, Set(rhs[0].given).isSubset(of: Set(lhs.given)),
                      impliesIndependence(in: jointName, lhsChildren, Set(lhs.given).subtracting(rhs[0].given),
                                          given: Set(rhs[0].given)) {
                // The declared factors already imply it: keep them (rebuilding the joint below
                // would forget the factorisation, and steps that need it would lose their proofs).
            } else if rhs.count == 1, Set(rhs[0].variables) == lhsChildren,
                      Set(rhs[0].given).isSubset(of: Set(lhs.given)),
                      let joint = declarations.joint(jointName) {
                // Not a factor: rebuild the joint as (everything else) × f(A | B'), which implies
                // the stated conditional independence (and possibly more; sound for proofs only
                // when the step's truth does not depend on the extra independence, which the
                // witness, building the same structure, cannot contradict).
                let all = Set(joint.variables).union(joint.given)
                let rest = all.subtracting(lhsChildren)
                let restVars = Set(joint.variables).subtracting(lhsChildren)
                for id in jointFactors[jointName] ?? [] { factors[id] = nil }
                jointFactors[jointName] = []
                if !joint.given.isEmpty {
                    add(Factor(id: FactorID(joint: jointName, index: -1), children: Set(joint.given), parents: [],
                               label: "\(jointName)(\(joint.given.joined(separator: ", ")))", isInputRoot: true,
                               isDeterministic: false))
                }
                if !restVars.isEmpty {
                    add(Factor(id: FactorID(joint: jointName, index: 0, variant: "\(a.name).rest"),
                               children: restVars, parents: rest.subtracting(restVars),
                               label: "\(jointName)(\(restVars.sorted().joined(separator: ", ")) | …)",
                               isInputRoot: false, isDeterministic: false))
                }
                add(Factor(id: FactorID(joint: jointName, index: 1, variant: a.name), children: lhsChildren,
                           parents: Set(rhs[0].given), label: rhs[0].description, isInputRoot: false,
                           isDeterministic: false))
                appliedAssumptions.append(a.name)
            } else {
                throw BuildError.unrealisable(a.name, "\(lhs) is not a factor of \(jointName) and the right side is not one conditional of the same variables")
            }
        }
    }
}
