/// The trusted kernel: it replays a proof certificate against the rule table and is the only
/// code that can make a `CheckedProof`. It has no search in it: every check below is a
/// function of the certificate, the table and the oracle's normal forms.
///
/// What it checks:
/// 1. *The applications.* Every application names a row of the table of the right kind
///    (`rewrite` before the closing step); its position exists in the side it names and the
///    node there has the head the rule's left pattern needs; assumptions are exactly those
///    in force; applications come in order (step-level assumptions, then the left side, the
///    right side, then the closing application, which matches how the step is closed).
/// 2. *Coverage.* Every `KL`, `E` and `H` node of either side has its definition unfolded at
///    its own position (a normal form has none of them left, so no proof can skip one).
/// 3. *The closing*, recomputed in exact arithmetic from the oracle's normal forms: equal
///    forms; or `nf(larger − smaller) = Σ_k w_k · T_k` with every `w_k ≥ 0` and each `T_k`
///    rebuilt from its instance by the statement of its rule (a KL divergence to a
///    normalised reference, a discrete entropy) with the rule's side conditions checked; or
///    a difference free of learnable quantities (`≃`, `∝` with a scale > 0); or the scalar
///    certificate; or the statement of Jensen's rule matched against the two sides.
///
/// What it trusts (see docs/DESIGN.md): the oracle (`KernelOracle`).
public enum Kernel {
    /// Checks `certificate`; the checked proof, or why it is rejected.
    public static func check<O: KernelOracle>(_ certificate: Certificate, oracle: inout O) -> Result<CheckedProof, KernelRejection> {
        do {
            let expanded = try expandedSides(certificate, oracle.declarations)
            try checkApplications(expanded)
            try checkCoverage(expanded)
            try checkClosing(certificate, oracle: &oracle)
            return .success(CheckedProof(certificate))
        } catch let r as KernelRejection {
            return .failure(r)
        } catch {
            return .failure(KernelRejection("\(error)"))
        }
    }

    // MARK: - 1. Applications

    /// The two sides with the definitions expanded that the certificate says were expanded,
    /// each replayed: the node must be `f(X…)` for a `define`d f of that arity, and it becomes
    /// the definition's body with the arguments substituted (`f(X) ⇒ body_f[X]`).
    static func expandedSides(_ c: Certificate, _ declarations: Declarations) throws -> Certificate {
        // Every use of a definition as written (not inside another use) is expanded where it
        // stands: the oracle would read an unexpanded use the same way, so without this a
        // certificate could drop the application and still close.
        let expandedAt = Set(c.steps.filter { $0.rule == .definitionExpanded }.map(\.at))
        let defined = Set(declarations.definitions.map(\.name))
        func uses(_ e: Expr, _ path: String) -> [(String, String)] {
            if case .apply(let name, _) = e, defined.contains(name) { return [(name, path)] }
            return e.children.enumerated().flatMap { uses($1, "\(path)/\($0)") }
        }
        for (name, path) in uses(c.lhs, Position.Side.lhs.rawValue) + uses(c.rhs, Position.Side.rhs.rawValue)
        where !expandedAt.contains(path) {
            throw KernelRejection("the use of \(name) at \(path) is never expanded (no definition-expanded there)")
        }
        var c = c
        for a in c.steps where a.rule == .definitionExpanded {
            let position = try Position(a.at)
            guard let side = position.side, position.named.isEmpty else { continue } // a derived term's definition
            let root = side == .lhs ? c.lhs : c.rhs
            guard case .apply(let name, let args)? = position.node(in: root), name == a.instantiation,
                  let body = declarations.definitions.first(where: { $0.name == name })?.instantiated(with: args) else {
                throw KernelRejection("definition-expanded at \(a.at): no use of the definition \(a.instantiation) there")
            }
            let expanded = position.replacing(in: root, with: body)
            if side == .lhs { c.lhs = expanded } else { c.rhs = expanded }
        }
        return c
    }

