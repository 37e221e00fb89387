import ELBOAlgebra

/// The second pass over a display's tokens, which needs the declarations: aliases, parameter
/// subscripts, differentials, the meaning of `|`, `KL[…]`, shorthand names of earlier
/// displays, and `E_{z ~ q}` without the density's arguments.
struct LaTeXNames {
    let scope: Scope
    let aliases: [String: String]

    var decls: Declarations { scope.declarations }

    /// Whether `name` means something already: a variable, a symbol, a joint, a definition,
    /// a network, or a word of the language.
    func isKnown(_ name: String) -> Bool {
        decls.variable(name) != nil || scope.symbols.contains(name) || decls.joint(name) != nil
            || decls.definition(name) != nil || scope.networkNames.contains(name) || ExprParser.functionWords.contains(name)
            || decls.params.contains { $0.name == name }
    }

    private static func synthetic(_ kind: TokenKind, _ text: String, at t: Token) -> Token {
        var s = t
        s.kind = kind
        s.text = text
        s.number = nil
        return s
    }

    func resolve(_ input: [Token]) -> [Token] {
        var tokens = input.map(rename)
        tokens = differentials(tokens)
        tokens = squareBracketDivergences(tokens)
        tokens = bareDivergences(tokens)
        tokens = measures(tokens)
        tokens = bracketlessExpectations(tokens)
        tokens = bars(tokens)
        tokens = parameterArguments(tokens)
        tokens = shorthandCalls(tokens)
        return tokens
    }

    /// Aliases, parameter subscripts (`q_phi` → `q` when only `q` is declared) and spellings.
    func rename(_ t: Token) -> Token {
        guard t.kind == .identifier else { return t }
        var t = t
        if let a = aliases[t.text] { t.text = a; return t }
        if !isKnown(t.text), let us = t.text.firstIndex(of: "_") {
            let base = String(t.text[..<us])
            let parts = t.text[t.text.index(after: us)...].split(separator: ",").map(String.init)
            if !parts.isEmpty, parts.allSatisfy(LaTeXTranslator.greekNames.contains), !base.isEmpty {
                t.text = aliases[base] ?? base
            }
        }
        if !isKnown(t.text), let spelled = LaTeXMacro.spelledNames[t.text] { t.text = spelled }
        return t
    }

    /// `d z_l` (from `d\mathbf{z}_l`, `\mathrm{d}z`) is the differential `dz_l`; `d z_{1:T}` is `d(z_{1:T})`.
    func differentials(_ tokens: [Token]) -> [Token] {
        var out: [Token] = []
        var k = 0
        while k < tokens.count {
            let t = tokens[k]
            if t.isWord("d"), !isKnown("d"), k + 1 < tokens.count, tokens[k + 1].kind == .identifier,
               decls.variable(tokens[k + 1].text) != nil || isIndexedStem(tokens[k + 1].text) {
                let v = tokens[k + 1]
                if k + 2 < tokens.count, tokens[k + 2].isSymbol("_"), k + 3 < tokens.count, tokens[k + 3].isSymbol("{"),
                   let close = matching(tokens, from: k + 3) {
                    out.append(LaTeXNames.synthetic(.identifier, "d", at: t))
                    out.append(LaTeXNames.synthetic(.symbol, "(", at: t))
                    out += tokens[(k + 1)...close]
                    out.append(LaTeXNames.synthetic(.symbol, ")", at: tokens[close]))
                    k = close + 1
                    continue
                }
                var merged = t
                merged.text = "d" + v.text
                merged.end = v.end
                merged.raw = t.raw + v.raw
                out.append(merged)
                k += 2
                continue
            }
            out.append(t)
            k += 1
        }
        return out
    }

    /// Whether `name` is the stem of an indexed family (`x` of `x_t … for t = 1..T`).
    func isIndexedStem(_ name: String) -> Bool {
        decls.variables.contains { $0.name.hasPrefix(name + "_") }
    }

