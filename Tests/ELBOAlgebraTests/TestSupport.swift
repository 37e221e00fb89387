import ELBOAlgebra

/// `joint(vars | given)`.
func D(_ joint: String, _ vars: [String], _ given: [String] = []) -> Expr {
    .density(Density(joint: joint, variables: vars, given: given))
}
func L(_ e: Expr) -> Expr { .log(e) }
func I(_ e: Expr, _ vars: String...) -> Expr { .integral(e, over: vars) }
func E(_ m: Expr, _ body: Expr) -> Expr { .expectation(measure: m, body: body) }
func KL(_ p: Expr, _ q: Expr) -> Expr { .kl(p, q) }
func * (a: Expr, b: Expr) -> Expr { .mul([a, b]) }
func + (a: Expr, b: Expr) -> Expr { .add([a, b]) }
func - (a: Expr, b: Expr) -> Expr { .subtract(a, b) }
func / (a: Expr, b: Expr) -> Expr { .divide(a, b) }
prefix func - (a: Expr) -> Expr { .negate(a) }

/// The CDVAE declarations of SPEC-LANGUAGE.md.
func cdvaeDeclarations(structuredGuide: Bool = true) -> Declarations {
    var d = Declarations()
    d.variables = [
        Variable(name: "x", role: .observed, type: .real(.symbol("k"))),
        Variable(name: "c", role: .input, type: .label(.symbol("C"))),
        Variable(name: "z_l", role: .latent, type: .real(.symbol("m_l"))),
        Variable(name: "z_u", role: .latent, type: .real(.symbol("m_u"))),
    ]
    d.joints = [
        Joint(kind: .model, name: "p", variables: ["x", "z_l", "z_u"], given: ["c"], factors: [
            Density(joint: "p", variables: ["x"], given: ["z_l", "z_u", "c"]),
            Density(joint: "p", variables: ["z_l"], given: ["c"]),
            Density(joint: "p", variables: ["z_u"]),
        ]),
        Joint(kind: .guide, name: "q", variables: ["z_l", "z_u"], given: ["x"], factors: structuredGuide ? [
            Density(joint: "q", variables: ["z_l"], given: ["x"]),
            Density(joint: "q", variables: ["z_u"], given: ["x"]),
        ] : nil),
    ]
    d.assumptions = [Assumption(name: "decoder_ignores_class", kind: .equality(
        lhs: Density(joint: "p", variables: ["x"], given: ["z_l", "z_u", "c"]),
        rhs: [Density(joint: "p", variables: ["x"], given: ["z_l", "z_u"])]))]
    return d
}

/// The CDVAE chain (0)…(8) of SPEC-LANGUAGE.md.
func cdvaeSteps() -> [Expr] {
    let q = D("q", ["z_l", "z_u"], ["x"])
    let ql = D("q", ["z_l"], ["x"]), qu = D("q", ["z_u"], ["x"])
    let dec = D("p", ["x"], ["z_l", "z_u", "c"])
    let prior = D("p", ["z_l", "z_u"], ["c"])
    let post = D("p", ["z_l", "z_u"], ["c", "x"])
    let pl = D("p", ["z_l"], ["c"]), pu = D("p", ["z_u"])
    let s0 = L(D("p", ["x"], ["c"]))
    let s1 = I(q * L(D("p", ["x"], ["c"])), "z_l", "z_u")
    let s2 = I(q * L(dec * prior / post), "z_l", "z_u")
    let s3 = I(q * L(dec * prior * q / (post * q)), "z_l", "z_u")
    let s4 = I(q * L(dec), "z_l", "z_u") + I(q * L(q / post), "z_l", "z_u") - I(ql * qu * L(ql * qu / (pl * pu)), "z_l", "z_u")
    let s5 = E(q, L(dec)) + KL(q, post) - I(qu * I(ql * L(ql / pl), "z_l"), "z_u") - I(ql * I(qu * L(qu / pu), "z_u"), "z_l")
    let s6 = E(q, L(dec)) + KL(q, post) - KL(ql, pl) - KL(qu, pu)
    let s7 = E(q, L(dec)) - KL(ql, pl) - KL(qu, pu)
    let s8 = E(q, L(D("p", ["x"], ["z_l", "z_u"]))) - KL(ql, pl) - KL(qu, pu)
    return [s0, s1, s2, s3, s4, s5, s6, s7, s8]
}
