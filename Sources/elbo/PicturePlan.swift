import ELBOAlgebra
import ELBOSpec
import ELBORuntime

/// Why a picture cannot be drawn for a model.
struct PictureError: Error, CustomStringConvertible {
    var message: String
    init(_ message: String) { self.message = message }
    var description: String { message }
}

/// What to draw for a model, read from its spec's declarations rather than from the kernel:
/// the observed variable's family says how an image is read off the decoder (`Bernoulli(logits
/// = f)` → sigmoid(f), `Bernoulli(P)` → P, `Normal(xhat, …)` → xhat), and the model's families
/// of the latents say how to sample them (ancestrally, through the networks that produce their
/// parameters, e.g. a class-conditional prior network on one-hot labels).
struct PicturePlan {
    /// How an image is obtained from the observed variable's family.
    enum ImageRule {
        case sigmoid(Expr)
        case identity(Expr)
    }

    let declarations: Declarations
    /// The model joint's name (`p`).
    let model: String
    /// The observed variable (`x`) and how to draw it.
    let observed: Variable
    let image: ImageRule
    /// The label inputs (`c`): a conditional model's samples are drawn one row per class.
    let labels: [Variable]

    init(derivation: Derivation) throws {
        let decl = derivation.declarations
        declarations = decl
        guard let model = decl.joints.first(where: { $0.kind == .model }) else {
            throw PictureError("derivation \(derivation.name) declares no model")
        }
        self.model = model.name
        // Data computed from the image (`y : observed real[k_y] = downsample2x2(x)`) is not the image.
        let observed = decl.variables.filter { $0.role == .observed && $0.computed == nil }
        guard observed.count == 1 else {
            throw PictureError("derivation \(derivation.name) has \(observed.count) observed variables; pictures need one")
        }
        self.observed = observed[0]
        guard let family = Self.family(of: observed[0].name, model: model.name, in: decl) else {
            throw PictureError("no family p(\(observed[0].name) | …) in the model, so there is no image to draw")
        }
        switch family.kind {
        case .bernoulliLogits(let f): image = .sigmoid(f)
        case .bernoulli(let p): image = .identity(p)
        case .normal(let mean, _): image = .identity(mean)
        default: throw PictureError("the family of \(observed[0].name) is \(family.kind), not Bernoulli or Normal")
        }
        labels = decl.variables.filter { v in
            if case .label = v.type, v.role == .input { return true } else { return false }
        }
    }

    /// The model's family whose density has `variable` on its left side.
    static func family(of variable: String, model: String, in decl: Declarations) -> Family? {
        decl.families.first { $0.density.joint == model && $0.density.variables.contains(variable) }
    }

    /// The number of values of `variable` per example, given the dimension sizes.
    func width(of variable: Variable, dims: [String: Int]) throws -> Int {
        switch variable.type.dimension {
        case .value(let n): return n
        case .symbol(let s):
            guard let n = dims[s] else { throw PictureError("no size for dimension \(s) of \(variable.name)") }
            return n
        }
    }

    /// Image height and width: square when the observed width is a square (28×28 for MNIST),
    /// else one row.
    func imageShape(dims: [String: Int]) throws -> (height: Int, width: Int) {
        let w = try width(of: observed, dims: dims)
        let side = Int(Double(w).squareRoot().rounded())
        return side * side == w ? (side, side) : (1, w)
    }

    /// The class count of label input `label`.
    func classes(of label: Variable, dims: [String: Int]) throws -> Int { try width(of: label, dims: dims) }
}

/// A batch of per-example vectors, `[rows, width]` row-major; a row count or width of 1
/// broadcasts (a scalar is 1×1, a parameter vector 1×width).
struct Field {
    var rows: Int
    var width: Int
    var data: [Float]

    init(rows: Int, width: Int, data: [Float]) {
        precondition(data.count == rows * width, "Field: \(data.count) values for \(rows)×\(width)")
        self.rows = rows; self.width = width; self.data = data
    }

    init(scalar: Float) { self.init(rows: 1, width: 1, data: [scalar]) }

    init(_ t: Tensor) {
        self.init(rows: t.rank >= 2 ? t.shape[0] : 1, width: t.rank >= 2 ? t.rowLength : t.count, data: t.data)
    }

    var tensor: Tensor { Tensor(shape: [rows, width], data: data) }

    func map(_ f: (Float) -> Float) -> Field { Field(rows: rows, width: width, data: data.map(f)) }

    /// Combines two fields element by element, broadcasting extents of 1.
    func zip(_ other: Field, _ f: (Float, Float) -> Float) throws -> Field {
        func extent(_ a: Int, _ b: Int, _ what: String) throws -> Int {
            guard a == b || a == 1 || b == 1 else { throw PictureError("\(what) \(a) and \(b) do not broadcast") }
            return max(a, b)
        }
        let r = try extent(rows, other.rows, "rows"), w = try extent(width, other.width, "widths")
        var out = [Float](repeating: 0, count: r * w)
        for i in 0..<r {
            for j in 0..<w {
                out[i * w + j] = f(self[i, j], other[i, j])
            }
        }
        return Field(rows: r, width: w, data: out)
    }

    /// The element at (i, j), broadcasting.
    subscript(i: Int, j: Int) -> Float { data[(rows == 1 ? 0 : i) * width + (width == 1 ? 0 : j)] }

    /// This field repeated to `[rows, width]`.
    func broadcast(rows r: Int, width w: Int) throws -> Field {
        try Field(rows: r, width: w, data: [Float](repeating: 0, count: r * w)).zip(self) { $1 }
    }
}