    /// The index of the bracket closing the one at `open`.
    func matching(_ tokens: [Token], from open: Int) -> Int? {
        var depth = 0
        for k in open..<tokens.count {
            if ["(", "[", "{"].contains(tokens[k].text), tokens[k].kind == .symbol { depth += 1 }
            if [")", "]", "}"].contains(tokens[k].text), tokens[k].kind == .symbol {
                depth -= 1
                if depth == 0 { return k }
            }
        }
        return nil
    }

    /// `D_{KL}[q \| p]` is `KL(q || p)`.
    func squareBracketDivergences(_ tokens: [Token]) -> [Token] {
        var out = tokens
        for k in out.indices where out[k].kind == .identifier && ["KL", "D_KL"].contains(out[k].text) {
            guard k + 1 < out.count, out[k + 1].isSymbol("["), let close = matching(out, from: k + 1) else { continue }
            out[k + 1].text = "("
            out[close].text = ")"
        }
        return out
    }

    /// The tokens of the density `name(variables | given)`, positioned at `at`.
    func densityTokens(_ name: String, _ variables: [String], given: [String], at: Token) -> [Token] {
        var out = [LaTeXNames.synthetic(.identifier, name, at: at), LaTeXNames.synthetic(.symbol, "(", at: at)]
        for (n, v) in variables.enumerated() {
            if n > 0 { out.append(LaTeXNames.synthetic(.symbol, ",", at: at)) }
            out.append(LaTeXNames.synthetic(.identifier, v, at: at))
        }
        if !given.isEmpty {
            out.append(LaTeXNames.synthetic(.symbol, "|", at: at))
            for (n, v) in given.enumerated() {
                if n > 0 { out.append(LaTeXNames.synthetic(.symbol, ",", at: at)) }
                out.append(LaTeXNames.synthetic(.identifier, v, at: at))
            }
        }
        out.append(LaTeXNames.synthetic(.symbol, ")", at: at))
        return out
    }

    /// `\mathrm{KL}(q \| p)` with bare names of joints (Bishop's habit): the first is its joint's
    /// density, the second the conditional of the same variables given the rest of its joint,
    /// so `KL(q ‖ p)` with `guide q(z)` and `model p(x, z)` is `KL(q(z) ‖ p(z | x))`.
    func bareDivergences(_ tokens: [Token]) -> [Token] {
        var out: [Token] = []
        var k = 0
        while k < tokens.count {
            let t = tokens[k]
            guard t.kind == .identifier, ["KL", "D_KL"].contains(t.text), k + 5 < tokens.count, tokens[k + 1].isSymbol("("),
                  tokens[k + 2].kind == .identifier, ["||", "‖", ","].contains(tokens[k + 3].text), tokens[k + 3].kind == .symbol,
                  tokens[k + 4].kind == .identifier, tokens[k + 5].isSymbol(")"),
                  let first = scope.joint(named: tokens[k + 2].text), let second = scope.joint(named: tokens[k + 4].text),
                  Set(first.variables).isSubset(of: Set(second.variables)) else {
                out.append(t)
                k += 1
                continue
            }
            let rest = second.variables.filter { !first.variables.contains($0) } + second.given
            out += [t, tokens[k + 1]]
            out += densityTokens(first.name, first.variables, given: first.given, at: tokens[k + 2])
            out.append(tokens[k + 3])
            out += densityTokens(second.name, first.variables, given: rest, at: tokens[k + 4])
            out.append(tokens[k + 5])
            k += 6
        }
        return out
    }

