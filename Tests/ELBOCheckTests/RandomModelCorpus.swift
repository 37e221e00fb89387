/// The soundness corpus over random models (issue 13): a small random model written as a spec,
/// and derivation steps from its evidence lower bound made by sound rewrites and by the careless
/// changes derivations suffer. Each candidate is one step of the spec, marked `expect refuted` so
/// that every one is compared with the same start; the test reads the verdicts.
///
/// A model is either flat (latents and one observation x, a random DAG with x last, a random
/// guide factorisation, Normal(0, 1) families on some roots, assumptions that the DAG implies) or
/// a plate over `i = 1..N` (each member a random DAG of x_i, z_i and maybe w_i).
struct RandomModelCorpus {
    /// One generated step.
    struct Candidate {
        enum Kind: String, CaseIterable {
            // Sound by construction.
            case factorise = "factorise the log-ratio", linearity = "expectation of a sum as a sum",
                 klForm = "reconstruction minus KL", assumed = "conditioning an assumption adds"
            // Careless changes.
            case dropConditioning = "drop a conditioning variable", swapKL = "swap the KL",
                 wrongMeasure = "wrong measure", sign = "flip a sign", dropFactor = "drop a factor",
                 offByOne = "Σ range off by one"
            var isSound: Bool { [.factorise, .linearity, .klForm, .assumed].contains(self) }
        }
        var kind: Kind
        /// The step as spec text (the right-hand side, then `assuming …` when it needs one).
        var text: String
    }

    /// A model as spec text, its start (the ELBO with the joint) and its candidates.
    struct Model {
        var spec: String
        var candidates: [Candidate]
        var indexed: Bool
    }

    /// A factor `p(v | parents)` or `q(v | parents)`.
    struct Factor {
        var density: String
        var variable: String
        var parents: [String]
        var text: String { parents.isEmpty ? "\(density)(\(variable))" : "\(density)(\(variable) | \(parents.joined(separator: ", ")))" }
        func log(_ sign: String = "") -> String { "\(sign)log \(text)" }
    }

    var rng: CheckMutationDriverTests.SplitMix

    init(seed: UInt64) { rng = CheckMutationDriverTests.SplitMix(state: seed) }

    mutating func bool(_ p: Double = 0.5) -> Bool { Double.random(in: 0..<1, using: &rng) < p }
    mutating func subset(_ xs: [String], p: Double = 0.5) -> [String] { xs.filter { _ in bool(p) } }

    /// The next random model.
    mutating func next(name: String) -> Model {
        bool(0.3) ? plate(name: name) : flat(name: name)
    }

    // MARK: flat models

