import ELBOAlgebra
import ELBOSpec
import ELBOCheck

/// Why an objective cannot be turned into a kernel.
public struct LoweringError: Error, CustomStringConvertible, Sendable {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// Lowers a checked objective to a `LossProgram`: the objective's steps are resolved, the
/// expression is normalised with family log-densities expanded and Gaussian expectations
/// taken by moments (so closed forms are the ones the prover derives), and every expectation
/// left over is estimated by a reparameterised sample of its Normal measure.
public enum ObjectiveLowering {
    /// Lowers one objective of a checked derivation.
    public static func lower(_ checked: CheckedDerivation, objective: ObjectiveDecl, specPath: String,
                             specHash: String) throws -> LossProgram {
        let derivation = checked.derivation
        let decl = derivation.declarations
        var labels: [String: Step] = [:]
        for s in derivation.steps { if let l = s.label { labels[l] = s } }
        var assumptions: [String] = []
        var missing: String?
        let expr = objective.expr.rewritten { node in
            guard case .stepRef(let l) = node else { return nil }
            guard let step = labels[l] else { missing = l; return .number(.zero) }
            assumptions += step.assumptions.filter { !assumptions.contains($0) }
            return step.expr
        }.pooledNestedIntegrals
        if let l = missing { throw LoweringError("objective \(objective.name) refers to (\(l)), which is not a step") }

        let context: ProbabilityContext
        do { context = try ProbabilityContext(declarations: decl, assumptions: assumptions) } catch {
            throw LoweringError("objective \(objective.name): \(error)")
        }
        var normalizer = Normalizer(context: context)
        normalizer.expandFamilies = true
        let form: NormalForm
        do { form = try normalizer.normalize(expr) } catch {
            throw LoweringError("objective \(objective.name): \(error)")
        }

        var sampled: [String: (mean: Expr, variance: Expr)] = [:]
        var terms: [Expr] = []
        for (m, c) in form.sortedTerms {
            var factors: [Expr] = [.number(c)]
            for l in m.logs {
                switch l {
                case .scalar(_, let e, _): factors.append(e)
                case .density(let a):
                    if a.marginalized.isEmpty, a.factors.count == 1, let f = normalizer.context.factors[a.factors[0]],
                       f.children.count == 1, let v = f.children.first,
                       case .mixtureNormal(let w, let mean, let variance, let k)? = normalizer.family(of: a.factors[0]),
                       let e = mixtureLogDensity(weights: w, means: mean, variances: variance, components: k,
                                                 variable: v, declarations: decl) {
                        factors.append(e)
                        continue
                    }
                    throw LoweringError("objective \(objective.name): log \(normalizer.context.label(of: a)) has no family to evaluate it")
                case .opaque(let k, _):
                    throw LoweringError("objective \(objective.name): cannot evaluate \(k)")
                }
            }
            for v in m.bound {
                let touching = m.measure.filter { normalizer.context.freeVariables(of: $0.key).contains(v) }
                guard touching.count == 1, let (atom, k) = touching.first, k == 1, atom.factors.count == 1,
                      atom.marginalized.isEmpty, let f = normalizer.context.factors[atom.factors[0]], f.children == [v],
                      case .normal(let mean, let variance)? = normalizer.family(of: atom.factors[0]) else {
                    throw LoweringError("objective \(objective.name): the expectation over \(v) is not under a Normal family, so it cannot be sampled")
                }
                sampled[v] = (mean, variance)
            }
            for (atom, _) in m.measure where !m.bound.contains(where: { normalizer.context.freeVariables(of: atom).contains($0) }) {
                throw LoweringError("objective \(objective.name): a density \(normalizer.context.label(of: atom)) remains outside any expectation")
            }
            terms.append(.mul(factors))
        }
        let loss = Expr.add(terms)
        return try assemble(name: objective.name, derivation: derivation, loss: loss, sampled: sampled,
                            scalarContext: normalizer.scalarContext, specPath: specPath, specHash: specHash,
                            objectiveText: "\(objective.name) = \(objective.expr)")
    }

