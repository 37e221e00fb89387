import ELBOAlgebra

/// `network`, `family`, `define`, `assume`, `objective` and `estimate` declarations.
extension DerivationBuilder {
    /// `network NAME: IN, IN -> OUT, OUT`.
    func parseNetwork(_ chunk: Chunk) throws {
        let p = parser(chunk.body, after: chunk.keyword)
        let name = try p.expectIdentifier("a network name")
        _ = try p.expect(":", "after the network name (network NAME: IN -> OUT)")
        var inputs: [Token] = []
        repeat { inputs.append(try p.expectIdentifier("an input name")) } while p.eat(",")
        _ = try p.expect("->", "between the network's inputs and outputs")
        var outputs: [Token] = []
        repeat { outputs.append(try p.expectIdentifier("an output name")) } while p.eat(",")
        expectEnd(p, "the network's outputs")
        let known = scope()
        for i in inputs where decls.variable(i.text) == nil && !known.symbols.contains(i.text) {
            sink.error(i, "unknown variable '\(i.raw)' as input of network '\(name.raw)'")
        }
        guard declare(name, as: "a network") else { return }
        var outs: [String] = []
        for o in outputs where declare(o, as: "an output of network '\(name.text)'") { outs.append(o.text) }
        decls.networks.append(Network(name: name.text, inputs: inputs.map(\.text), outputs: outs))
    }

    /// `family DENSITY = Normal(MEAN, VAR)` and the other families. Names that first appear
    /// here become the family's parameters.
    func parseFamily(_ chunk: Chunk) throws {
        guard bracketsBalance(chunk.body) else { return }
        let p = parser(chunk.body, after: chunk.keyword)
        let densityStart = p.peek
        let density = try p.parseDensity(checkMembership: true)
        _ = try p.expect("=", "after the density (family DENSITY = Normal(MEAN, VAR))")
        let kindTok = try p.expectIdentifier("a family such as Normal(MEAN, VAR)")
        p.scope.familyMode = true
        let open = try p.expect("(", "after '\(kindTok.raw)'")
        let kind: FamilyKind
        switch kindTok.text {
        case "Normal":
            let mean = try p.parseExpression()
            _ = try p.expect(",", "between the mean and the variance of Normal(MEAN, VAR)")
            kind = .normal(mean: mean, variance: try p.parseExpression())
        case "Bernoulli":
            if p.peek.isWord("logits"), p.peek(1).isSymbol("=") {
                p.advance(); p.advance()
                kind = .bernoulliLogits(try p.parseExpression())
            } else {
                kind = .bernoulli(try p.parseExpression())
            }
        case "Categorical":
            if p.peek.isWord("logits"), p.peek(1).isSymbol("=") {
                p.advance(); p.advance()
                kind = .categoricalLogits(try p.parseExpression())
            } else {
                kind = .categorical(try p.parseExpression())
            }
        case "MixtureNormal":
            let w = try p.parseExpression()
            _ = try p.expect(",", "after the weights of MixtureNormal(W, M, V; K)")
            let m = try p.parseExpression()
            _ = try p.expect(",", "after the means of MixtureNormal(W, M, V; K)")
            let v = try p.parseExpression()
            _ = try p.expect(";", "before the number of components of MixtureNormal(W, M, V; K)")
            let kTok = p.peek
            if kTok.isIdentifier, !p.isValueName(kTok.text), p.peek(1).isSymbol(")") {
                // The component count is a dimension symbol.
                addDimension(kTok, explicit: false)
                p.scope.symbols.insert(kTok.text)
            }
            let k = try p.parseExpression()
            kind = .mixtureNormal(weights: w, means: m, variances: v, components: k)
        case "Delta":
            kind = .delta(try p.parseExpression())
        default:
            throw p.fail(kindTok, "unknown family '\(kindTok.raw)'; expected Normal, Bernoulli, Categorical, MixtureNormal or Delta")
        }
        try p.expectClosing(")", open)
        expectEnd(p, "the family")
        let key = density.description
        guard declare(densityStart, as: "a family", key: key) else { return }
        decls.families.append(Family(density: density, kind: kind))
        for t in p.newFamilyParameters where declared[t.text] == nil {
            declared[t.text] = ("a parameter of family \(key)", t.location(file))
            derivation.declarationLocations[t.text] = t.location(file)
        }
    }

    /// `define NAME(ARGS) = EXPR`.
    func parseDefine(_ chunk: Chunk) throws {
        guard bracketsBalance(chunk.body) else { return }
        let p = parser(chunk.body, after: chunk.keyword)
        let name = try p.expectIdentifier("a name for the definition")
        let open = try p.expect("(", "after the definition's name (define NAME(ARGS) = EXPR)")
        var params: [Token] = []
        if !p.peek.isSymbol(")") {
            repeat { params.append(try p.expectIdentifier("a parameter name")) } while p.eat(",")
        }
        try p.expectClosing(")", open)
        _ = try p.expect("=", "after the definition's parameters")
        p.locals = Set(params.map(\.text))
        let body = try p.parseExpression()
        expectEnd(p, "the definition")
        guard declare(name, as: "a definition") else { return }
        decls.definitions.append(Definition(name: name.text, parameters: params.map(\.text), body: body))
    }

