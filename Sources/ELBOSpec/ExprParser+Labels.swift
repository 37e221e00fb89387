import ELBOAlgebra

/// One-hot labels and the functions of a categorical's logits: the Iverson bracket `[y = c]`,
/// `logsumexp_c(g_c)`, `logsumexp(g)` and `softmax(g)_c`. They are written out in the core
/// language as they are read: `[y = c]` is the one-hot component `y_c` of a `label` variable,
/// `logsumexp_c(X)` is `log Σ_c exp(X)`, `softmax(g)_c` is `exp(g_c − logsumexp(g))`.
extension ExprParser {
    /// Whether `[` at the current position opens an Iverson bracket `[y = c]` of a label.
    var atIversonBracket: Bool {
        guard peek.isSymbol("["), peek(1).isIdentifier, peek(2).isSymbol("="),
              let v = scope.declarations.variable(peek(1).text), case .label = v.type else { return false }
        return true
    }

    /// `[y = c]`: 1 when the label `y` is the class `c` (a sum index or an integer), else 0.
    func parseIversonBracket() throws -> Expr {
        let open = advance()
        let label = advance()
        _ = try expect("=", "in the Iverson bracket [y = c]")
        let cls = advance()
        let index: String
        if cls.kind == .number, let n = cls.number?.intValue, n >= 1 {
            index = "\(n)"
        } else if cls.isIdentifier, sumIndices.contains(cls.text) {
            index = cls.text
        } else {
            throw fail(cls, "the class in [\(label.raw) = c] is a sum index or a positive integer, found \(cls.quoted)")
        }
        try expectClosing("]", open)
        return .component(label.text, index: index)
    }

    /// `logsumexp_c(X)`, `logsumexp_{c=1}^{C}(X)` (the body may use the index), or
    /// `logsumexp(g)` of a vector symbol: `log Σ_c exp(…)`.
    func parseLogSumExp() throws -> Expr {
        let t = advance()
        var index = t.text == "logsumexp" ? nil : String(t.text.dropFirst("logsumexp_".count))
        var from: Expr = .int(1)
        var to: Expr?
        if index == nil, peek.isSymbol("_") {
            advance()
            let open = try expect("{", "after 'logsumexp_'")
            index = try expectIdentifier("a summation index").text
            if eat("=") { from = try parseExpression() }
            try expectClosing("}", open)
        }
        if index != nil, eat("^") {
            if peek.isSymbol("{") {
                let open = advance()
                to = try parseExpression()
                try expectClosing("}", open)
            } else {
                to = try parsePrimary()
            }
        }
        guard let i = index else {
            // logsumexp(g): the components of a vector symbol.
            let arg = try parseSingleArgument(of: t)
            guard case .symbol(let g) = arg, let d = scope.dimension(ofComponentBase: g) else {
                throw fail(t, "logsumexp(g) takes a vector symbol; write logsumexp_c(X) for an expression in c")
            }
            let j = freshIndex(avoiding: arg)
            return .log(.indexedSum(index: j, from: .int(1), to: d.specExpr, body: .exp(.component(g, index: j))))
        }
        sumIndices.append(i)
        defer { sumIndices.removeLast() }
        let body = try parseSingleArgument(of: t)
        if to == nil {
            to = inferredUpperBound(index: i, body: body)
            if to == nil { throw fail(t, "cannot infer the range of logsumexp over '\(i)': write logsumexp_{\(i)=1}^{C}(…)") }
        }
        return .log(.indexedSum(index: i, from: from, to: to!, body: .exp(body)))
    }

    /// `softmax(g)_c` of a vector symbol g: `exp(g_c − log Σ_j exp(g_j))`.
    func parseSoftmax() throws -> Expr {
        let t = advance()
        let arg = try parseSingleArgument(of: t)
        guard case .symbol(let g) = arg, let d = scope.dimension(ofComponentBase: g) else {
            throw fail(t, "softmax(g) takes a vector symbol")
        }
        _ = try expect("_", "after softmax(\(g)): its component, softmax(\(g))_c")
        let cls = advance()
        let index: String
        if cls.kind == .number, let n = cls.number?.intValue, n >= 1 { index = "\(n)" } else if cls.isIdentifier { index = cls.text } else {
            throw fail(cls, "expected the component of softmax(\(g)), found \(cls.quoted)")
        }
        let j = index == "j" ? "k" : "j"
        let lse = Expr.log(.indexedSum(index: j, from: .int(1), to: d.specExpr, body: .exp(.component(g, index: j))))
        return .exp(.subtract(.component(g, index: index), lse))
    }

    /// A summation index not used in `e` or by an enclosing sum.
    func freshIndex(avoiding e: Expr) -> String {
        let used = e.symbols.union(sumIndices)
        return ["j", "k", "l", "c"].first { !used.contains($0) } ?? "j'"
    }
}

/// Arguments of shorthands by name: `f(z = mu + sigma eps)` for `define f(z) = …`, the form in
/// which the reparameterisation identity is written.
extension ExprParser {
    /// `(a, b)` or `(z = a, w = b)` (names in any order, all of them) for `define f(z, w)`.
    func parseDefinitionArguments(_ def: Definition) throws -> [Expr] {
        let named = peek.isSymbol("(") && peek(1).isIdentifier && peek(2).isSymbol("=")
            && def.parameters.contains(peek(1).text)
        guard named else { return try parseArguments() }
        let open = try expect("(", "before the arguments")
        var byName: [String: Expr] = [:]
        repeat {
            let n = try expectIdentifier("a parameter name of '\(def.name)'")
            guard def.parameters.contains(n.text) else {
                throw fail(n, "'\(def.name)' has no parameter '\(n.raw)' (its parameters: \(def.parameters.joined(separator: ", ")))")
            }
            _ = try expect("=", "after the parameter name '\(n.raw)'")
            guard byName[n.text] == nil else { throw fail(n, "the parameter '\(n.raw)' is given twice") }
            byName[n.text] = try parseExpression()
        } while eat(",")
        try expectClosing(")", open)
        let missing = def.parameters.filter { byName[$0] == nil }
        guard missing.isEmpty else { throw fail(open, "'\(def.name)' needs \(missing.joined(separator: ", ")) as well") }
        return def.parameters.map { byName[$0]! }
    }
}