    mutating func flat(name: String) -> Model {
        let latents = Array(["z", "w", "u"].shuffled(using: &rng).prefix(Int.random(in: 1...3, using: &rng)))
        // The model: latents in a random order, each with random earlier parents; x last, with at least one parent.
        var model: [Factor] = []
        for (i, l) in latents.enumerated() { model.append(Factor(density: "p", variable: l, parents: subset(Array(latents[..<i])))) }
        var xParents = subset(latents, p: 0.6)
        if xParents.isEmpty { xParents = [latents.randomElement(using: &rng)!] }
        model.append(Factor(density: "p", variable: "x", parents: xParents))
        // The guide: another order, each latent given x (the first always) and random earlier latents.
        let order = latents.shuffled(using: &rng)
        var guide: [Factor] = []
        for (i, l) in order.enumerated() {
            var parents = subset(Array(order[..<i]))
            if i == 0 || bool(0.7) { parents.append("x") }
            guide.append(Factor(density: "q", variable: l, parents: parents))
        }
        let all = latents + ["x"]
        let L = latents.joined(separator: ", ")
        var spec = "derivation \(name) \"random model \(name)\"\nvariables\n"
        for l in latents { spec += "  \(l) : latent real[1]\n" }
        spec += "  x : observed real[1]\n"
        spec += "model p(\(all.joined(separator: ", "))) = \(model.reversed().map(\.text).joined(separator: " "))\n"
        spec += "guide q(\(L) | x) = \(guide.reversed().map(\.text).joined(separator: " "))\n"
        for f in model where f.parents.isEmpty && bool(0.5) { spec += "family p(\(f.variable)) = Normal(0, 1)\n" }
        // An assumption the DAG implies: a factor also conditioned on an earlier non-parent.
        var assumed: (index: Int, extended: Factor, name: String)?
        for (i, f) in model.enumerated().shuffled(using: &rng) {
            let earlier = all[..<all.firstIndex(of: f.variable)!].filter { !f.parents.contains($0) }
            guard let extra = earlier.randomElement(using: &rng) else { continue }
            let extended = Factor(density: "p", variable: f.variable, parents: f.parents + [extra])
            let n = "\(f.variable)_ignores_\(extra)"
            spec += "assume \(n): \(extended.text) = \(f.text)\n"
            assumed = (i, extended, n)
            break
        }
        let measure = "q(\(L) | x)"
        spec += "steps\n      E_{\(measure)}[ log( p(\(all.joined(separator: ", "))) / \(measure) ) ]\n"

        var out: [Candidate] = []
        func terms(_ m: [Factor], _ g: [Factor]) -> [String] { m.map { $0.log() } + g.map { $0.log("- ") } }
        func join(_ ts: [String]) -> String {
            ts.enumerated().map { i, t in i == 0 ? t : (t.hasPrefix("- ") ? "- " + t.dropFirst(2) : "+ " + t) }.joined(separator: " ")
                .replacingOccurrences(of: "+ - ", with: "- ")
        }
        let base = terms(model, guide).shuffled(using: &rng)
        out.append(Candidate(kind: .factorise, text: "E_{\(measure)}[ \(join(base)) ]"))
        out.append(Candidate(kind: .linearity, text: join(base.map { t in
            t.hasPrefix("- ") ? "- E_{\(measure)}[ \(t.dropFirst(2)) ]" : "E_{\(measure)}[ \(t) ]"
        })))
        let xFactor = model.last!
        let kl = "KL( \(measure) || p(\(L)) )"
        out.append(Candidate(kind: .klForm, text: "E_{\(measure)}[ \(xFactor.log()) ] - \(kl)"))
        if let a = assumed {
            var m = model; m[a.index] = a.extended
            out.append(Candidate(kind: .assumed, text: "E_{\(measure)}[ \(join(terms(m, guide))) ] assuming \(a.name)"))
        }
        // Careless changes of the factorised step and of the KL form.
        for (i, f) in model.enumerated() where !f.parents.isEmpty {
            var m = model; m[i].parents.remove(at: Int.random(in: 0..<f.parents.count, using: &rng))
            out.append(Candidate(kind: .dropConditioning, text: "E_{\(measure)}[ \(join(terms(m, guide))) ]"))
        }
        for (i, f) in guide.enumerated() where !f.parents.isEmpty {
            var g = guide; g[i].parents.remove(at: Int.random(in: 0..<f.parents.count, using: &rng))
            out.append(Candidate(kind: .dropConditioning, text: "E_{\(measure)}[ \(join(terms(model, g))) ]"))
        }
        out.append(Candidate(kind: .swapKL, text: "E_{\(measure)}[ \(xFactor.log()) ] - KL( p(\(L)) || \(measure) )"))
        out.append(Candidate(kind: .wrongMeasure, text: "E_{p(\(L))}[ \(join(base)) ]"))
        out.append(Candidate(kind: .wrongMeasure, text: "E_{p(\(L))}[ \(xFactor.log()) ] - \(kl)"))
        let i = Int.random(in: 0..<base.count, using: &rng)
        var flipped = base
        flipped[i] = base[i].hasPrefix("- ") ? String(base[i].dropFirst(2)) : "- " + base[i]
        out.append(Candidate(kind: .sign, text: "E_{\(measure)}[ \(join(flipped)) ]"))
        out.append(Candidate(kind: .sign, text: "E_{\(measure)}[ \(xFactor.log()) ] + \(kl)"))
        var dropped = base; dropped.remove(at: Int.random(in: 0..<base.count, using: &rng))
        out.append(Candidate(kind: .dropFactor, text: "E_{\(measure)}[ \(join(dropped)) ]"))
        return Model(spec: spec + steps(out), candidates: out, indexed: false)
    }

    // MARK: plates

