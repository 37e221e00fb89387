// Elementwise arithmetic used by the layers and the optimiser. Loops run on raw buffers so the
// optimiser can vectorise them without bounds checks.

extension Tensor {
    @inline(__always)
    private func checkSameShape(_ other: Tensor, _ op: String) {
        precondition(shape == other.shape, "Tensor \(op): shapes \(shape) and \(other.shape) differ")
    }

    /// Applies `f` to each element.
    @inline(__always)
    public func map(_ f: (Float) -> Float) -> Tensor {
        var out = self
        out.withUnsafeMutableBufferPointer { o in
            for i in o.indices { o[i] = f(o[i]) }
        }
        return out
    }

    /// Combines two same-shaped tensors element by element.
    @inline(__always)
    public func zipMap(_ other: Tensor, _ f: (Float, Float) -> Float) -> Tensor {
        checkSameShape(other, "zipMap")
        var out = self
        out.withUnsafeMutableBufferPointer { o in
            other.withUnsafeBufferPointer { b in
                for i in o.indices { o[i] = f(o[i], b[i]) }
            }
        }
        return out
    }

    /// Elementwise sum.
    public static func + (lhs: Tensor, rhs: Tensor) -> Tensor { lhs.zipMap(rhs, +) }
    /// Elementwise difference.
    public static func - (lhs: Tensor, rhs: Tensor) -> Tensor { lhs.zipMap(rhs, -) }
    /// Elementwise (Hadamard) product.
    public static func * (lhs: Tensor, rhs: Tensor) -> Tensor { lhs.zipMap(rhs, *) }
    /// Every element times a scalar.
    public static func * (lhs: Tensor, rhs: Float) -> Tensor { lhs.map { $0 * rhs } }
    /// Every element times a scalar.
    public static func * (lhs: Float, rhs: Tensor) -> Tensor { rhs.map { lhs * $0 } }

    /// Adds `other` in place.
    public static func += (lhs: inout Tensor, rhs: Tensor) { lhs.add(rhs, scaledBy: 1) }

    /// `self += scale · other` in place (axpy).
    public mutating func add(_ other: Tensor, scaledBy scale: Float) {
        checkSameShape(other, "add")
        withUnsafeMutableBufferPointer { o in
            other.withUnsafeBufferPointer { b in
                for i in o.indices { o[i] += scale * b[i] }
            }
        }
    }

    /// Multiplies every element by `scale` in place.
    public mutating func scale(by scale: Float) {
        withUnsafeMutableBufferPointer { o in
            for i in o.indices { o[i] *= scale }
        }
    }

    /// Sets every element to zero, keeping the shape (used to clear gradients).
    public mutating func zero() {
        withUnsafeMutableBufferPointer { o in o.update(repeating: 0) }
    }

    /// Adds the vector `v` (one value per column) to every row: the bias of a dense layer.
    public mutating func addToEachRow(_ v: Tensor) {
        let n = rowLength
        precondition(v.count == n, "Tensor.addToEachRow: vector of \(v.count) for rows of \(n)")
        withUnsafeMutableBufferPointer { o in
            v.withUnsafeBufferPointer { b in
                var base = 0
                while base < o.count {
                    for j in 0..<n { o[base + j] += b[j] }
                    base += n
                }
            }
        }
    }

    /// The column sums of a matrix, shape [rowLength]: the bias gradient of a dense layer.
    public func sumOverRows() -> Tensor {
        let n = rowLength
        var out = [Float](repeating: 0, count: n)
        withUnsafeBufferPointer { a in
            out.withUnsafeMutableBufferPointer { o in
                var base = 0
                while base < a.count {
                    for j in 0..<n { o[j] += a[base + j] }
                    base += n
                }
            }
        }
        return Tensor(shape: [n], data: out)
    }

    /// The sum of all elements, accumulated in Double so long sums do not lose small terms.
    public func sum() -> Double {
        withUnsafeBufferPointer { a in
            var s = 0.0
            for x in a { s += Double(x) }
            return s
        }
    }

    /// The mean of all elements (0 for an empty tensor).
    public func mean() -> Double { count == 0 ? 0 : sum() / Double(count) }

    /// The largest absolute value (0 for an empty tensor).
    public func maxAbs() -> Float {
        withUnsafeBufferPointer { a in a.reduce(0) { max($0, abs($1)) } }
    }

    /// Whether every element is finite (no NaN or infinity).
    ///
    /// x·0 is 0 for finite x and NaN otherwise, so a vectorised sum of x·0 is NaN exactly when
    /// some element is not finite (a plain sum could overflow on large finite values).
    public var isFinite: Bool {
        withUnsafeBufferPointer { a in
            var acc = SIMD8<Float>()
            var i = 0
            let raw = UnsafeRawPointer(a.baseAddress)
            if let raw {
                while i + 8 <= a.count {
                    acc += raw.loadUnaligned(fromByteOffset: 4 * i, as: SIMD8<Float>.self) * 0
                    i += 8
                }
            }
            var tail: Float = acc.sum()
            while i < a.count { tail += a[i] * 0; i += 1 }
            return tail == 0
        }
    }
}
