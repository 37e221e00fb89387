import ELBOAlgebra
import ELBOSpec

extension Checker {
    /// Searches a small space of candidate assumptions under which a refuted step holds: drop
    /// one conditioning variable of one density, or split one joint density into a product of
    /// its single-variable conditionals. Returns the first candidate under which the witness
    /// agrees, preferring one the symbolic engine also proves, written `lhs = rhs`.
    func suggestAssumption(_ step: Step, lhs: Expr, declarations: Declarations) -> String? {
        var densities: [Density] = []
        for e in [lhs, step.expr] {
            for sub in e.allSubexpressions {
                if case .density(let d) = sub, !densities.contains(d) { densities.append(d) }
            }
        }
        var candidates: [(Density, [Density])] = []
        for d in densities {
            for g in d.given {
                candidates.append((d, [Density(joint: d.joint, variables: d.variables, given: d.given.filter { $0 != g })]))
            }
            if d.variables.count > 1 {
                candidates.append((d, d.variables.map { Density(joint: d.joint, variables: [$0], given: d.given) }))
            }
        }
        var witnessed: String?
        for (i, (l, r)) in candidates.enumerated() {
            let name = "_suggested\(i)"
            var decl = declarations
            decl.assumptions.append(Assumption(name: name, kind: .equality(lhs: l, rhs: r)))
            let names = step.assumptions + [name]
            guard (try? ProbabilityContext(declarations: decl, assumptions: names)) != nil else { continue }
            let w = WitnessEngine(declarations: decl, configuration: witnessConfiguration)
            guard case .agrees = w.check(lhs: lhs, rhs: step.expr, relation: step.relation, assumptions: names) else { continue }
            let text = "\(l) = \(r.map(\.description).joined(separator: " "))"
            let p = SymbolicProver(declarations: decl).prove(lhs: lhs, rhs: step.expr, relation: step.relation.comparison, assumptions: names)
            if case .proved = p { return text }
            if witnessed == nil { witnessed = text }
        }
        return witnessed
    }
}
