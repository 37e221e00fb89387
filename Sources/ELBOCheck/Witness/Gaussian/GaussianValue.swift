import Foundation

/// A dense matrix, row-major.
struct GaussianMatrix: Equatable {
    var rows: Int
    var cols: Int
    var values: [Double]

    init(rows: Int, cols: Int, values: [Double]) {
        precondition(values.count == rows * cols)
        self.rows = rows
        self.cols = cols
        self.values = values
    }

    init(rows: Int, cols: Int, fill: Double = 0) {
        self.init(rows: rows, cols: cols, values: Array(repeating: fill, count: rows * cols))
    }

    static func identity(_ n: Int) -> GaussianMatrix {
        var m = GaussianMatrix(rows: n, cols: n)
        for i in 0..<n { m[i, i] = 1 }
        return m
    }

    static func diagonal(_ d: [Double]) -> GaussianMatrix {
        var m = GaussianMatrix(rows: d.count, cols: d.count)
        for i in d.indices { m[i, i] = d[i] }
        return m
    }

    @inline(__always) subscript(i: Int, j: Int) -> Double {
        get { values[i * cols + j] }
        set { values[i * cols + j] = newValue }
    }

    var isSquare: Bool { rows == cols }

    /// Row `i` (0-based).
    func row(_ i: Int) -> [Double] { Array(values[(i * cols)..<((i + 1) * cols)]) }

    var transposed: GaussianMatrix {
        var t = GaussianMatrix(rows: cols, cols: rows)
        for i in 0..<rows { for j in 0..<cols { t[j, i] = self[i, j] } }
        return t
    }

    static func * (a: GaussianMatrix, b: GaussianMatrix) -> GaussianMatrix {
        var c = GaussianMatrix(rows: a.rows, cols: b.cols)
        for i in 0..<a.rows {
            for k in 0..<a.cols {
                let x = a[i, k]
                if x == 0 { continue }
                for j in 0..<b.cols { c[i, j] += x * b[k, j] }
            }
        }
        return c
    }

    func times(_ v: [Double]) -> [Double] {
        (0..<rows).map { i in
            var s = 0.0
            for j in 0..<cols { s += self[i, j] * v[j] }
            return s
        }
    }

    var trace: Double { (0..<min(rows, cols)).reduce(0) { $0 + self[$1, $1] } }

    /// The lower Cholesky factor, or nil when the matrix is not symmetric positive definite.
    var cholesky: GaussianMatrix? {
        guard isSquare else { return nil }
        let n = rows
        var l = GaussianMatrix(rows: n, cols: n)
        for j in 0..<n {
            var d = self[j, j]
            for k in 0..<j { d -= l[j, k] * l[j, k] }
            guard d > 0, d.isFinite else { return nil }
            let ljj = d.squareRoot()
            l[j, j] = ljj
            for i in (j + 1)..<max(j + 1, n) {
                var s = 0.5 * (self[i, j] + self[j, i])
                for k in 0..<j { s -= l[i, k] * l[j, k] }
                l[i, j] = s / ljj
            }
        }
        return l
    }

    /// LU decomposition with partial pivoting: (LU packed, permutation, sign), nil when singular.
    private func lu() -> (GaussianMatrix, [Int], Double)? {
        guard isSquare else { return nil }
        let n = rows
        var a = self
        var perm = Array(0..<n)
        var sign = 1.0
        for k in 0..<n {
            var p = k
            var best = abs(a[k, k])
            for i in (k + 1)..<max(k + 1, n) where abs(a[i, k]) > best { best = abs(a[i, k]); p = i }
            guard best > 0 else { return nil }
            if p != k {
                for j in 0..<n { let t = a[k, j]; a[k, j] = a[p, j]; a[p, j] = t }
                perm.swapAt(k, p)
                sign = -sign
            }
            for i in (k + 1)..<max(k + 1, n) {
                a[i, k] /= a[k, k]
                let f = a[i, k]
                if f == 0 { continue }
                for j in (k + 1)..<n { a[i, j] -= f * a[k, j] }
            }
        }
        return (a, perm, sign)
    }

    var determinant: Double {
        guard isSquare else { return .nan }
        guard let (a, _, sign) = lu() else { return 0 }
        var d = sign
        for i in 0..<rows { d *= a[i, i] }
        return d
    }

