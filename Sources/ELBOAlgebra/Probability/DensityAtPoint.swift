/// The log of a density at a point, `log p(x | z = mu + sigma eps)`, read through its family
/// (rule `density-at-point`): the family's log-density with the bound variables replaced by
/// their expressions. Only in the second pass (families expanded), only for a density that is
/// one factor with a family, and only when no family parameter depends on a bound variable
/// through a network (a network output of z cannot be re-evaluated at an expression);
/// otherwise the step has no normal form here and the witness alone judges it.
extension Normalizer {
    mutating func logDensityAtPoint(_ d: Density, _ bindings: [(String, Expr)]) throws -> NormalForm {
        guard expandFamilies else {
            throw NormalizationError("a density at a point (\(d)) is read through its family, in the second pass")
        }
        var log = RuleLog()
        log.recording = false
        let atoms = context.conditional(d, rules: &log)
        guard atoms.count == 1, let (atom, k) = atoms.first, k == 1, atom.marginalized.isEmpty, atom.factors.count == 1,
              let f = context.factors[atom.factors[0]], f.children.count == 1, let v = f.children.first,
              let kind = family(of: atom.factors[0]), let body = familyLogDensity(kind, variable: v) else {
            throw NormalizationError("\(d) at a point is not one factor with a family")
        }
        var map: [String: Expr] = [:]
        for (u, value) in bindings {
            for s in kind.expressions.flatMap(\.symbols) where scalarContext.dependencies(of: s).contains(u) {
                throw NormalizationError("the family of \(d) reads \(u) through \(s), which cannot be evaluated at \(value)")
            }
            map[u] = value
        }
        rules.use(.densityAtPoint, instantiation: f.label)
        rules.enter("derived")
        defer { rules.leave() }
        return scalarForm(body.substituting(map))
    }
}
