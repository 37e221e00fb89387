import ELBOAlgebra

/// Identifiers and the operators they introduce: densities, integrals, sums, expectations,
/// KL, entropy, Gaussian densities and named functions.
extension ExprParser {
    func parseIdentifier() throws -> Expr {
        if let indexed = try parsePlateIdentifier() { return indexed }
        let t = peek
        let name = t.text
        let next = peek(1)
        switch name {
        case "int": return try parseIntegral(count: 1)
        case "iint": return try parseIntegral(count: 2)
        case "iiint": return try parseIntegral(count: 3)
        default: break
        }
        if name == "sum", next.isSymbol("_") { return try parseIndexedSum() }
        if name.hasPrefix("sum_"), !isValueName(name), name.count > 4,
           name.dropFirst(4).allSatisfy({ $0.isLetter || $0 == "'" }) {
            return try parseIndexedSum()
        }
        if name == "E", next.isSymbol("_") { return try parseExpectation() }
        if !isValueName(name), name == "logsumexp" || name.hasPrefix("logsumexp_") { return try parseLogSumExp() }
        if !isValueName(name), name == "softmax", next.isSymbol("(") { return try parseSoftmax() }
        if name == "N", next.isSymbol("("), hasSemicolon(inParenthesesAt: pos + 1) { return try parseNormalDensity() }
        if isValueName(name) {
            advance()
            return .symbol(name)
        }
        if name == "pi" { advance(); return .constant(.pi) }
        if name == "e" { advance(); return .constant(.e) }
        if ["log", "ln", "exp", "sqrt"].contains(name) { return try parseLogLike() }
        if next.isSymbol("(") {
            switch name {
            case "KL", "D_KL": return try parseKL()
            case "H": return try parseEntropy()
            case "norm2":
                advance()
                return .norm2(try parseSingleArgument(of: t))
            case "tr", "det", "abs", "transpose", "inverse":
                advance()
                return .apply(name, [try parseSingleArgument(of: t)])
            case "downsample2x2":
                // A deterministic transform of data the runtime computes (2×2 average pooling),
                // e.g. `family q(y | x) = Delta(downsample2x2(x))`.
                advance()
                return .apply(name, [try parseSingleArgument(of: t)])
            default: break
            }
            if let def = scope.declarations.definition(name) {
                advance()
                let args = try parseDefinitionArguments(def)
                if args.count != def.parameters.count {
                    sink.error(t, "'\(name)' takes \(def.parameters.count) argument\(def.parameters.count == 1 ? "" : "s"), found \(args.count)")
                }
                return .apply(name, args)
            }
            if scope.networkNames.contains(name) {
                advance()
                return .apply(name, try parseArguments())
            }
            if scope.joint(named: name) != nil {
                let saved = allowsDensityBindings
                allowsDensityBindings = true
                defer { allowsDensityBindings = saved }
                let d = try parseDensity(checkMembership: true)
                return Expr.densityAt(d, densityBindings)
            }
        }
        if let c = component(name) {
            advance()
            return c
        }
        if isDifferential(at: pos) {
            throw fail(t, "expected an integrand before the differential '\(t.raw)'")
        }
        if next.isSymbol("(") {
            advance()
            let open = advance()
            if name == "N" {
                sink.error(t, "a Gaussian density is written N(x; mean, variance), with the point and a ';'")
            } else if looksLikeDensity(name, openAt: pos - 1) {
                let joints = scope.declarations.joints.map(\.name).joined(separator: ", ")
                sink.error(t, "density of undeclared joint '\(t.raw)'" + (joints.isEmpty ? "" : " (declared: \(joints))"))
            } else {
                sink.error(t, "unknown function '\(t.raw)'")
            }
            try skipToClosing(open)
            return .apply(name, [])
        }
        advance()
        if scope.familyMode, !name.hasPrefix("sum_") {
            newFamilyParameters.append(t)
            scope.symbols.insert(name)
            return .symbol(name)
        }
        sink.error(t, "unknown identifier '\(t.raw)'")
        return .symbol(name)
    }

    /// Skips past the bracket matching `open` (the brackets are known to balance).
    func skipToClosing(_ open: Token) throws {
        var depth = 1
        while !atEnd {
            let t = advance()
            if t.isSymbol("(") || t.isSymbol("[") || t.isSymbol("{") { depth += 1 }
            if t.isSymbol(")") || t.isSymbol("]") || t.isSymbol("}") {
                depth -= 1
                if depth == 0 { return }
            }
        }
        throw fail(open, "unbalanced '\(open.raw)': no matching ')'")
    }

