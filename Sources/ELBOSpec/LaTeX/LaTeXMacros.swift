/// What each LaTeX macro the front end knows means, as data: the translator looks a command
/// up here and nowhere else, so adding a habit of some paper is one line.
enum LaTeXMacro: Equatable {
    /// A name: `\mu` is `mu`, `\log` is `log`.
    case name(String)
    /// An operator or relation symbol of the `.elbo` language: `\geq` is `>=`, `\cdot` is `*`.
    case symbol(String)
    /// Nothing: spacing, sizes, `\nonumber`, `\displaystyle`.
    case ignored
    /// Ignored with its one brace argument: `\label{…}`, `\hspace{…}`.
    case ignoredWithArgument
    /// A font or text wrapper whose argument is read as written: `\mathbf{x}` is `x`.
    case font
    /// An accent that becomes a suffix of the name: `\hat{x}` is `xhat`.
    case accent(String)
    /// The argument as written, its decoration dropped (`\vec{x}`, `\boxed{…}`).
    case transparent
    /// `\underbrace{X}_{…}` and `\overbrace{X}^{…}`: X; the script under or over it is a comment.
    case brace
    /// `\underset{A}{X}`, `\overset{A}{X}`, `\stackrel{A}{X}`: X, or `=c` for `\overset{c}{=}`.
    case setOver
    /// `\frac{A}{B}` and its variants.
    case fraction
    case squareRoot
    /// `\left`, `\right`, `\middle`: a sized delimiter follows.
    case left, right, middle
    /// `\big(` and friends: the delimiter that follows, at a size that does not matter here.
    case sized
    /// `\tag{N}`: the display's label.
    case tag
    /// `\begin{…}` and `\end{…}` of environments inside a display.
    case begin, end
    /// `\\`: the end of a row.
    case rowBreak
    /// `\textcolor{c}{X}`: X. `\color{c}`: nothing.
    case colour(arguments: Int)