    mutating func plate(name: String) -> Model {
        let latents = bool(0.5) ? ["z", "w"].shuffled(using: &rng) : ["z"]
        var model: [Factor] = []
        for (i, l) in latents.enumerated() { model.append(Factor(density: "p", variable: "\(l)_i", parents: subset(latents[..<i].map { "\($0)_i" }))) }
        var xParents = subset(latents.map { "\($0)_i" }, p: 0.6)
        if xParents.isEmpty { xParents = ["\(latents[0])_i"] }
        model.append(Factor(density: "p", variable: "x_i", parents: xParents))
        let order = latents.shuffled(using: &rng)
        var guide: [Factor] = []
        for (i, l) in order.enumerated() {
            var parents = subset(order[..<i].map { "\($0)_i" })
            if i == 0 || bool(0.7) { parents.append("x_i") }
            guide.append(Factor(density: "q", variable: "\(l)_i", parents: parents))
        }
        let lower = bool(0.5) ? 1 : 2
        let L = latents.map { "\($0)_{1:N}" }.joined(separator: ", ")
        let all = L + ", x_{1:N}"
        var spec = "derivation \(name) \"random plate \(name)\"\ndim N ≥ \(lower)\nvariables\n"
        for l in latents { spec += "  \(l)_i : latent real[1] for i = 1..N\n" }
        spec += "  x_i : observed real[1] for i = 1..N\n"
        spec += "model p(\(all)) = ∏_{i=1}^{N} \(model.reversed().map(\.text).joined(separator: " "))\n"
        spec += "guide q(\(L) | x_{1:N}) = ∏_{i=1}^{N} \(guide.reversed().map(\.text).joined(separator: " "))\n"
        let measure = "q(\(L) | x_{1:N})"
        spec += "steps\n      E_{\(measure)}[ log( p(\(all)) / \(measure) ) ]\n"

        var out: [Candidate] = []
        func body(_ m: [Factor], _ g: [Factor]) -> String {
            (m.map { $0.log() } + g.map { $0.log("- ") }).enumerated()
                .map { i, t in i == 0 ? t : (t.hasPrefix("- ") ? t : "+ " + t) }.joined(separator: " ")
        }
        let b = body(model, guide)
        out.append(Candidate(kind: .factorise, text: "E_{\(measure)}[ Σ_{i=1}^{N} ( \(b) ) ]"))
        out.append(Candidate(kind: .linearity, text: "Σ_{i=1}^{N} E_{\(measure)}[ \(b) ]"))
        for (from, to) in [("2", "N"), ("1", "N-1")] {
            out.append(Candidate(kind: .offByOne, text: "E_{\(measure)}[ Σ_{i=\(from)}^{\(to)} ( \(b) ) ]"))
        }
        // Off by one in one factor's sum only: the others keep the full range.
        let split = model.map { "Σ_{i=1}^{N} \($0.log())" } + guide.map { "- Σ_{i=1}^{N} \($0.log())" }
        let k = Int.random(in: 0..<split.count, using: &rng)
        var shifted = split
        shifted[k] = shifted[k].replacingOccurrences(of: "Σ_{i=1}^{N}", with: bool() ? "Σ_{i=2}^{N}" : "Σ_{i=1}^{N-1}")
        func joinSums(_ s: [String]) -> String { s.enumerated().map { i, t in i == 0 || t.hasPrefix("- ") ? t : "+ " + t }.joined(separator: " ") }
        out.append(Candidate(kind: .linearity, text: "E_{\(measure)}[ \(joinSums(split)) ]"))
        out.append(Candidate(kind: .offByOne, text: "E_{\(measure)}[ \(joinSums(shifted)) ]"))
        for (i, f) in model.enumerated() where !f.parents.isEmpty {
            var m = model; m[i].parents.remove(at: Int.random(in: 0..<f.parents.count, using: &rng))
            out.append(Candidate(kind: .dropConditioning, text: "E_{\(measure)}[ Σ_{i=1}^{N} ( \(body(m, guide)) ) ]"))
        }
        out.append(Candidate(kind: .wrongMeasure, text: "E_{p(\(L))}[ Σ_{i=1}^{N} ( \(b) ) ]"))
        var g = guide; g.removeLast()
        out.append(Candidate(kind: .dropFactor, text: "E_{\(measure)}[ Σ_{i=1}^{N} ( \(body(model, g)) ) ]"))
        var neg = model; neg.removeFirst()
        out.append(Candidate(kind: .sign, text: "E_{\(measure)}[ Σ_{i=1}^{N} ( \(model[0].log("- ")) \(neg.isEmpty ? "" : "+ ")\(body(neg, guide)) ) ]"))
        return Model(spec: spec + steps(out), candidates: out, indexed: true)
    }

    /// Every candidate as a step compared with the start (`expect refuted` keeps the start).
    func steps(_ cs: [Candidate]) -> String {
        cs.enumerated().map { i, c in "  (c\(i)) = \(c.text)\n    expect refuted\n" }.joined()
    }
}