    /// The inverse; NaN entries when singular.
    var inverse: GaussianMatrix {
        guard isSquare, let (a, perm, _) = lu() else {
            return GaussianMatrix(rows: cols, cols: rows, fill: .nan)
        }
        let n = rows
        var inv = GaussianMatrix(rows: n, cols: n)
        for col in 0..<n {
            // Solve A x = e_col: L y = P e, U x = y.
            var x = (0..<n).map { perm[$0] == col ? 1.0 : 0.0 }
            for i in 0..<n { for k in 0..<i { x[i] -= a[i, k] * x[k] } }
            for i in stride(from: n - 1, through: 0, by: -1) {
                for k in (i + 1)..<max(i + 1, n) { x[i] -= a[i, k] * x[k] }
                x[i] /= a[i, i]
            }
            for i in 0..<n { inv[i, col] = x[i] }
        }
        return inv
    }
}

/// The value of an expression in the Gaussian witness: a number, a column vector (a real
/// variable, a mean, a diagonal covariance), a row vector (a transposed vector) or a matrix
/// (a full covariance, or the K × D means of a mixture).
///
/// Sums and most functions act elementwise with a scalar broadcasting; juxtaposition has
/// matrix semantics where a row vector or a matrix takes part (`aᵀ S⁻¹ a` is a number, `S v`
/// a vector, a vector next to a matrix is the diagonal matrix it stands for), and two column
/// vectors multiply elementwise (diagonal covariances).
enum GaussianValue: Equatable {
    case scalar(Double)
    case vector([Double])
    case row([Double])
    case matrix(GaussianMatrix)

    /// Number of entries.
    var count: Int {
        switch self {
        case .scalar: return 1
        case .vector(let v), .row(let v): return v.count
        case .matrix(let m): return m.values.count
        }
    }

    /// The entries (row-major for a matrix).
    var entries: [Double] {
        switch self {
        case .scalar(let s): return [s]
        case .vector(let v), .row(let v): return v
        case .matrix(let m): return m.values
        }
    }

    /// Entry `i` (0-based, row-major); a scalar broadcasts.
    subscript(i: Int) -> Double {
        switch self {
        case .scalar(let s): return s
        case .vector(let v), .row(let v): return v[i]
        case .matrix(let m): return m.values[i]
        }
    }

    var shapeText: String {
        switch self {
        case .scalar: return "a number"
        case .vector(let v): return "a vector of length \(v.count)"
        case .row(let v): return "a row vector of length \(v.count)"
        case .matrix(let m): return "a \(m.rows) × \(m.cols) matrix"
        }
    }

    func map(_ f: (Double) -> Double) -> GaussianValue {
        switch self {
        case .scalar(let s): return .scalar(f(s))
        case .vector(let v): return .vector(v.map(f))
        case .row(let v): return .row(v.map(f))
        case .matrix(let m): return .matrix(GaussianMatrix(rows: m.rows, cols: m.cols, values: m.values.map(f)))
        }
    }

    /// Elementwise `f` with a scalar broadcasting; same shapes otherwise.
    static func elementwise(_ a: GaussianValue, _ b: GaussianValue, _ what: String,
                            _ f: (Double, Double) -> Double) throws -> GaussianValue {
        switch (a, b) {
        case (.scalar(let x), .scalar(let y)): return .scalar(f(x, y))
        case (.scalar(let x), _): return b.map { f(x, $0) }
        case (_, .scalar(let y)): return a.map { f($0, y) }
        case (.vector(let u), .vector(let v)) where u.count == v.count: return .vector(zip(u, v).map(f))
        case (.row(let u), .row(let v)) where u.count == v.count: return .row(zip(u, v).map(f))
        case (.matrix(let m), .matrix(let n)) where m.rows == n.rows && m.cols == n.cols:
            return .matrix(GaussianMatrix(rows: m.rows, cols: m.cols, values: zip(m.values, n.values).map(f)))
        default:
            throw WitnessUnsupported("\(what) of \(a.shapeText) and \(b.shapeText)")
        }
    }

    /// `a + b`: elementwise; a vector or a number added to a square matrix is a diagonal
    /// matrix (`Σ + 1` is `Σ + I`, as `v + 1` is for a diagonal covariance `v`).
    static func add(_ a: GaussianValue, _ b: GaussianValue) throws -> GaussianValue {
        switch (a, b) {
        case (.matrix(let m), .scalar(let s)) where m.isSquare: return .matrix(addDiagonal(m, Array(repeating: s, count: m.rows)))
        case (.scalar(let s), .matrix(let m)) where m.isSquare: return .matrix(addDiagonal(m, Array(repeating: s, count: m.rows)))
        case (.matrix(let m), .vector(let v)) where m.isSquare && v.count == m.rows: return .matrix(addDiagonal(m, v))
        case (.vector(let v), .matrix(let m)) where m.isSquare && v.count == m.rows: return .matrix(addDiagonal(m, v))
        default: return try elementwise(a, b, "a sum", +)
        }
    }

