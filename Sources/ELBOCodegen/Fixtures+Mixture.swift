import ELBOAlgebra

extension LossProgramFixtures {
    /// A Gaussian-decoder VAE whose prior on z is a learnable K-component mixture of
    /// diagonal Gaussians (weights softmax(a), means M, log-variances V), with the KL term
    /// estimated by one reparameterised sample: log q(z | x) − log p(z). It exercises what
    /// the other fixtures do not: nested loops, log-sum-exp, vector and matrix parameters,
    /// and a loss that reads the sample z.
    public static var mixturePriorVAE: LossProgram {
        func sumOver(_ i: String, _ dim: String, _ body: Expr) -> Expr {
            .indexedSum(index: i, from: .int(1), to: .symbol(dim), body: body)
        }
        func entry(_ p: String) -> Expr { .apply("entry", [.symbol(p), .symbol("i"), .symbol("j")]) }
        let halfLog2Pi = Expr.mul([.number(.half), .log(.mul([.int(2), .constant(.pi)]))])
        let rec = Expr.mul([.number(.half), sumOver("j", "k", .power(.subtract(c("x"), c("xhat")), .int(2)))])
        // log q(z | x) = Σ_j −½ log 2π − ½ s_j − ½ (z_j − μ_j)² e^−s_j
        let logq = sumOver("j", "m", .add([
            .negate(halfLog2Pi), .mul([.number(-Rational.half), c("s")]),
            .mul([.number(-Rational.half), .power(.subtract(c("z"), c("mu")), .int(2)), .exp(.negate(c("s")))]),
        ]))
        // log p(z) = log Σ_i softmax(a)_i N(z; M_i, e^{V_i})
        let logWeight = Expr.subtract(.component("a", index: "i"),
                                      .apply("logsumexp", [sumOver("l", "K", .component("a", index: "l"))]))
        let logComponent = sumOver("j", "m", .add([
            .negate(halfLog2Pi), .mul([.number(-Rational.half), entry("V")]),
            .mul([.number(-Rational.half), .power(.subtract(c("z"), entry("M")), .int(2)), .exp(.negate(entry("V")))]),
        ]))
        let logp = Expr.apply("logsumexp", [sumOver("i", "K", .add([logWeight, logComponent]))])
        return LossProgram(
            name: "MixturePriorFixture", specPath: "(fixture)", specHash: "0", derivation: "fixture",
            objectiveText: "MSE/2 + log q(z|x) - log p(z), mixture prior", inputs: [
                KernelInput(name: "x", role: .data, dimension: "k"),
                KernelInput(name: "mu", role: .networkOutput, dimension: "m"),
                KernelInput(name: "s", role: .networkOutput, dimension: "m"),
                KernelInput(name: "eps", role: .noise, dimension: "m"),
                KernelInput(name: "z", role: .sample, dimension: "m"),
                KernelInput(name: "xhat", role: .networkOutput, dimension: "k"),
            ], params: [
                KernelParam(name: "a", shape: ["K"], initialValue: 0),
                KernelParam(name: "M", shape: ["K", "m"], initialValue: 0),
                KernelParam(name: "V", shape: ["K", "m"], initialValue: 0),
            ],
            samplers: [KernelSampler(output: "z", mean: .symbol("mu"), variance: .exp(.symbol("s")), noise: "eps", dimension: "m")],
            networks: [KernelNetwork(name: "enc", inputs: ["x"], outputs: ["mu", "s"]),
                       KernelNetwork(name: "dec", inputs: ["z"], outputs: ["xhat"])],
            transforms: [], loss: .add([rec, logq, .negate(logp)]))
    }

    /// Every fixture, in generation order. Tests and benchmarks use their generated kernels.
    public static var all: [LossProgram] { [bernoulliVAE, gaussianVAE, mixturePriorVAE] }
}
