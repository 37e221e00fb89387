import XCTest
import ELBOSpec
@testable import ELBOCheck

/// Derivations as blogs and papers typeset them, pasted as they are (prose included), checked
/// against declarations kept in a spec: Lilian Weng's VAE derivation (`D_\text{KL}`, `\vert`,
/// `\|`, reasons in a third `align` column, `\mathbb{E}_{z \sim q} \log …` without brackets, an
/// `\arg\min` row, `L_\text{VAE}(\theta, \phi)`), Kingma & Welling's variational bound
/// (`\mathcal{L}(\boldsymbol{\theta}, \boldsymbol{\phi}; \mathbf{x}^{(i)})`, `\label`, equations
/// numbered by LaTeX), a β-VAE objective (`\tag`, `\!\left[`, `\,\mathrm{d}`, `\beta~D_{KL}`) and
/// the importance-weighted/Jensen step (`\nonumber`, `&& \text{…}`, `\middle\|`, `\operatorname`).
/// Each also checks with a mistake put in, which must be refuted.
final class LaTeXPaperTests: XCTestCase {
    static let vae = """
        derivation vae_from_blog "The VAE bound as a blog derives it"
        variables
          x : observed real[k]
          z : latent real[m]
        model p_theta(x, z) = p(x | z) p(z)
        guide q_phi(z | x) = q(z | x)
        """

    static let weng = #"""
        ## Reparameterization and the ELBO

        Now let's see how the KL divergence between the approximation and the true posterior decomposes:

        $$
        \begin{aligned}
        D_\text{KL}( q_\phi(\mathbf{z}\vert\mathbf{x}) \| p_\theta(\mathbf{z}\vert\mathbf{x}) )
        &=\int q_\phi(\mathbf{z} \vert \mathbf{x}) \log\frac{q_\phi(\mathbf{z} \vert \mathbf{x})}{p_\theta(\mathbf{z} \vert \mathbf{x})} d\mathbf{z} & \\
        &=\int q_\phi(\mathbf{z} \vert \mathbf{x}) \log\frac{q_\phi(\mathbf{z} \vert \mathbf{x})p_\theta(\mathbf{x})}{p_\theta(\mathbf{z}, \mathbf{x})} d\mathbf{z} & \scriptstyle{\text{; Because }p(z \vert x) = p(z, x) / p(x)} \\
        &=\int q_\phi(\mathbf{z} \vert \mathbf{x}) \big( \log p_\theta(\mathbf{x}) + \log\frac{q_\phi(\mathbf{z} \vert \mathbf{x})}{p_\theta(\mathbf{z}, \mathbf{x})} \big) d\mathbf{z} & \\
        &=\log p_\theta(\mathbf{x}) + \int q_\phi(\mathbf{z} \vert \mathbf{x})\log\frac{q_\phi(\mathbf{z} \vert \mathbf{x})}{p_\theta(\mathbf{z}, \mathbf{x})} d\mathbf{z} & \scriptstyle{\text{; Because }\int q(z \vert x) dz = 1}\\
        &=\log p_\theta(\mathbf{x}) + \int q_\phi(\mathbf{z} \vert \mathbf{x})\log\frac{q_\phi(\mathbf{z} \vert \mathbf{x})}{p_\theta(\mathbf{x}\vert\mathbf{z})p_\theta(\mathbf{z})} d\mathbf{z} & \scriptstyle{\text{; Because }p(z, x) = p(x \vert z) p(z)} \\
        &=\log p_\theta(\mathbf{x}) + \mathbb{E}_{\mathbf{z}\sim q_\phi(\mathbf{z} \vert \mathbf{x})}[\log \frac{q_\phi(\mathbf{z} \vert \mathbf{x})}{p_\theta(\mathbf{z})} - \log p_\theta(\mathbf{x} \vert \mathbf{z})] &\\
        &=\log p_\theta(\mathbf{x}) + D_\text{KL}(q_\phi(\mathbf{z}\vert\mathbf{x}) \| p_\theta(\mathbf{z})) - \mathbb{E}_{\mathbf{z}\sim q_\phi(\mathbf{z}\vert\mathbf{x})}\log p_\theta(\mathbf{x}\vert\mathbf{z}) &
        \end{aligned}
        $$

        Once rearrange the left and right hand side of the equation,