    /// `r(x | z)`, `P(x)`: arguments that are names with a bar, or a one-letter name.
    func looksLikeDensity(_ name: String, openAt index: Int) -> Bool {
        var k = index + 1
        var sawBar = false
        while k < tokens.count, !tokens[k].isSymbol(")") {
            let t = tokens[k]
            if t.isSymbol("|") { sawBar = true } else if !(t.isIdentifier || t.isSymbol(",")) { return false }
            k += 1
        }
        let stem = name.split(separator: "_").first.map(String.init) ?? name
        return sawBar || stem.count == 1
    }

    func hasSemicolon(inParenthesesAt index: Int) -> Bool {
        var depth = 0
        var k = index
        while k < tokens.count {
            let t = tokens[k]
            if t.isSymbol("(") || t.isSymbol("[") || t.isSymbol("{") { depth += 1 }
            if t.isSymbol(")") || t.isSymbol("]") || t.isSymbol("}") {
                depth -= 1
                if depth == 0 { return false }
            }
            if depth == 1, t.isSymbol(";") { return true }
            k += 1
        }
        return false
    }

    /// `(a, b, …)` after a function name.
    func parseArguments() throws -> [Expr] {
        let open = try expect("(", "before the arguments")
        var args: [Expr] = []
        if peek.isSymbol(")") { advance(); return args }
        repeat { args.append(try parseExpression()) } while eat(",")
        try expectClosing(")", open)
        return args
    }

    func parseSingleArgument(of name: Token) throws -> Expr {
        let args = try parseArguments()
        guard args.count == 1 else { throw fail(name, "'\(name.raw)' takes one argument, found \(args.count)") }
        return args[0]
    }

    /// `log X`, `log(X)`, and likewise `exp`, `sqrt`. Without parentheses the function takes
    /// one factor with its postfix powers: `log p(x|z) p(z)` is `log(p(x|z)) · p(z)`.
    func parseLogLike() throws -> Expr {
        let t = advance()
        let arg: Expr
        if peek.isSymbol("(") {
            let open = advance()
            let saved = (klDepth, normDepth)
            klDepth = 0; normDepth = 0
            defer { (klDepth, normDepth) = saved }
            arg = try parseExpression()
            try expectClosing(")", open)
        } else if canStartFactor(at: pos) || peek.isSymbol("||") {
            arg = try parsePower()
        } else {
            throw fail(peek, "expected an argument after '\(t.raw)', found \(peek.quoted)")
        }
        switch t.text {
        case "exp": return .exp(arg)
        case "sqrt": return Expr.squareRoot(arg)
        default: return .log(arg)
        }
    }

    // MARK: Densities

    /// `p(A | B)` where `p` (or `p_theta`) names a declared joint. With `checkMembership`,
    /// every variable must belong to the joint.
    func parseDensity(checkMembership: Bool) throws -> Density {
        let nameTok = try expectIdentifier("a density such as p(x | z)")
        guard let joint = scope.joint(named: nameTok.text) else {
            let joints = scope.declarations.joints.map(\.name).joined(separator: ", ")
            throw fail(nameTok, "density of undeclared joint '\(nameTok.raw)'" + (joints.isEmpty ? "" : " (declared: \(joints))"))
        }
        let open = try expect("(", "after the density name '\(nameTok.raw)'")
        var left: [Token] = []
        var given: [Token] = []
        var bindings: [(String, Expr)] = []
        let allowed = allowsDensityBindings
        /// `v = EXPR` after a variable: the density at that point (only where a value is read).
        func binding(_ v: Token) throws {
            guard peek.isSymbol("=") else { return }
            guard allowed else { throw fail(peek, "a density at a point (\(v.raw) = …) is allowed only in steps") }
            advance()
            bindings.append((v.text, try parseExpression()))
        }
        while peek.isIdentifier {
            let vs = takeVariables()
            left += vs
            if vs.count == 1 { try binding(vs[0]) }
            if !eat(",") { break }
        }
        if eat("|") {
            repeat {
                let vs = try expectVariables("a variable name")
                given += vs
                if vs.count == 1 { try binding(vs[0]) }
            } while eat(",")
        }
        if left.isEmpty {
            if peek.isSymbol(")") || peek.isSymbol("|") || given.count > 0 {
                sink.error(open, "a density needs at least one variable before '|'")
            } else {
                throw fail(peek, "expected a variable name in the density, found \(peek.quoted)")
            }
        }
        guard peek.isSymbol(")") else {
            if atEnd { throw fail(open, "unbalanced '(': no matching ')'") }
            throw fail(peek, "expected a variable name, ',' or '|' in the density, found \(peek.quoted)")
        }
        advance()
        validateDensity(joint: joint, left: left, given: given, checkMembership: checkMembership)
        densityBindings = bindings
        return Density(joint: joint.name, variables: left.map(\.text), given: given.map(\.text))
    }

