import ELBOAlgebra

/// Generates mutants of an expression: each applies one small change a careless derivation
/// makes: a flipped sign, a dropped or duplicated term, swapped KL arguments, a dropped or
/// added conditioning variable, a changed measure.
struct Mutator {
    let declarations: Declarations

    /// All single-change mutants of `e`, each with a short description.
    func mutants(of e: Expr) -> [(String, Expr)] {
        var out: [(String, Expr)] = []
        visit(e, path: []) { node, path in
            for (what, replacement) in local(node) {
                out.append((what, e.replacing(at: path, with: replacement)))
            }
        }
        return out
    }

    private func visit(_ e: Expr, path: [Int], _ f: (Expr, [Int]) -> Void) {
        f(e, path)
        for (i, c) in e.children.enumerated() { visit(c, path: path + [i], f) }
    }

    private func local(_ node: Expr) -> [(String, Expr)] {
        var out: [(String, Expr)] = []
        switch node {
        case .sum(let terms):
            for i in terms.indices {
                var flipped = terms; flipped[i] = .negate(terms[i])
                out.append(("flip the sign of term \(i + 1)", .add(flipped)))
                var dropped = terms; dropped.remove(at: i)
                out.append(("drop term \(i + 1)", .add(dropped)))
                out.append(("duplicate term \(i + 1)", .add(terms + [terms[i]])))
            }
        case .kl(let p, let q):
            out.append(("swap the KL arguments", .kl(q, p)))
        case .density(let d):
            guard let joint = declarations.joint(d.joint) else { break }
            for g in d.given {
                out.append(("drop \(g) from \(d)", .density(Density(joint: d.joint, variables: d.variables, given: d.given.filter { $0 != g }))))
            }
            let scope = joint.variables + joint.given
            for v in scope where !d.variables.contains(v) && !d.given.contains(v) {
                out.append(("condition \(d) on \(v)", .density(Density(joint: d.joint, variables: d.variables, given: d.given + [v]))))
            }
        case .expectation(let m, let body):
            if case .density(let d) = m {
                for other in declarations.joints where other.name != d.joint {
                    let scope = Set(other.variables + other.given)
                    if d.allVariables.isSubset(of: scope) && Set(d.variables).isSubset(of: Set(other.variables)) {
                        out.append(("measure \(d) → \(other.name)", .expectation(measure: .density(Density(joint: other.name, variables: d.variables, given: d.given)), body: body)))
                    }
                }
                for g in d.given {
                    out.append(("measure drops \(g)", .expectation(measure: .density(Density(joint: d.joint, variables: d.variables, given: d.given.filter { $0 != g })), body: body)))
                }
            }
        default: break
        }
        return out
    }
}

extension Expr {
    /// The expression with the node at `path` (child indices from the root) replaced.
    func replacing(at path: [Int], with r: Expr) -> Expr {
        guard let first = path.first else { return r }
        var kids = children
        kids[first] = kids[first].replacing(at: Array(path.dropFirst()), with: r)
        return withChildren(kids)
    }
}