    private static func addDiagonal(_ m: GaussianMatrix, _ d: [Double]) -> GaussianMatrix {
        var out = m
        for i in d.indices { out[i, i] += d[i] }
        return out
    }

    /// `a b` (juxtaposition), with the matrix semantics described on the type.
    static func multiply(_ a: GaussianValue, _ b: GaussianValue) throws -> GaussianValue {
        switch (a, b) {
        case (.scalar(let x), .scalar(let y)): return .scalar(x * y)
        case (.scalar(let x), _): return b.map { x * $0 }
        case (_, .scalar(let y)): return a.map { $0 * y }
        case (.vector(let u), .vector(let v)) where u.count == v.count: return .vector(zip(u, v).map(*))
        case (.row(let u), .vector(let v)) where u.count == v.count:
            return .scalar(zip(u, v).reduce(0) { $0 + $1.0 * $1.1 })
        case (.vector(let u), .row(let v)):
            return .matrix(GaussianMatrix(rows: u.count, cols: v.count, values: u.flatMap { x in v.map { x * $0 } }))
        case (.row(let u), .matrix(let m)) where u.count == m.rows:
            return .row(m.transposed.times(u))
        case (.matrix(let m), .vector(let v)) where v.count == m.cols:
            return .vector(m.times(v))
        case (.vector(let v), .matrix(let m)) where v.count == m.rows:
            var out = m
            for i in 0..<m.rows { for j in 0..<m.cols { out[i, j] *= v[i] } }
            return .matrix(out)
        case (.matrix(let m), .matrix(let n)) where m.cols == n.rows:
            return .matrix(m * n)
        case (.row(let u), .row(let v)) where u.count == v.count:
            return .row(zip(u, v).map(*))
        default:
            throw WitnessUnsupported("a product of \(a.shapeText) and \(b.shapeText)")
        }
    }

    /// `a ^ e` for a number `e`: a matrix power is a matrix product (`S^-1` the inverse);
    /// otherwise elementwise.
    static func power(_ a: GaussianValue, _ e: GaussianValue) throws -> GaussianValue {
        if case .scalar(let n) = e {
            if case .matrix(let m) = a {
                guard m.isSquare, n == n.rounded(), n != 0, abs(n) <= 16 else {
                    throw WitnessUnsupported("a matrix to the power \(n)")
                }
                let base = n < 0 ? m.inverse : m
                var out = base
                for _ in 1..<Int(abs(n)) { out = out * base }
                return .matrix(out)
            }
            if n == 2 { return a.map { $0 * $0 } }
            if n == 1 { return a }
            if n == -1 { return a.map { 1 / $0 } }
            if n == 0.5 { return a.map { $0.squareRoot() } }
            return a.map { Foundation.pow($0, n) }
        }
        if case .matrix = a { throw WitnessUnsupported("a matrix to a non-scalar power") }
        return try elementwise(a, e, "a power", Foundation.pow)
    }

    var transposed: GaussianValue {
        switch self {
        case .scalar: return self
        case .vector(let v): return .row(v)
        case .row(let v): return .vector(v)
        case .matrix(let m): return .matrix(m.transposed)
        }
    }

    /// `det`: a vector is a diagonal matrix.
    var determinant: Double {
        switch self {
        case .scalar(let s): return s
        case .vector(let v), .row(let v): return v.reduce(1, *)
        case .matrix(let m): return m.determinant
        }
    }

    /// `tr`: a vector is a diagonal matrix.
    var trace: Double {
        switch self {
        case .scalar(let s): return s
        case .vector(let v), .row(let v): return v.reduce(0, +)
        case .matrix(let m): return m.trace
        }
    }

    /// `inverse`: a vector is a diagonal matrix.
    var inverse: GaussianValue {
        switch self {
        case .matrix(let m): return .matrix(m.inverse)
        default: return map { 1 / $0 }
        }
    }

    /// Sum of squared entries.
    var squaredNorm: Double { entries.reduce(0) { $0 + $1 * $1 } }
}
