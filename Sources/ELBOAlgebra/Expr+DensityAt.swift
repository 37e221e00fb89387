/// A density of a declared joint evaluated with variables bound to expressions:
/// `q(z | x = u_k)`, `p(x | z = mu + sigma eps)`, `q(z = w | x)`. It is the node
/// `apply("at", [density, symbol(v₁), e₁, symbol(v₂), e₂, …])`: engines that do not know it
/// refuse it (an unknown function of a density) rather than read it as the unbound density.
extension Expr {
    /// The name of the node.
    public static let densityAtName = "at"

    /// `d` with `bindings` (the plain density when there are none).
    public static func densityAt(_ d: Density, _ bindings: [(String, Expr)]) -> Expr {
        guard !bindings.isEmpty else { return .density(d) }
        return .apply(densityAtName, [.density(d)] + bindings.flatMap { [Expr.symbol($0.0), $0.1] })
    }

    /// The density and its bindings, if this is a density at a point.
    public var densityAtPoint: (density: Density, bindings: [(String, Expr)])? {
        guard case .apply(Expr.densityAtName, let args) = self, args.count >= 3, args.count % 2 == 1,
              case .density(let d) = args[0] else { return nil }
        var out: [(String, Expr)] = []
        for k in stride(from: 1, to: args.count, by: 2) {
            guard case .symbol(let v) = args[k] else { return nil }
            out.append((v, args[k + 1]))
        }
        return (d, out)
    }

    /// The density as written, `p(x | z = mu + sigma eps)`.
    func densityAtText(_ full: (Expr) -> String) -> String? {
        guard let (d, bindings) = densityAtPoint else { return nil }
        func name(_ v: String) -> String { bindings.first { $0.0 == v }.map { "\(v) = \(full($0.1))" } ?? v }
        let left = d.variables.map(name).joined(separator: ", ")
        return d.given.isEmpty ? "\(d.joint)(\(left))" : "\(d.joint)(\(left) | \(d.given.map(name).joined(separator: ", ")))"
    }
}