    /// `assume NAME: DENSITY = DENSITY DENSITY…` or `assume NAME: VAR deterministic given VARS in JOINT`.
    func parseAssume(_ chunk: Chunk) throws {
        guard bracketsBalance(chunk.body) else { return }
        let p = parser(chunk.body, after: chunk.keyword)
        let name = try p.expectIdentifier("an assumption name")
        _ = try p.expect(":", "after the assumption's name")
        let kind: Assumption.Kind
        if p.peek.isIdentifier, p.peek(1).isWord("deterministic") {
            let variable = p.advance()
            p.advance()
            guard p.peek.isWord("given") else { throw p.fail(p.peek, "expected 'given' after 'deterministic', found \(p.peek.quoted)") }
            p.advance()
            var given: [Token] = []
            repeat { given.append(try p.expectIdentifier("a variable name")) } while p.eat(",")
            guard p.peek.isWord("in") else { throw p.fail(p.peek, "expected 'in JOINT' after the conditioning variables, found \(p.peek.quoted)") }
            p.advance()
            let jointTok = try p.expectIdentifier("the joint the transition belongs to")
            expectEnd(p, "the assumption")
            guard let joint = p.scope.joint(named: jointTok.text) else {
                throw p.fail(jointTok, "'\(jointTok.raw)' is not a declared model or guide")
            }
            for v in [variable] + given {
                if decls.variable(v.text) == nil {
                    sink.error(v, "unknown variable '\(v.raw)' in assumption '\(name.raw)'")
                } else if !joint.variables.contains(v.text) && !(joint.given.contains(v.text) && v.text != variable.text) {
                    sink.error(v, "'\(v.raw)' is not a variable of \(joint.kind.rawValue) '\(joint.name)'")
                }
            }
            kind = .deterministic(variable: variable.text, given: given.map(\.text), joint: joint.name)
        } else {
            let lhs = try p.parseDensity(checkMembership: true)
            _ = try p.expect("=", "between the two sides of the assumption")
            var rhs: [(Density, Token)] = []
            while !p.atEnd {
                if p.eat("*") { continue }
                let start = p.peek
                rhs.append((try p.parseDensity(checkMembership: true), start))
            }
            if rhs.isEmpty { throw p.fail(p.endToken, "expected the right side of the assumption") }
            for (d, tok) in rhs where d.joint != lhs.joint {
                sink.error(tok, "assumption '\(name.raw)' relates densities of different joints: \(lhs) and \(d)")
            }
            let rightVars = Set(rhs.flatMap(\.0.variables))
            if rightVars != Set(lhs.variables) {
                sink.error(name, "assumption '\(name.raw)': the right side must be over the same variables as \(lhs)")
            }
            kind = .equality(lhs: lhs, rhs: rhs.map(\.0))
        }
        if declare(name, as: "an assumption") {
            decls.assumptions.append(Assumption(name: name.text, kind: kind))
        }
    }

    /// `objective NAME = EXPR`; `(LABEL)` refers to a step.
    func parseObjective(_ chunk: Chunk) throws {
        guard bracketsBalance(chunk.body) else { return }
        var s = scope()
        s.stepLabels = Set(derivation.steps.compactMap(\.label))
        s.objectiveMode = true
        let p = parser(chunk.body, after: chunk.keyword, scope: s)
        let name = try p.expectIdentifier("an objective name")
        _ = try p.expect("=", "after the objective's name")
        let e = try p.parseExpression()
        expectEnd(p, "the objective")
        guard declare(name, as: "an objective") else { return }
        derivation.objectives.append(ObjectiveDecl(name: name.text, expr: e, location: chunk.keyword.location(file)))
    }

    /// `estimate E_{M} by reparameterization samples S` (or `by montecarlo`).
    func parseEstimate(_ chunk: Chunk) throws {
        guard bracketsBalance(chunk.body) else { return }
        let p = parser(chunk.body, after: chunk.keyword)
        let e = p.advance()
        guard e.isWord("E") else { throw p.fail(e, "expected E_{M} after 'estimate', found \(e.quoted)") }
        let measure = try p.parseMeasure(after: e)
        guard p.peek.isWord("by") else { throw p.fail(p.peek, "expected 'by reparameterization' or 'by montecarlo', found \(p.peek.quoted)") }
        p.advance()
        let methodTok = try p.expectIdentifier("an estimation method")
        let methods = ["reparameterization": "reparameterization", "reparameterisation": "reparameterization",
                       "montecarlo": "montecarlo"]
        guard let method = methods[methodTok.text] else {
            throw p.fail(methodTok, "unknown estimation method '\(methodTok.raw)'; expected reparameterization or montecarlo")
        }
        guard p.peek.isWord("samples") else { throw p.fail(p.peek, "expected 'samples S', found \(p.peek.quoted)") }
        p.advance()
        let count = p.advance()
        guard count.kind == .number, let samples = count.number?.intValue, samples > 0 else {
            throw p.fail(count, "expected a positive number of samples, found \(count.quoted)")
        }
        expectEnd(p, "the estimate")
        derivation.estimates.append(EstimateDecl(measure: measure, method: method, samples: samples,
                                                 location: chunk.keyword.location(file)))
    }
}
