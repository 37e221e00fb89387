import ELBOAlgebra

/// Hand-built loss programs with textbook losses, used by the tests of code generation as
/// references independent of the objective lowering.
public enum LossProgramFixtures {
    static func sum(_ j: String, _ dim: String, _ body: Expr) -> Expr {
        .indexedSum(index: j, from: .int(1), to: .symbol(dim), body: body)
    }
    static func c(_ v: String) -> Expr { .component(v, index: "j") }

    /// The reference MNIST VAE: Bernoulli decoder in logits, encoder mean and log-variance,
    /// analytic KL to N(0, I): BCE summed over pixels + ½ Σ (μ² + eˢ − 1 − s).
    public static var bernoulliVAE: LossProgram {
        let bce = sum("j", "k", .subtract(.apply("softplus", [c("logits")]), .mul([c("x"), c("logits")])))
        let kl = Expr.mul([.number(.half), sum("j", "m", .add([.power(c("mu"), .int(2)), .exp(c("s")), .int(-1), .negate(c("s"))]))])
        return LossProgram(
            name: "BernoulliVAEFixture", specPath: "(fixture)", specHash: "0", derivation: "fixture",
            objectiveText: "BCE + KL", inputs: [
                KernelInput(name: "x", role: .data, dimension: "k"),
                KernelInput(name: "mu", role: .networkOutput, dimension: "m"),
                KernelInput(name: "s", role: .networkOutput, dimension: "m"),
                KernelInput(name: "eps", role: .noise, dimension: "m"),
                KernelInput(name: "z", role: .sample, dimension: "m"),
                KernelInput(name: "logits", role: .networkOutput, dimension: "k"),
            ], params: [],
            samplers: [KernelSampler(output: "z", mean: .symbol("mu"), variance: .exp(.symbol("s")), noise: "eps", dimension: "m")],
            networks: [KernelNetwork(name: "enc", inputs: ["x"], outputs: ["mu", "s"]),
                       KernelNetwork(name: "dec", inputs: ["z"], outputs: ["logits"])],
            transforms: [], loss: .add([bce, kl]))
    }

    /// A Gaussian decoder with a learnable scale γ: k log γ + ‖x − x̂‖²/(2γ²) + KL.
    public static var gaussianVAE: LossProgram {
        var p = bernoulliVAE
        p.name = "GaussianVAEFixture"
        p.inputs[5] = KernelInput(name: "xhat", role: .networkOutput, dimension: "k")
        p.networks[1] = KernelNetwork(name: "dec", inputs: ["z"], outputs: ["xhat"])
        p.params = [KernelParam(name: "gamma", shape: [], initialValue: 1)]
        let rec = Expr.add([
            .mul([.symbol("k"), .log(.symbol("gamma"))]),
            .divide(sum("j", "k", .power(.subtract(c("x"), c("xhat")), .int(2))), .mul([.int(2), .power(.symbol("gamma"), .int(2))])),
        ])
        let kl = Expr.mul([.number(.half), sum("j", "m", .add([.power(c("mu"), .int(2)), .exp(c("s")), .int(-1), .negate(c("s"))]))])
        p.loss = .add([rec, kl])
        return p
    }
}
