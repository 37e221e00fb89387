/// The reparameterisation identity read right to left (rule `reparameterisation`):
/// `E_{N(ε; 0, 1)}[ B(ε) ] ⇒ E_{q(Z | X)}[ B((Z − A)/S) ]` when the body reads ε through points
/// `Z = A + S ε` with `A ≡ m` and `S² ≡ v` for `family q(Z | X) = Normal(m, v)`: Z = A + S ε
/// has the law N(m, v) whatever the sign of S, so this is a change of variables. A body written
/// at the sample, `log p(x | z = mu + exp(s/2) eps)`, becomes
/// `log p(x | z = mu + exp(s/2) (z − mu)/exp(s/2))`, and a point whose value has the normal form
/// of the variable itself is no point at all (`p(x | z = z)` is `p(x | z)`). `mu + exp(s) eps`
/// (a variance for a standard deviation) has S² = exp(2s) ≢ exp(s): no rewrite, no proof.
///
/// It requires Z not to occur free in the body (it would be captured), m and v free of ε and
/// Z, ε and Z real of one dimension, no matrix in m, v or the point (diagonal only), and every
/// point of Z to reduce to Z.
extension Normalizer {
    /// The expectation `E_{measure}[body]` as the density of a family and the body under it, or
    /// nil when the measure is not `N(ε; 0, 1)` over a declared variable or no family makes the
    /// points trivial.
    mutating func reparameterised(measure: Expr, body: Expr) -> (Density, Expr)? {
        guard case .normalDensity(.symbol(let eps), let mean, let variance) = measure,
              mean == .number(.zero), variance == .number(.one),
              let epsType = context.declarations.variable(eps)?.type, epsType.isContinuous else { return nil }
        // The first point written in terms of ε for each variable.
        var targets: [(String, Expr)] = []
        for sub in body.allSubexpressions {
            guard let (_, bindings) = sub.densityAtPoint else { continue }
            for (v, value) in bindings where value.mentions(eps) && !targets.contains(where: { $0.0 == v }) {
                targets.append((v, value))
            }
        }
        for (z, point) in targets {
            guard let zType = context.declarations.variable(z)?.type, zType == epsType,
                  !body.mentionsFree(z), let (shift, scale) = affine(point, in: eps) else { continue }
            for fam in context.declarations.families where fam.density.variables == [z] {
                guard case .normal(let m, let v) = fam.kind,
                      ![m, v].contains(where: { reads($0, eps) || reads($0, z) }),
                      ![m, v, point].contains(where: isMatrixValued),
                      sameForm(shift, m), sameForm(.power(scale, .int(2)), v) else { continue }
                let standardised = Expr.mul([.subtract(.symbol(z), shift), .power(scale, .int(-1))])
                let rewritten = withoutTrivialPoints(body.substituting([eps: standardised]))
                guard !rewritten.mentions(eps), !hasPoint(of: z, in: rewritten) else { continue }
                rules.use(.reparameterisation, instantiation: fam.density.description)
                return (fam.density, rewritten)
            }
        }
        return nil
    }

    /// `(A, S)` with `e ≡ A + S ε` (A = e at ε = 0, S = e at 1 minus A), when e is affine in ε.
    private func affine(_ e: Expr, in eps: String) -> (Expr, Expr)? {
        let shift = e.substituting([eps: .int(0)])
        let scale = Expr.subtract(e.substituting([eps: .int(1)]), shift)
        guard sameForm(e, .add([shift, .mul([scale, .symbol(eps)])])) else { return nil }
        return (shift, scale)
    }

    /// Whether two scalar expressions have one normal form (elementwise, as families are read).
    private func sameForm(_ a: Expr, _ b: Expr) -> Bool {
        var log = RuleLog()
        log.recording = false
        guard let x = try? ScalarNormalizer.normalize(a, context: scalarContext, rules: &log),
              let y = try? ScalarNormalizer.normalize(b, context: scalarContext, rules: &log) else { return false }
        return x == y
    }

    /// Whether `e` involves a matrix (a `param` of rank 2 or a matrix function): the scalar
    /// algebra reads products elementwise, so `mu + sqrt(Sigma) eps` for a full covariance
    /// would be matched as if it were diagonal. The full-covariance form `mu + L eps` is not
    /// handled here.
    private func isMatrixValued(_ e: Expr) -> Bool {
        let matrices = Set(context.declarations.params.filter { $0.shape.count >= 2 }.map(\.name))
        return e.allSubexpressions.contains { sub in
            switch sub {
            case .symbol(let s), .component(let s, _): return matrices.contains(s)
            case .apply(let f, _): return ["transpose", "inverse", "det", "tr", "diag"].contains(f)
            default: return false
            }
        }
    }

    /// Whether `e` reads `name`, directly or through a family parameter or network output.
    private func reads(_ e: Expr, _ name: String) -> Bool {
        e.symbols.contains { $0 == name || scalarContext.dependencies(of: $0).contains(name) }
    }

    /// Whether a density at a point in `e` still binds `z`.
    private func hasPoint(of z: String, in e: Expr) -> Bool {
        e.allSubexpressions.contains { $0.densityAtPoint?.bindings.contains { $0.0 == z } ?? false }
    }

    /// Drops each binding `v = E` whose value has the scalar normal form of `v` itself.
    private func withoutTrivialPoints(_ e: Expr) -> Expr {
        e.rewritten { node in
            guard let (d, bindings) = node.densityAtPoint else { return nil }
            return Expr.densityAt(d, bindings.filter { !sameForm($0.1, .symbol($0.0)) })
        }
    }
}

extension Expr {
    /// Whether the symbol `name` occurs anywhere (as a symbol, a component, a density's variable).
    func mentions(_ name: String) -> Bool {
        allSubexpressions.contains { sub in
            switch sub {
            case .symbol(let s), .component(let s, _): return s == name
            case .density(let d): return d.variables.contains(name) || d.given.contains(name)
            default: return false
            }
        }
    }

    /// Whether the variable `name` occurs free: anywhere except as a variable that a density at
    /// a point binds (`z` in `p(x | z = E)`, where only E is read).
    func mentionsFree(_ name: String) -> Bool {
        if let (d, bindings) = densityAtPoint {
            let bound = Set(bindings.map(\.0))
            if !bound.contains(name), d.variables.contains(name) || d.given.contains(name) { return true }
            return bindings.contains { $0.1.mentionsFree(name) }
        }
        switch self {
        case .symbol(let s), .component(let s, _): return s == name
        case .density(let d): return d.variables.contains(name) || d.given.contains(name)
        default: return children.contains { $0.mentionsFree(name) }
        }
    }
}