        $$
        \log p_\theta(\mathbf{x}) - D_\text{KL}( q_\phi(\mathbf{z}\vert\mathbf{x}) \| p_\theta(\mathbf{z}\vert\mathbf{x}) ) = \mathbb{E}_{\mathbf{z}\sim q_\phi(\mathbf{z}\vert\mathbf{x})}\log p_\theta(\mathbf{x}\vert\mathbf{z}) - D_\text{KL}(q_\phi(\mathbf{z}\vert\mathbf{x}) \| p_\theta(\mathbf{z}))
        $$

        The LHS of the equation is exactly what we want to maximize. The negation of the above defines our loss function:

        $$
        \begin{aligned}
        L_\text{VAE}(\theta, \phi)
        &= -\log p_\theta(\mathbf{x}) + D_\text{KL}( q_\phi(\mathbf{z}\vert\mathbf{x}) \| p_\theta(\mathbf{z}\vert\mathbf{x}) )\\
        &= - \mathbb{E}_{\mathbf{z} \sim q_\phi(\mathbf{z}\vert\mathbf{x})} \log p_\theta(\mathbf{x}\vert\mathbf{z}) + D_\text{KL}( q_\phi(\mathbf{z}\vert\mathbf{x}) \| p_\theta(\mathbf{z}) ) \\
        \theta^{*}, \phi^{*} &= \arg\min_{\theta, \phi} L_\text{VAE}
        \end{aligned}
        $$

        By the non-negativity of the KL divergence,