    static let table: [String: LaTeXMacro] = {
        var t: [String: LaTeXMacro] = [:]
        for g in ["alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta", "iota", "kappa", "lambda",
                  "mu", "nu", "xi", "pi", "rho", "sigma", "tau", "upsilon", "phi", "chi", "psi", "omega",
                  "Gamma", "Delta", "Theta", "Lambda", "Xi", "Pi", "Sigma", "Upsilon", "Phi", "Psi", "Omega"] {
            t[g] = .name(g)
        }
        for (v, g) in [("varepsilon", "epsilon"), ("vartheta", "theta"), ("varphi", "phi"), ("varsigma", "sigma"),
                       ("varrho", "rho"), ("varpi", "pi"), ("ell", "ell"), ("infty", "infty"),
                       ("top", "T"), ("intercal", "T")] {
            t[v] = .name(g)
        }
        for f in ["log", "ln", "exp", "det"] { t[f] = .name(f) }
        // Read so that a row stating an optimum (`θ* = \arg\min_θ L`) can be recognised and
        // skipped: it says what is optimised, it is not a step.
        for f in ["arg", "argmin", "argmax", "min", "max"] { t[f] = .name(f) }
        for (f, n) in [("tr", "tr"), ("Tr", "tr"), ("sum", "sum"), ("prod", "prod"), ("int", "int"), ("iint", "iint"),
                       ("iiint", "iiint"), ("KL", "KL")] {
            t[f] = .name(n)
        }
        for (m, s) in [("geq", ">="), ("ge", ">="), ("geqslant", ">="), ("leq", "<="), ("le", "<="), ("leqslant", "<="),
                       ("approx", "~="), ("simeq", "~="), ("approxeq", "~="), ("thickapprox", "~="), ("doteq", "=c"),
                       ("neq", "!="), ("ne", "!="), ("coloneqq", "="), ("triangleq", "="), ("equiv", "="), ("eqqcolon", "="),
                       ("cdot", "*"), ("times", "*"), ("ast", "*"), ("odot", "*"), ("sim", "~"), ("mid", "|"),
                       ("vert", "|"), ("lvert", "|"), ("rvert", "|"), ("|", "‖"), ("Vert", "‖"), ("lVert", "‖"),
                       ("rVert", "‖"), ("parallel", "||"), ("{", "("), ("}", ")"), ("lbrace", "("), ("rbrace", ")"),
                       ("lbrack", "["), ("rbrack", "]"), ("lparen", "("), ("rparen", ")")] {
            t[m] = .symbol(s)
        }
        t["propto"] = .name("prop")
        t["varpropto"] = .name("prop")
        for s in [",", ";", ":", "!", " ", ">", "quad", "qquad", "enspace", "thinspace", "medspace", "thickspace",
                  "negthinspace", "negmedspace", "displaystyle", "textstyle", "scriptstyle", "limits", "nolimits",
                  "nonumber", "notag", "left.", "allowbreak", "mathstrut", "hfill"] {
            t[s] = .ignored
        }
        // `\intertext{…}` is prose between two rows of an `align`; the row break before it ends the row.
        for s in ["label", "hspace", "hspace*", "vspace", "phantom", "hphantom", "vphantom", "mkern", "kern",
                  "intertext", "shortintertext"] {
            t[s] = .ignoredWithArgument
        }
        for f in ["mathbf", "boldsymbol", "bm", "pmb", "mathrm", "mathit", "mathsf", "mathtt", "mathcal", "mathbb",
                  "mathscr", "mathfrak", "mathnormal", "text", "textbf", "textit", "textrm", "textsf", "texttt",
                  "textnormal", "mbox", "operatorname", "operatorname*", "mathop", "mathbin", "mathrel", "mathord"] {
            t[f] = .font
        }
        for (a, s) in [("hat", "hat"), ("widehat", "hat"), ("tilde", "tilde"), ("widetilde", "tilde"), ("bar", "bar"),
                       ("overline", "bar"), ("dot", "dot"), ("ddot", "ddot")] {
            t[a] = .accent(s)
        }
        for w in ["vec", "boxed", "underline"] { t[w] = .transparent }
        t["underbrace"] = .brace
        t["overbrace"] = .brace
        for s in ["underset", "overset", "stackrel"] { t[s] = .setOver }
        for f in ["frac", "dfrac", "tfrac", "cfrac"] { t[f] = .fraction }
        t["sqrt"] = .squareRoot
        t["left"] = .left
        t["right"] = .right
        t["middle"] = .middle
        for b in ["big", "Big", "bigg", "Bigg"] {
            for suffix in ["", "l", "r", "m"] { t[b + suffix] = .sized }
        }
        t["tag"] = .tag
        t["tag*"] = .tag
        t["begin"] = .begin
        t["end"] = .end
        t["\\"] = .rowBreak
        t["textcolor"] = .colour(arguments: 1)
        t["color"] = .colour(arguments: 1)
        return t
    }()

    /// Environments that only lay out rows inside a display.
    static let layoutEnvironments: Set<String> = [
        "aligned", "align", "align*", "split", "equation", "equation*", "gathered", "gather", "gather*",
        "multline", "multline*", "alignedat", "alignat", "alignat*", "eqnarray", "eqnarray*", "flalign", "flalign*",
    ]

    /// Names a font or `\operatorname` spells that the language writes otherwise.
    static let spelledNames: [String: String] = ["Tr": "tr", "KL": "KL", "DKL": "D_KL", "ELBO": "ELBO"]

    /// Hints for macros the checker cannot read, shown with the diagnostic.
    static let hints: [String: String] = [
        "cdots": "an ellipsis cannot be checked; write the sum or product with its bounds",
        "ldots": "an ellipsis cannot be checked; write the sum or product with its bounds",
        "dots": "an ellipsis cannot be checked; write the sum or product with its bounds",
        "partial": "derivatives are not part of the language",
        "nabla": "gradients are not part of the language",
        "hookrightarrow": "a statement about a distribution's family belongs in a 'family' declaration",
    ]
}