    func validateDensity(joint: Joint, left: [Token], given: [Token], checkMembership: Bool) {
        var seen: Set<String> = []
        let members = Set(joint.variables).union(joint.given)
        for v in left + given {
            if scope.declarations.variable(v.text) == nil {
                sink.error(v, "unknown variable '\(v.raw)' in density")
            } else if checkMembership, !members.contains(v.text) {
                sink.error(v, "density over undeclared variables: '\(v.raw)' is not a variable of \(joint.kind.rawValue) '\(joint.name)'")
            }
            if !seen.insert(v.text).inserted {
                sink.error(v, "variable '\(v.raw)' appears twice in the density")
            }
        }
    }

    // MARK: Integrals and sums

    /// `∫ BODY dz`, `∬ BODY dz_l dz_u`, `∭ …`: the body is a whole expression up to the
    /// differentials; each sign takes exactly its number of differentials, so integrals nest.
    func parseIntegral(count: Int) throws -> Expr {
        let sign = advance()
        integralDepth += 1
        defer { integralDepth -= 1 }
        let saved = (klDepth, normDepth)
        klDepth = 0; normDepth = 0
        let body = try parseExpression()
        (klDepth, normDepth) = saved
        var variables: [String] = []
        var found = 0
        while found < count, isDifferential(at: pos) {
            variables += try parseDifferential()
            found += 1
        }
        if found == 0 {
            sink.error(sign, "integral without a differential: expected 'd' and a variable (like 'dz') after the integrand, found \(peek.quoted)")
        } else if found < count {
            sink.error(sign, "'\(sign.raw)' takes \(count) differentials, found \(found)")
        }
        var seen: Set<String> = []
        for v in variables where !seen.insert(v).inserted {
            sink.error(sign, "the integral is over '\(v)' twice")
        }
        return .integral(body, over: variables)
    }

    /// `dz_l` or `d(z)`; the named variables must be declared.
    func parseDifferential() throws -> [String] {
        let t = advance()
        var names: [(String, Token)] = []
        if t.text == "d" {
            let open = try expect("(", "after 'd'")
            repeat {
                for n in try expectVariables("a variable name") { names.append((n.text, n)) }
            } while eat(",")
            try expectClosing(")", open)
        } else if let r = familyReference(at: pos - 1, text: String(t.text.dropFirst())) {
            // `dx_t`, `dx_{t-1}`, `dx_{1:T}`: members of a family.
            pos = r.next
            names += r.names.map { ($0.text, $0) }
        } else {
            names.append((String(t.text.dropFirst()), t))
        }
        for (name, tok) in names where scope.declarations.variable(name) == nil {
            let written = tok === t ? "'\(t.raw)'" : "'d(\(tok.raw))'"
            sink.error(tok, "integral differential \(written) is not over a declared variable: '\(name)' is not a variable")
        }
        return names.map(\.0)
    }

    /// `Σ_{j=1}^{k} BODY`, `sum_{j=1}^{k} BODY`, `Σ_j BODY`, `sum_j BODY`. The body is the
    /// following product of factors. Without `^{…}` the upper bound is the dimension of the
    /// vectors whose components the body uses.
    func parseIndexedSum() throws -> Expr {
        let sign = advance()
        var index: String
        var from: Expr = .int(1)
        var to: Expr?
        if sign.text == "sum" {
            _ = try expect("_", "after '\(sign.raw)'")
            if peek.isSymbol("{") {
                let open = advance()
                index = try expectIdentifier("a summation index").text
                if eat("=") { from = try parseExpression() }
                try expectClosing("}", open)
            } else {
                index = try expectIdentifier("a summation index").text
            }
        } else {
            index = String(sign.text.dropFirst(4))
        }
        if eat("^") {
            if peek.isSymbol("{") {
                let open = advance()
                to = try parseExpression()
                try expectClosing("}", open)
            } else {
                to = try parsePrimary()
            }
        }
        sumIndices.append(index)
        defer { sumIndices.removeLast() }
        let body = try parseTerm()
        if to == nil {
            to = inferredUpperBound(index: index, body: body)
            if to == nil {
                sink.error(sign, "cannot infer the range of the sum over '\(index)': write \(sign.raw)_{\(index)=1}^{D}")
            }
        }
        return .indexedSum(index: index, from: from, to: to ?? .int(1), body: body)
    }

    func inferredUpperBound(index: String, body: Expr) -> Expr? {
        var result: Expr?
        visitSubterms(body) { e in
            guard result == nil, case .component(let base, let i) = e, i == index else { return }
            result = scope.dimension(ofComponentBase: base)?.specExpr
        }
        return result
    }

    // MARK: Expectations and divergences