    /// `E_{z ~ q}` and `E_{q}`: the density of `q` over the sampled variables given its inputs.
    func measures(_ tokens: [Token]) -> [Token] {
        var out: [Token] = []
        var k = 0
        while k < tokens.count {
            out.append(tokens[k])
            guard tokens[k].isWord("E"), k + 2 < tokens.count, tokens[k + 1].isSymbol("_"), tokens[k + 2].isSymbol("{"),
                  let close = matching(tokens, from: k + 2) else { k += 1; continue }
            let inner = Array(tokens[(k + 3)..<close])
            var sampled: [Token] = []
            var rest = inner[...]
            if let tilde = inner.firstIndex(where: { $0.isSymbol("~") }) {
                sampled = inner[..<tilde].filter { $0.kind == .identifier }
                rest = inner[(tilde + 1)...]
            }
            if rest.count == 1, let name = rest.first, name.kind == .identifier, let joint = scope.joint(named: name.text) {
                let variables = sampled.isEmpty ? joint.variables : sampled.map(\.text)
                var density = [LaTeXNames.synthetic(.identifier, name.text, at: name), LaTeXNames.synthetic(.symbol, "(", at: name)]
                for (n, v) in variables.enumerated() {
                    if n > 0 { density.append(LaTeXNames.synthetic(.symbol, ",", at: name)) }
                    density.append(LaTeXNames.synthetic(.identifier, v, at: name))
                }
                if !joint.given.isEmpty {
                    density.append(LaTeXNames.synthetic(.symbol, "|", at: name))
                    for (n, v) in joint.given.enumerated() {
                        if n > 0 { density.append(LaTeXNames.synthetic(.symbol, ",", at: name)) }
                        density.append(LaTeXNames.synthetic(.identifier, v, at: name))
                    }
                }
                density.append(LaTeXNames.synthetic(.symbol, ")", at: name))
                out += [tokens[k + 1], tokens[k + 2]] + density + [tokens[close]]
                k = close + 1
                continue
            }
            k += 1
        }
        return out
    }

    /// `\mathbb{E}_{q} \log p(x|z)`: an expectation written without brackets takes the product
    /// of factors that follows it (as `Σ` does), up to the next `+`, `−`, relation or closing
    /// bracket; the brackets the language needs are put around it.
    func bracketlessExpectations(_ tokens: [Token]) -> [Token] {
        var out = tokens
        var k = 0
        while k < out.count {
            guard out[k].isWord("E"), k + 2 < out.count, out[k + 1].isSymbol("_"), out[k + 2].isSymbol("{"),
                  let close = matching(out, from: k + 2), close + 1 < out.count,
                  !out[close + 1].isSymbol("["), !out[close + 1].isSymbol("(") else { k += 1; continue }
            var depth = 0
            var end = close + 1
            scan: while end < out.count {
                let t = out[end]
                if t.kind == .symbol {
                    switch t.text {
                    case "(", "[", "{": depth += 1
                    case ")", "]", "}":
                        if depth == 0 { break scan }
                        depth -= 1
                    default:
                        if depth == 0, ["+", "-", ",", ";"].contains(t.text) || LaTeXChains.isRelation(out, at: end) { break scan }
                    }
                }
                end += 1
            }
            guard end > close + 1 else { k += 1; continue }
            out.insert(LaTeXNames.synthetic(.symbol, "]", at: out[end - 1]), at: end)
            out.insert(LaTeXNames.synthetic(.symbol, "[", at: out[close + 1]), at: close + 1)
            k = close + 1
        }
        return out
    }

