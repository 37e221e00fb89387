/// Declared constraints of constants in non-negativity certificates (rule `constant-bound`):
/// a scalar `param beta ≥ 1` is written `beta = 1 + t` with a slack `t ≥ 0` (`t > 0` for a
/// strict bound), `param b ≤ c` as `b = c − t`, and the form is certified in the slacks. So
/// `(beta − 1)·X²` and `beta − 1` are non-negative, while without the bound they are not.
extension ScalarForm {
    /// The scalar symbols with a declared bound that occur as polynomial factors of a term.
    func boundedSymbols(_ ctx: ScalarContext) -> Set<String> {
        var out = Set<String>()
        for t in terms.keys {
            for (a, n) in t.factors where n > 0 {
                if case .symbol(let s) = a, ctx.bounds[s] != nil { out.insert(s) }
            }
        }
        return out
    }

    /// The form with each bounded symbol of `symbols` (as a positive-power factor) replaced by
    /// its bound plus or minus a fresh slack symbol, and the context that knows the slacks'
    /// signs (and no longer the replaced symbols' bounds).
    func substitutingBounds(_ symbols: Set<String>, context ctx: ScalarContext) -> (ScalarForm, ScalarContext) {
        var out = ScalarForm.zero
        var next = ctx
        var replacement: [String: ScalarForm] = [:]
        for s in symbols {
            guard let b = ctx.bounds[s] else { continue }
            let slack = ScalarForm.slackName(s, b)
            if b.isStrict { next.positive.insert(slack) } else { next.nonNegative.insert(slack) }
            next.bounds[s] = nil
            let c = ScalarForm(constant: b.value)
            replacement[s] = b.isLower ? c + .symbol(slack) : c - .symbol(slack)
        }
        for (t, coefficient) in terms {
            var rest = t.factors
            var factor = ScalarForm.one
            for (a, n) in t.factors where n > 0 {
                guard case .symbol(let s) = a, let r = replacement[s] else { continue }
                rest[a] = nil
                factor = factor * r.power(n)
            }
            out = out + coefficient * (ScalarForm.canonical(range: t.range, factors: rest) * factor)
        }
        return (out, next)
    }

    /// The slack's name: `beta−1` for `beta ≥ 1`, `1−b` for `b ≤ 1` (never an identifier of
    /// a spec, which cannot contain `−`).
    static func slackName(_ symbol: String, _ b: ParamBound) -> String {
        b.isLower ? "\(symbol)−(\(b.value))" : "(\(b.value))−\(symbol)"
    }
}