    /// `E_{M}[X]`, `E_{M}(X)`, `E_{z ~ M}[X]`; `M` is a density or a product of densities.
    func parseExpectation() throws -> Expr {
        let e = advance()
        let measure = try parseMeasure(after: e)
        let body: Expr
        if peek.isSymbol("[") || peek.isSymbol("(") {
            let open = advance()
            let saved = (klDepth, normDepth)
            klDepth = 0; normDepth = 0
            defer { (klDepth, normDepth) = saved }
            body = try parseExpression()
            try expectClosing(open.text == "[" ? "]" : ")", open)
        } else {
            throw fail(peek, "expected '[' or '(' after \(e.raw)_{…}, found \(peek.quoted)")
        }
        return .expectation(measure: measure, body: body)
    }

    /// The `_{…}` of an expectation or an `estimate`.
    func parseMeasure(after e: Token) throws -> Expr {
        _ = try expect("_", "after '\(e.raw)'")
        let open = try expect("{", "to start the measure of \(e.raw)_{…}")
        var binders: [Token] = []
        if peek.isIdentifier, peek(1).isSymbol("~") || (peek(1).isSymbol(",") && !peek(2).isSymbol("(")) {
            repeat { binders.append(try expectIdentifier("a variable name")) } while eat(",")
            _ = try expect("~", "after the sampled variables")
        }
        var factors: [Expr] = []
        while !peek.isSymbol("}"), !atEnd {
            if eat("*") { continue }
            let start = peek
            if start.isWord("prod"), scope.plate != nil {
                // `E_{∏_{i=1}^{N} q(z_i | x_i)}`: the product's factors are the measure's.
                let f = try parsePostfix()
                if case .product(let fs) = f { factors += fs } else if case .number = f {} else { factors.append(f) }
                continue
            }
            guard start.isIdentifier, peek(1).isSymbol("(") else {
                throw fail(start, "the measure of \(e.raw)_{…} must be a density or a product of densities, found \(start.quoted)")
            }
            let f = try parsePostfix()
            // A density of a joint, or a Gaussian `N(v; m, V)` over a declared variable.
            if case .density = f { factors.append(f) } else if case .normalDensity(.symbol(let v), _, _) = f,
                scope.declarations.variable(v) != nil { factors.append(f) } else {
                sink.error(start, "the measure of \(e.raw)_{…} must be a density or a product of densities")
            }
        }
        try expectClosing("}", open)
        if factors.isEmpty { throw fail(open, "\(e.raw)_{…} needs a measure such as q(z | x)") }
        let measure = factors.count == 1 ? factors[0] : Expr.mul(factors)
        let sampled = leftVariables(measure) ?? []
        for b in binders where !sampled.contains(b.text) {
            sink.error(b, "'\(b.raw)' is not a variable of the measure")
        }
        return measure
    }

    /// `KL(P || Q)` or `KL(P, Q)`; both sides must be densities over the same variables.
    func parseKL() throws -> Expr {
        let name = advance()
        let open = advance()
        klDepth += 1
        let pStart = peek
        let p = try parseExpression()
        guard peek.isSymbol("||") || peek.isSymbol(",") || peek.isSymbol("‖") else {
            klDepth -= 1
            throw fail(peek, "expected '||' between the two sides of \(name.raw), found \(peek.quoted)")
        }
        advance()
        let qStart = peek
        let q = try parseExpression()
        klDepth -= 1
        try expectClosing(")", open)
        var ok = true
        for (side, start) in [(p, pStart), (q, qStart)] where !isDensityLike(side) {
            sink.error(start, "\(name.raw) compares two densities; this side is not a density or a product of densities")
            ok = false
        }
        if ok, let lp = leftVariables(p), let lq = leftVariables(q), lp != lq {
            sink.error(name, "\(name.raw) compares densities over different variables: \(describe(lp)) and \(describe(lq))")
        }
        return .kl(p, q)
    }

    private func describe(_ vars: Set<String>) -> String { "{" + vars.sorted().joined(separator: ", ") + "}" }

    func parseEntropy() throws -> Expr {
        let name = advance()
        let argStart = peek(1)
        let arg = try parseSingleArgument(of: name)
        if !isDensityLike(arg) { sink.error(argStart, "H(P) takes a density") }
        return .entropy(arg)
    }

    /// `N(x; m, v)`: the value of a Gaussian density at `x`.
    func parseNormalDensity() throws -> Expr {
        advance()
        let open = advance()
        let point = try parseExpression()
        _ = try expect(";", "after the point of N(x; mean, variance)")
        let mean = try parseExpression()
        _ = try expect(",", "between the mean and the variance of N(x; mean, variance)")
        let variance = try parseExpression()
        try expectClosing(")", open)
        return .normalDensity(point: point, mean: mean, variance: variance)
    }
}

extension Token {
    /// Whether two tokens are the same occurrence.
    static func === (a: Token, b: Token) -> Bool { a.start == b.start && a.end == b.end }
}