    static func checkApplications(_ c: Certificate) throws {
        guard let last = c.steps.last else { throw KernelRejection("the certificate has no closing application") }
        let expected = closingRules(c)
        guard expected.contains(last.rule) else {
            throw KernelRejection("the closing application is \(last.rule.rawValue), expected \(expected.map(\.rawValue).joined(separator: " or "))")
        }
        var phase = 0
        var assumptions: [String] = []
        for a in c.steps.dropLast() {
            let row = a.rule.definition
            guard row.kind == .rewrite else {
                throw KernelRejection("\(a.rule.rawValue) (a \(row.kind.rawValue) rule) is applied as a rewrite at \(a.at)")
            }
            let position = try Position(a.at)
            guard position.phase >= phase else {
                throw KernelRejection("\(a.rule.rawValue) at \(a.at) comes after an application to a later part of the step")
            }
            phase = position.phase
            if a.rule == .assumption {
                guard c.assumptions.contains(a.instantiation) else {
                    throw KernelRejection("assumption \(a.instantiation) is not in force in this step")
                }
                if position.side == nil { assumptions.append(a.instantiation) }
            }
            guard let side = position.side else {
                guard a.rule == .assumption else { throw KernelRejection("\(a.rule.rawValue) has no position in the step") }
                continue
            }
            let root = side == .lhs ? c.lhs : c.rhs
            // A definition's use is checked on the side as written (`expandedSides`).
            if a.rule == .definitionExpanded { continue }
            guard let node = position.node(in: root) else {
                throw KernelRejection("\(a.rule.rawValue) at \(a.at): no such position in the \(side.rawValue)")
            }
            if let head = row.head, position.named.isEmpty, ExprHead(node) != head, ExprHead(node) != row.rightHead {
                throw KernelRejection("\(a.rule.rawValue) at \(a.at) needs a \(head.rawValue), found a \(ExprHead(node).rawValue)")
            }
            if position.named == ["log"] {
                // The log a KL or an entropy introduces for its argument at this position.
                guard row.head == .log, let parent = Position(side: side, path: position.path.dropLast()).node(in: root),
                      [.kl, .entropy].contains(ExprHead(parent)) else {
                    throw KernelRejection("\(a.rule.rawValue) at \(a.at): no log of a KL or entropy argument there")
                }
            }
        }
        guard assumptions.sorted() == Array(Set(c.assumptions)).sorted() else {
            throw KernelRejection("assumptions put in force [\(assumptions.joined(separator: ", "))] differ from the step's [\(c.assumptions.joined(separator: ", "))]")
        }
    }

    /// The rules that may close a certificate with this closing.
    static func closingRules(_ c: Certificate) -> [Rule] {
        switch c.closing {
        case .sameNormalForm: return [.sameNormalForm]
        case .decomposition, .scalarNonNegative: return [.nonNegativeCombination]
        case .constantDropped: return c.relation == .proportional ? [.positiveScale, .constantDropped] : [.constantDropped, .sameNormalForm]
        case .mixtureJensen: return [.jensen]
        }
    }

    // MARK: - 2. Coverage

    /// The definitional rule that must be applied at every node with this head.
    static let unfolding: [ExprHead: Rule] = [.kl: .klDefinition, .expectation: .expectationDefinition, .entropy: .entropyDefinition]

    static func checkCoverage(_ c: Certificate) throws {
        if case .mixtureJensen = c.closing { return } // a whole-step rule: nothing is unfolded
        let applied = Set(c.steps.map { "\($0.rule.rawValue)@\($0.at)" })
        for (side, root) in [(Position.Side.lhs, c.lhs), (.rhs, c.rhs)] {
            for (path, node) in Position.numberedNodes(root, prefix: side.rawValue) {
                guard let rule = unfolding[ExprHead(node)] else { continue }
                guard applied.contains("\(rule.rawValue)@\(path)") else {
                    throw KernelRejection("the \(ExprHead(node).rawValue) at \(path) is never unfolded (no \(rule.rawValue) there)")
                }
            }
        }
    }
}

/// A proof the kernel checked. Only `Kernel.check` creates one (the initialiser is private
/// to this file), so a step can only be `proved` through the kernel.
public struct CheckedProof: Sendable {
    /// The certificate that was checked.
    public let certificate: Certificate

    fileprivate init(_ certificate: Certificate) { self.certificate = certificate }

    /// The ordered applications, closing step and decomposition terms included.
    public var applications: [RuleApplication] {
        var out = certificate.steps
        if case .decomposition(let terms) = certificate.closing {
            for t in terms {
                let factor = t.factor.map { " · (\($0))" } ?? ""
                out.append(RuleApplication(rule: t.rule, at: "difference", instantiation: "\(t.weight)\(factor) · \(t.label)"))
                if let f = t.factor {
                    out.append(RuleApplication(rule: .constantWeight, at: "difference", instantiation: "\(f) ≥ 0"))
                    out += t.factorRules.map { RuleApplication(rule: $0, at: "difference", instantiation: "\(f)") }
                }
            }
        }
        if case .scalarNonNegative(let rules) = certificate.closing {
            out += rules.map { RuleApplication(rule: $0, at: "difference") }
        }
        return out
    }
}

/// Why the kernel rejected a certificate.
public struct KernelRejection: Error, CustomStringConvertible, Sendable {
    public let description: String
    public init(_ description: String) { self.description = description }
}