    /// `log Σ_i w_i N(v; M_i, diag V_i)` in the generator's form, with the weights normalised
    /// (`w_i / Σ_l w_l`, so `exp(a)` gives softmax(a)): `logsumexp_i( log w_i − logsumexp_l log w_l
    /// + Σ_j (−½ log 2π − ½ log V_ij − ½ (v_j − M_ij)² / V_ij) )`. Parameters shaped [K, D] are
    /// read as `entry(P, i, j)`, shaped [K] at `i`, vectors of v's width at `j`; `exp(·)` weights
    /// and variances give their logs directly. Nil when the shapes do not fit.
    static func mixtureLogDensity(weights: Expr, means: Expr, variances: Expr, components: Expr,
                                  variable v: String, declarations decl: Declarations) -> Expr? {
        guard let vDim = dimensionName(decl.variable(v)?.type.dimension) else { return nil }
        let kDim = components, kName: String?
        switch components {
        case .symbol(let s): kName = s
        case .number(let r) where r.isInteger && r.numerator > 0: kName = "\(r.numerator)"
        default: return nil
        }
        let vDimExpr: Expr = Int(vDim).map { .int($0) } ?? .symbol(vDim)
        var ok = true
        func read(_ e: Expr, component i: String, coordinate j: String?) -> Expr {
            e.rewritten { node in
                guard case .symbol(let s) = node else { return nil }
                if let p = decl.params.first(where: { $0.name == s }) {
                    let shape = p.shape.map { dimensionName($0) }
                    if shape.count == 2, shape[0] == kName, shape[1] == vDim, let j {
                        return .apply("entry", [.symbol(s), .symbol(i), .symbol(j)])
                    }
                    if shape.count == 1, shape[0] == kName { return .component(s, index: i) }
                    if shape.count == 1, shape[0] == vDim, let j { return .component(s, index: j) }
                    if shape.isEmpty { return node }
                    ok = false
                    return node
                }
                if decl.dimensions.contains(s) { return node }
                ok = false
                return node
            }
        }
        func logOf(_ e: Expr, component i: String, coordinate j: String?) -> Expr {
            if case .exp(let inner) = e { return read(inner, component: i, coordinate: j) }
            return .log(read(e, component: i, coordinate: j))
        }
        func sum(_ i: String, _ to: Expr, _ body: Expr) -> Expr { .indexedSum(index: i, from: .int(1), to: to, body: body) }
        let (i, l, j) = ("i", "l", "j")
        let logWeight = Expr.subtract(logOf(weights, component: i, coordinate: nil),
                                      .apply("logsumexp", [sum(l, kDim, logOf(weights, component: l, coordinate: nil))]))
        let halfLog2Pi = Expr.mul([.number(.half), .log(.mul([.int(2), .constant(.pi)]))])
        let logVar = logOf(variances, component: i, coordinate: j)
        let precision: Expr
        if case .exp = variances { precision = .exp(.negate(logVar)) } else {
            precision = .power(read(variances, component: i, coordinate: j), .int(-1))
        }
        let diff = Expr.subtract(.component(v, index: j), read(means, component: i, coordinate: j))
        let logComponent = sum(j, vDimExpr, .add([
            .negate(halfLog2Pi), .mul([.number(-Rational.half), logVar]),
            .mul([.number(-Rational.half), .power(diff, .int(2)), precision]),
        ]))
        guard ok else { return nil }
        return .apply("logsumexp", [sum(i, kDim, .add([logWeight, logComponent]))])
    }

    /// Deterministic transforms the runtime computes (`KernelTransforms.known`).
    public static let knownTransforms: Set<String> = ["downsample2x2"]

    static func dimensionName(_ d: Dimension?) -> String? {
        switch d { case .symbol(let s)?: return s; case .value(let n)?: return "\(n)"; case nil: return nil }
    }