        $$
        -L_\text{VAE} = \log p_\theta(\mathbf{x}) - D_\text{KL}( q_\phi(\mathbf{z}\vert\mathbf{x}) \| p_\theta(\mathbf{z}\vert\mathbf{x}) ) \leq \log p_\theta(\mathbf{x})
        $$
        """#

    static let kingma = #"""
        \subsection{The variational bound}
        The marginal likelihood is composed of a sum over the marginal likelihoods of individual datapoints $\log p_{\boldsymbol{\theta}}(\mathbf{x}^{(1)}, \cdots, \mathbf{x}^{(N)}) = \sum_{i=1}^N \log p_{\boldsymbol{\theta}}(\mathbf{x}^{(i)})$, which can each be rewritten as:
        \begin{align}
        \log p_{\boldsymbol{\theta}}(\mathbf{x}^{(i)}) = D_{KL}(q_{\boldsymbol{\phi}}(\mathbf{z}|\mathbf{x}^{(i)})||p_{\boldsymbol{\theta}}(\mathbf{z}|\mathbf{x}^{(i)})) + \mathcal{L}(\boldsymbol{\theta}, \boldsymbol{\phi}; \mathbf{x}^{(i)})
        \label{eq:marginal_likelihood}
        \end{align}
        The first RHS term is the KL divergence of the approximate from the true posterior. Since this KL-divergence is non-negative, the second RHS term $\mathcal{L}(\boldsymbol{\theta}, \boldsymbol{\phi}; \mathbf{x}^{(i)})$ is called the (variational) \emph{lower bound} on the marginal likelihood of datapoint $i$, and can be written as:
        \begin{align}
        \log p_{\boldsymbol{\theta}}(\mathbf{x}^{(i)}) \geq \mathcal{L}(\boldsymbol{\theta}, \boldsymbol{\phi}; \mathbf{x}^{(i)}) &= \mathbb{E}_{q_{\boldsymbol{\phi}}(\mathbf{z}|\mathbf{x})} \left[ -\log q_{\boldsymbol{\phi}}(\mathbf{z}|\mathbf{x}) + \log p_{\boldsymbol{\theta}}(\mathbf{x},\mathbf{z}) \right]
        \end{align}
        which can also be written as:
        \begin{align}
        \mathcal{L}(\boldsymbol{\theta}, \boldsymbol{\phi}; \mathbf{x}^{(i)}) = - D_{KL}(q_{\boldsymbol{\phi}}(\mathbf{z}|\mathbf{x}^{(i)}) || p_{\boldsymbol{\theta}}(\mathbf{z})) + \mathbb{E}_{q_{\boldsymbol{\phi}}(\mathbf{z}|\mathbf{x}^{(i)})} \left[ \log p_{\boldsymbol{\theta}}(\mathbf{x}^{(i)}|\mathbf{z}) \right]
        \label{eq:variationalbound}
        \end{align}
        We want to differentiate and optimize the lower bound $\mathcal{L}(\boldsymbol{\theta}, \boldsymbol{\phi}; \mathbf{x}^{(i)})$ w.r.t. both the variational parameters $\boldsymbol{\phi}$ and generative parameters $\boldsymbol{\theta}$.
        """#

    static let betaModel = """
        derivation beta_vae "β-VAE from its paper"
        variables
          x : observed real[k]
          z : latent real[m]
        param beta > 0
        model p_theta(x, z) = p(x | z) p(z)
        guide q_phi(z | x) = q(z | x)
        ignore (1)
        """

    static let beta = #"""
        \section{$\beta$-VAE framework derivation}
        Re-writing the Lagrangian under the KKT conditions, the $\beta$-VAE objective is
        \begin{equation}
        \mathcal{F}(\theta, \phi, \beta; \mathbf{x}, \mathbf{z}) \geq \mathcal{L}(\theta, \phi; \mathbf{x}, \mathbf{z}, \beta) = \mathbb{E}_{q_{\phi}(\mathbf{z}|\mathbf{x})}[\log p_{\theta}(\mathbf{x}|\mathbf{z})] - \beta~D_{KL}(q_{\phi}(\mathbf{z}|\mathbf{x})||p(\mathbf{z}))
        \label{eq_beta_vae}
        \end{equation}
        Writing the divergence as an expectation,
        \begin{equation}
        \mathcal{L}_{\beta}(\mathbf{x}) = \mathbb{E}_{q_{\phi}(\mathbf{z}|\mathbf{x})}\!\left[\log p_{\theta}(\mathbf{x}|\mathbf{z}) - \beta \log \frac{q_{\phi}(\mathbf{z}|\mathbf{x})}{p(\mathbf{z})}\right] \tag{5}
        \end{equation}
        \begin{equation}
        \mathcal{L}_{\beta}(\mathbf{x}) = \mathbb{E}_{q_{\phi}(\mathbf{z}|\mathbf{x})}\left[\log p_{\theta}(\mathbf{x}|\mathbf{z})\right] - \beta \, \mathbb{E}_{q_{\phi}(\mathbf{z}|\mathbf{x})}\left[\log q_{\phi}(\mathbf{z}|\mathbf{x})\right] + \beta \int q_{\phi}(\mathbf{z}|\mathbf{x}) \log p(\mathbf{z}) \,\mathrm{d}\mathbf{z} \tag{6}
        \end{equation}
        and for $\beta = 1$ it is the ELBO, $\log p_\theta(\mathbf{x}) \geq \mathcal{L}_{1}(\mathbf{x})$.
        Since the ELBO bounds the evidence, a larger $\beta$ only lowers the bound:
        \begin{equation}
        \mathcal{L}_{\beta}(\mathbf{x}) \leq \log p_{\theta}(\mathbf{x}) - (\beta - 1)\, D_{KL}\left(q_{\phi}(\mathbf{z}|\mathbf{x}) \,\|\, p(\mathbf{z})\right)
        \end{equation}
        """#

    static let iwaeModel = """
        derivation iwae_jensen "The importance-weighted bound with one sample"
        variables
          x : observed real[k]
          h : latent real[m]
        model p(x, h) = p(x | h) p(h)
        guide q(h | x)
        """

    static let iwae = #"""
        \section{Importance weighting}
        Writing the evidence as an expectation under the recognition network $q(\mathbf{h}|\mathbf{x})$,
        \begin{align}
        \log p(\mathbf{x}) &= \log \int p(\mathbf{x}, \mathbf{h}) \,\mathrm{d}\mathbf{h} \nonumber \\
        &= \log \int q(\mathbf{h} \mid \mathbf{x}) \, \frac{p(\mathbf{x}, \mathbf{h})}{q(\mathbf{h} \mid \mathbf{x})} \,\mathrm{d}\mathbf{h} \\
        &= \log \mathbb{E}_{\mathbf{h} \sim q(\mathbf{h}|\mathbf{x})}\left[ \frac{p(\mathbf{x}, \mathbf{h})}{q(\mathbf{h}|\mathbf{x})} \right] \\
        &\geq \mathbb{E}_{\mathbf{h} \sim q(\mathbf{h}|\mathbf{x})}\left[ \log \frac{p(\mathbf{x}, \mathbf{h})}{q(\mathbf{h}|\mathbf{x})} \right] && \text{(Jensen's inequality)} \\
        &= \mathcal{L}(\mathbf{x})
        \end{align}
        where the last line names the bound. The gap is a divergence:
        \begin{equation}
        \log p(\mathbf{x}) - \mathcal{L}(\mathbf{x}) = \mathrm{KL}\left( q(\mathbf{h}|\mathbf{x}) \,\middle\|\, p(\mathbf{h}|\mathbf{x}) \right)
        \end{equation}
        and the bound is tight when $q(\mathbf{h}|\mathbf{x}) = p(\mathbf{h}|\mathbf{x})$; with the weights $w = p(\mathbf{x}, \mathbf{h})/q(\mathbf{h}|\mathbf{x})$,
        \begin{equation*}
        \mathcal{L}(\mathbf{x}) = \mathbb{E}_{q(\mathbf{h}|\mathbf{x})} \log p(\mathbf{x}|\mathbf{h}) - \operatorname{KL}\left[q(\mathbf{h}|\mathbf{x}) \,\Vert\, p(\mathbf{h})\right] \leq \log p(\mathbf{x}) .
        \end{equation*}
        """#

    static let hierarchicalModel = """
        derivation hvae "A two-layer hierarchical VAE with the paper's own macros"
        variables
          x : observed real[k]
          z_1 : latent real[m_1]
          z_2 : latent real[m_2]
        model p_theta(x, z_1, z_2) = p(x | z_1) p(z_1 | z_2) p(z_2)
        guide q_phi(z_1, z_2 | x) = q(z_1 | x) q(z_2 | z_1)
        relate (3) expect holds, holds, refuted
        """

    /// A whole `.tex` file with its preamble: `\newcommand` with arguments and an optional
    /// argument, `\def`, `\DeclareMathOperator`; its last line a mistake the declarations expect.
    static let hierarchical = #"""
        \documentclass{article}
        \usepackage{amsmath,amssymb}
        \newcommand{\bx}{\mathbf{x}}
        \newcommand{\bz}{\mathbf{z}}
        \newcommand{\E}{\mathbb{E}}
        \newcommand{\KL}[2]{D_{\mathrm{KL}}\left(#1 \,\|\, #2\right)}
        \def\qa{q_{\phi}(\bz_1 \mid \bx)}
        \def\qb{q_{\phi}(\bz_2 \mid \bz_1)}
        \newcommand{\pr}[1][\theta]{p_{#1}}
        \DeclareMathOperator{\Exp}{exp}
        \begin{document}
        \section{A two-layer hierarchy}
        The generative model is $\pr(\bx, \bz_1, \bz_2) = \pr(\bx \mid \bz_1)\,\pr(\bz_1 \mid \bz_2)\,\pr(\bz_2)$ and the
        inference model $q_\phi(\bz_1, \bz_2 \mid \bx) = \qa\,\qb$. The evidence lower bound is
        \begin{align}
        \log \pr(\bx) &\geq \E_{\qa\qb}\left[\log \frac{\pr(\bx, \bz_1, \bz_2)}{\qa\,\qb}\right] \\
        &= \E_{\qa}\left[\log \pr(\bx \mid \bz_1)\right]
         - \E_{\qa\qb}\left[\log \frac{\qa}{\pr(\bz_1 \mid \bz_2)}\right] \nonumber \\
        &\quad - \E_{\qa}\left[\KL{\qb}{\pr(\bz_2)}\right] \\
        &= \E_{\qa}\left[\log \pr(\bx \mid \bz_1)\right] - \KL{\qa}{\pr(\bz_1)} \label{eq:wrong}
        \end{align}
        where the last line forgets that $\bz_1$'s prior depends on $\bz_2$.
        \end{document}
        """#

    static let bishopModel = """
        derivation prml "Variational inference as PRML writes it"
        variables
          x : observed real[k]
          z : latent real[m]
        model p(x, z)
        guide q(z)
        """

    /// Bishop's decomposition: `\ln`, `\mathcal{L}(q)` used before the display that defines
    /// it, `\mathrm{KL}(q \| p)` with bare names of the joints, `\left\{ … \right\}`.
    static let bishop = #"""
        We can decompose the log marginal probability using
        \begin{equation}
        \ln p(\mathbf{x}) = \mathcal{L}(q) + \mathrm{KL}(q \| p)
        \end{equation}
        where we have defined
        \begin{align}
        \mathcal{L}(q) &= \int q(\mathbf{z}) \ln \left\{ \frac{p(\mathbf{x}, \mathbf{z})}{q(\mathbf{z})} \right\} \mathrm{d}\mathbf{z} \\
        \mathrm{KL}(q \| p) &= - \int q(\mathbf{z}) \ln \left\{ \frac{p(\mathbf{z} \mid \mathbf{x})}{q(\mathbf{z})} \right\} \mathrm{d}\mathbf{z}
        \end{align}
        """#

    /// Typesetting habits of notes and answers: `\mathop{\mathbb{E}}`, `\!\Bigl[`, `\operatorname{KL}`,
    /// `\bigl( … \big\| … \bigr)`, `\mathbb E` without braces, `\dfrac`, `\tfrac`, `\cdot`,
    /// `\mathrm{d}z`, `\left\{ … \right\}`, `\mathcal{D}_{\mathrm{KL}}[… \middle\| …]`.
    static let habits = #"""
        Some habits:

        $$
        \log p(x) \;\ge\; \mathop{\mathbb{E}}_{z \sim q(z \mid x)}\!\Bigl[\log p(x \mid z)\Bigr] - \operatorname{KL}\bigl(q(z \mid x)\,\big\|\,p(z)\bigr) \tag{1}
        $$

        $$
        = \mathbb E_{q(z|x)} \left[ \log \dfrac{p(x, z)}{q(z|x)} \right] \tag{2}
        $$

        $$
        = \int q(z \vert x) \cdot \log \tfrac{p(x,z)}{q(z \vert x)} \, \mathrm{d}z \tag{3}
        $$

        $$
        = \int q(z \vert x) \left\{ \log p(x \vert z) + \log \frac{p(z)}{q(z \vert x)} \right\} \mathrm{d}z \tag{4}
        $$

        $$
        = \mathbb{E}_{q(z|x)}\left[\log p(x|z)\right] - \mathcal{D}_{\mathrm{KL}}\left[q(z|x) \,\middle\|\, p(z)\right] \tag{5}
        $$
        """#

    /// Every chain's steps, in order, as (label or "-", relation, verdict).
    func check(_ paper: String, model: String, file: StaticString = #filePath, line: UInt = #line) -> [(String, String, Verdict)] {
        let result = SpecParser.parseDocument(source: paper, path: "paper.tex", modelSource: model, modelPath: "model.elbo")
        XCTAssertEqual(result.diagnostics.map(\.description), [], file: file, line: line)
        return Checker().check(result.file).derivations.flatMap { d in d.steps.map { ($0.label ?? "-", $0.relation, $0.verdict) } }
    }

    func assertSteps(_ steps: [(String, String, Verdict)], _ expected: [(String, String, Verdict)],
                     file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(steps.map { "\($0.0) \($0.1) \($0.2.rawValue)" }, expected.map { "\($0.0) \($0.1) \($0.2.rawValue)" },
                       file: file, line: line)
    }

    func testWengsVAEDerivation() {
        let steps = check(Self.weng, model: Self.vae)
        // Seven links of the KL decomposition, the rearranged equation, the loss (its arg min
        // row skipped) and the bound: −L = log p − KL ≤ log p.
        XCTAssertEqual(steps.count, 11)
        XCTAssertEqual(steps.map(\.1), ["=", "=", "=", "=", "=", "=", "=", "=", "=", "=", "≤"])
        XCTAssertTrue(steps.allSatisfy { $0.2 == .verified }, "\(steps)")
    }

    func testWengsDerivationWithAMistakeIsRefuted() {
        // The sign of the prior's KL flipped in the last link of the first display.
        let wrong = Self.weng.replacingOccurrences(
            of: #"&=\log p_\theta(\mathbf{x}) + D_\text{KL}(q_\phi(\mathbf{z}\vert\mathbf{x}) \| p_\theta(\mathbf{z}))"#,
            with: #"&=\log p_\theta(\mathbf{x}) - D_\text{KL}(q_\phi(\mathbf{z}\vert\mathbf{x}) \| p_\theta(\mathbf{z}))"#)
        XCTAssertNotEqual(wrong, Self.weng)
        let steps = check(wrong, model: Self.vae)
        XCTAssertEqual(steps[6].2, .refuted)
        XCTAssertEqual(steps.filter { $0.2 != .verified }.count, 1)
    }

    func testKingmaAndWellingsBound() {
        assertSteps(check(Self.kingma, model: Self.vae), [("(1)", "=", .verified), ("-", "≥", .verified), ("(2)", "=", .verified)])
        let wrong = Self.kingma.replacingOccurrences(of: "= - D_{KL}", with: "= + D_{KL}")
        XCTAssertNotEqual(wrong, Self.kingma)
        XCTAssertTrue(check(wrong, model: Self.vae).allSatisfy { $0.2 == .refuted })
    }

    func testABetaVAEObjective() {
        assertSteps(check(Self.beta, model: Self.betaModel), [("(6)", "=", .verified), ("(2)", "≤", .verified)])
        let wrong = Self.beta.replacingOccurrences(of: #"+ \beta \int"#, with: #"- \beta \int"#)
        XCTAssertNotEqual(wrong, Self.beta)
        assertSteps(check(wrong, model: Self.betaModel), [("(6)", "=", .refuted), ("(2)", "≤", .verified)])
    }

    func testAHierarchicalVAEWithThePapersOwnMacros() {
        assertSteps(check(Self.hierarchical, model: Self.hierarchicalModel),
                    [("(1)", "≥", .verified), ("(2)", "=", .verified), ("(3)", "=", .refuted)])
        // Without the expectation the mistake fails the check.
        let model = Self.hierarchicalModel.replacingOccurrences(of: "relate (3) expect holds, holds, refuted", with: "")
        let result = SpecParser.parseDocument(source: Self.hierarchical, path: "paper.tex", modelSource: model + "\n",
                                              modelPath: "model.elbo")
        XCTAssertFalse(Checker().check(result.file).derivations.allSatisfy { $0.steps.allSatisfy(\.meetsExpectation) })
    }

    func testBishopsDecompositionWithBareDensityNames() {
        assertSteps(check(Self.bishop, model: Self.bishopModel), [("(1)", "=", .verified), ("(3)", "=", .verified)])
        let wrong = Self.bishop.replacingOccurrences(of: #"&= - \int"#, with: #"&= \int"#)
        XCTAssertNotEqual(wrong, Self.bishop)
        assertSteps(check(wrong, model: Self.bishopModel), [("(1)", "=", .verified), ("(3)", "=", .refuted)])
    }

    func testTypesettingHabits() {
        assertSteps(check(Self.habits, model: Self.vae), [
            ("(1)", "≥", .verified), ("(2)", "=", .verified), ("(3)", "=", .verified), ("(4)", "=", .verified), ("(5)", "=", .verified),
        ])
        let wrong = Self.habits.replacingOccurrences(of: #"\tfrac{p(x,z)}{q(z \vert x)}"#, with: #"\tfrac{q(z \vert x)}{p(x,z)}"#)
        XCTAssertNotEqual(wrong, Self.habits)
        XCTAssertEqual(check(wrong, model: Self.vae)[2].2, .refuted)
    }

    func testProseBetweenAlignedRows() {
        let paper = #"""
            \begin{align*}
            \log p(x) &= \log \int q(z \mid x) \frac{p(x, z)}{q(z \mid x)} \, dz \\
            \intertext{and since the logarithm is concave,}
            &\geq \int q(z \mid x) \log \frac{p(x, z)}{q(z \mid x)} \, dz \hfill
            \end{align*}
            """#
        assertSteps(check(paper, model: Self.vae), [("-", "=", .verified), ("-", "≥", .verified)])
    }

    func testTheImportanceWeightedJensenStep() {
        assertSteps(check(Self.iwae, model: Self.iwaeModel), [
            ("-", "=", .verified), ("(1)", "=", .verified), ("(2)", "=", .verified), ("(3)", "≥", .verified),
            ("(4)", "=", .verified), ("(5)", "=", .verified), ("-", "≤", .verified),
        ])
        // Jensen the wrong way round.
        let wrong = Self.iwae.replacingOccurrences(of: #"&\geq \mathbb{E}"#, with: #"&\leq \mathbb{E}"#)
        XCTAssertNotEqual(wrong, Self.iwae)
        XCTAssertEqual(check(wrong, model: Self.iwaeModel)[3].2, .refuted)
    }
}