    /// `\mathcal{L}(\theta, \phi; \mathbf{x})`, `L_\text{VAE}(\theta, \phi)`: the model's
    /// parameters among a shorthand's arguments are presentation, as in its subscripts, and
    /// are dropped (with the `;` that separates them from the data). Only names that are no density, function or declared
    /// symbol are shorthands; only undeclared Greek names are parameters.
    func parameterArguments(_ tokens: [Token]) -> [Token] {
        var out: [Token] = []
        var k = 0
        while k < tokens.count {
            let t = tokens[k]
            guard t.kind == .identifier, k + 1 < tokens.count, tokens[k + 1].isSymbol("("),
                  decls.definition(t.text) != nil || !isKnown(t.text),
                  let close = matching(tokens, from: k + 1) else {
                out.append(t)
                k += 1
                continue
            }
            var arguments: [[Token]] = [[]]
            var depth = 0
            for x in tokens[(k + 2)..<close] {
                if x.kind == .symbol, ["(", "[", "{"].contains(x.text) { depth += 1 }
                if x.kind == .symbol, [")", "]", "}"].contains(x.text) { depth -= 1 }
                if depth == 0, x.isSymbol(",") || x.isSymbol(";") { arguments.append([]) } else { arguments[arguments.count - 1].append(x) }
            }
            // A bare joint name (`\mathcal{L}(q)`) is the distribution the functional is of:
            // its body writes the densities out, so the argument is presentation too.
            func isParameter(_ a: [Token]) -> Bool {
                guard a.count == 1, a[0].kind == .identifier else { return false }
                return LaTeXTranslator.greekNames.contains(a[0].text) && !isKnown(a[0].text) || decls.joint(a[0].text) != nil
            }
            let kept = arguments.filter { !isParameter($0) && !$0.isEmpty }
            guard kept.count < arguments.count, kept.count == arguments.filter({ !isParameter($0) }).count else {
                out.append(t)
                k += 1
                continue
            }
            // `L()` when nothing is left: a call still, so a use before the defining display reads.
            out += [t, tokens[k + 1]]
            for (n, a) in kept.enumerated() {
                if n > 0 { out.append(LaTeXNames.synthetic(.symbol, ",", at: a[0])) }
                out += a
            }
            out.append(tokens[close])
            k = close + 1
        }
        return out
    }

    /// A `|` inside the parentheses of a density or function is a bar (`p(x | z)`, `KL(q || p)`);
    /// elsewhere a pair of them is a determinant (`|Σ|`) or an absolute value.
    func bars(_ tokens: [Token]) -> [Token] {
        enum Context { case call, group, absolute }
        var stack: [Context] = []
        var out: [Token] = []
        for (k, t) in tokens.enumerated() {
            if t.kind == .symbol {
                switch t.text {
                case "(":
                    let call = k > 0 && tokens[k - 1].kind == .identifier && !["log", "ln", "exp", "sqrt"].contains(tokens[k - 1].text)
                    stack.append(call ? .call : .group)
                case "[", "{": stack.append(.group)
                case ")", "]", "}": if let last = stack.last, last != .absolute { stack.removeLast() }
                case "|":
                    if stack.last == .call { break }
                    if stack.last == .absolute {
                        stack.removeLast()
                        out.append(LaTeXNames.synthetic(.symbol, ")", at: t))
                        continue
                    }
                    let next = k + 1 < tokens.count ? tokens[k + 1] : t
                    let single = k + 2 < tokens.count && tokens[k + 2].isSymbol("|")
                    let matrix = single && next.kind == .identifier && next.text.first?.isUppercase == true
                    out.append(LaTeXNames.synthetic(.identifier, matrix ? "det" : "abs", at: t))
                    out.append(LaTeXNames.synthetic(.symbol, "(", at: t))
                    stack.append(.absolute)
                    continue
                default: break
                }
            }
            out.append(t)
        }
        return out
    }

    /// A shorthand of an earlier display without arguments (`ELBO`) is a call `ELBO()`.
    func shorthandCalls(_ tokens: [Token]) -> [Token] {
        var out: [Token] = []
        for (k, t) in tokens.enumerated() {
            out.append(t)
            if t.kind == .identifier, let d = decls.definition(t.text), d.parameters.isEmpty,
               !(k + 1 < tokens.count && tokens[k + 1].isSymbol("(")) {
                out.append(LaTeXNames.synthetic(.symbol, "(", at: t))
                out.append(LaTeXNames.synthetic(.symbol, ")", at: t))
            }
        }
        return out
    }
}