    static func assemble(name: String, derivation: Derivation, loss: Expr, sampled: [String: (mean: Expr, variance: Expr)],
                         scalarContext: ScalarContext, specPath: String, specHash: String,
                         objectiveText: String) throws -> LossProgram {
        let decl = derivation.declarations
        var inputs: [KernelInput] = []
        var available = Set<String>()
        var used = loss.symbols
        for (_, mv) in sampled { used.formUnion(mv.mean.symbols); used.formUnion(mv.variance.symbols) }
        for n in decl.networks { used.formUnion(n.inputs) }
        // A variable whose family is a point mass at a built-in transform of a variable,
        // `Delta(downsample2x2(x))`, is computed by the runtime from that variable.
        var transforms: [KernelTransform] = []
        var transformed: [String: KernelTransform] = [:]
        // So is observed data declared as computed, `y : observed real[k_y] = downsample2x2(x)`.
        func transform(_ output: String, _ e: Expr?) {
            guard case .apply(let fn, let args)? = e, knownTransforms.contains(fn), args.count == 1,
                  case .symbol(let input) = args[0], decl.variable(input) != nil else { return }
            transformed[output] = KernelTransform(output: output, function: fn, input: input)
        }
        for f in decl.families where f.density.variables.count == 1 {
            if case .delta(let e) = f.kind { transform(f.density.variables[0], e) }
        }
        for v in decl.variables where v.computed != nil { transform(v.name, v.computed) }
        for v in decl.variables where used.contains(v.name) && sampled[v.name] == nil {
            if let t = transformed[v.name] {
                used.insert(t.input)
                continue
            }
        }
        for v in decl.variables where used.contains(v.name) && sampled[v.name] == nil && transformed[v.name] == nil {
            switch v.type {
            case .label(let c): inputs.append(KernelInput(name: v.name, role: .label, dimension: dimensionName(c)))
            default: inputs.append(KernelInput(name: v.name, role: .data, dimension: dimensionName(v.type.dimension)))
            }
            available.insert(v.name)
        }
        for v in decl.variables where used.contains(v.name) && sampled[v.name] == nil {
            guard let t = transformed[v.name] else { continue }
            guard available.contains(t.input) else {
                throw LoweringError("\(name): \(v.name) = \(t.function)(\(t.input)) but \(t.input) is not data")
            }
            inputs.append(KernelInput(name: v.name, role: .transformed, dimension: dimensionName(v.type.dimension)))
            transforms.append(t)
            available.insert(v.name)
        }
        // Networks and samplers in an order where every input exists before it is used.
        var networks: [KernelNetwork] = []
        var samplers: [KernelSampler] = []
        var pendingNetworks = decl.networks
        var pendingSamples = sampled.keys.sorted()
        var progress = true
        while progress && (!pendingNetworks.isEmpty || !pendingSamples.isEmpty) {
            progress = false
            if let i = pendingNetworks.firstIndex(where: { Set($0.inputs).isSubset(of: available) }) {
                let n = pendingNetworks.remove(at: i)
                networks.append(KernelNetwork(name: n.name, inputs: n.inputs, outputs: n.outputs))
                for o in n.outputs {
                    inputs.append(KernelInput(name: o, role: .networkOutput, dimension: dimensionName(scalarContext.dimensions[o])))
                    available.insert(o)
                }
                progress = true
                continue
            }
            for v in pendingSamples {
                let (mean, variance) = sampled[v]!
                let needs = mean.symbols.union(variance.symbols).subtracting(decl.dimensions)
                    .subtracting(decl.params.map(\.name))
                guard needs.isSubset(of: available) else { continue }
                guard let dim = dimensionName(decl.variable(v)?.type.dimension) else {
                    throw LoweringError("\(name): \(v) has no dimension")
                }
                let noise = "eps_\(v)"
                inputs.append(KernelInput(name: noise, role: .noise, dimension: dim))
                inputs.append(KernelInput(name: v, role: .sample, dimension: dim))
                samplers.append(KernelSampler(output: v, mean: mean, variance: variance, noise: noise, dimension: dim))
                available.insert(v)
                pendingSamples.removeAll { $0 == v }
                progress = true
                break
            }
        }
        if let n = pendingNetworks.first {
            throw LoweringError("\(name): the inputs of network \(n.name) (\(n.inputs.joined(separator: ", "))) are never available")
        }
        if let v = pendingSamples.first {
            throw LoweringError("\(name): the sampler of \(v) needs values no network produces")
        }
        // The means of a mixture family start spread out (N(0, 1) entries): with equal starting
        // values every component would receive the same gradient and never separate.
        var mixtureMeans = Set<String>()
        for f in decl.families { if case .mixtureNormal(_, .symbol(let m), _, _) = f.kind { mixtureMeans.insert(m) } }
        let params = decl.params.map { p in
            KernelParam(name: p.name, shape: p.shape.compactMap { dimensionName($0) }, initialValue: p.initialValue,
                        initialSpread: mixtureMeans.contains(p.name) ? 1 : 0)
        }
        return LossProgram(name: kernelTypeName(name), specPath: specPath, specHash: specHash, derivation: derivation.name,
                           objectiveText: objectiveText, inputs: inputs, params: params, samplers: samplers,
                           networks: networks, transforms: transforms, loss: loss, samples: 1)
    }

    /// `vae_loss` → `VaeLoss`.
    public static func kernelTypeName(_ objective: String) -> String {
        objective.split(whereSeparator: { $0 == "_" || $0 == "-" }).map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined()
    }

    /// FNV-1a 64 of a file's bytes, hex: the spec hash printed in generated headers.
    public static func specHash(of text: String) -> String {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in text.utf8 { h ^= UInt64(b); h = h &* 0x100_0000_01b3 }
        return String(h, radix: 16)
    }
}
