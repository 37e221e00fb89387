/// A dense, row-major tensor of Floats: contiguous storage plus a shape.
///
/// A value type (copy-on-write through its array), so layers can hand tensors around freely.
/// Shape errors are programmer errors and trap with the expected and actual shapes.
public struct Tensor: Equatable, Sendable, CustomStringConvertible {
    /// The extent of each dimension, outermost first.
    public private(set) var shape: [Int]
    /// The elements in row-major order; `data.count == shape.reduce(1, *)`.
    public var data: [Float]

    /// A tensor of the given shape filled with zeros.
    public init(zeros shape: [Int]) {
        self.init(shape: shape, repeating: 0)
    }

    /// A tensor of the given shape with every element equal to `value`.
    public init(shape: [Int], repeating value: Float) {
        precondition(shape.allSatisfy { $0 >= 0 }, "Tensor: negative extent in shape \(shape)")
        self.shape = shape
        self.data = [Float](repeating: value, count: shape.reduce(1, *))
    }

    /// A tensor of the given shape whose elements `fill` writes, every one of them, into
    /// uninitialised storage: for results such as a GEMM's with beta 0, which would otherwise
    /// pay a pass of zeros first.
    init(shape: [Int], filling fill: (UnsafeMutableBufferPointer<Float>) -> Void) {
        precondition(shape.allSatisfy { $0 >= 0 }, "Tensor: negative extent in shape \(shape)")
        let count = shape.reduce(1, *)
        self.shape = shape
        self.data = [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
            fill(buffer)
            initialized = count
        }
    }

    /// A tensor with the given shape and row-major elements.
    public init(shape: [Int], data: [Float]) {
        precondition(shape.allSatisfy { $0 >= 0 }, "Tensor: negative extent in shape \(shape)")
        precondition(shape.reduce(1, *) == data.count,
                     "Tensor: shape \(shape) needs \(shape.reduce(1, *)) elements, got \(data.count)")
        self.shape = shape
        self.data = data
    }

    /// The total number of elements.
    public var count: Int { data.count }

    /// The number of dimensions.
    public var rank: Int { shape.count }

    /// The extent of the first dimension (the batch, for a matrix of examples).
    public var rowCount: Int { shape.first ?? 1 }

    /// The number of elements in one row: the product of all but the first extent.
    public var rowLength: Int { shape.count <= 1 ? 1 : shape.dropFirst().reduce(1, *) }

    /// The row-major offset of a multi-index, checked against the shape.
    @inline(__always)
    func offset(_ indices: [Int]) -> Int {
        precondition(indices.count == shape.count,
                     "Tensor: \(indices.count) indices for shape \(shape)")
        var flat = 0
        for (i, extent) in zip(indices, shape) {
            precondition(i >= 0 && i < extent, "Tensor: index \(indices) out of range for \(shape)")
            flat = flat * extent + i
        }
        return flat
    }

    /// The element at a multi-index, e.g. `t[i, j]`.
    public subscript(indices: Int...) -> Float {
        get { data[offset(indices)] }
        set { data[offset(indices)] = newValue }
    }

    /// The same elements viewed with a new shape of equal element count.
    public func reshaped(_ newShape: [Int]) -> Tensor {
        Tensor(shape: newShape, data: data)
    }

    /// Changes the shape in place, keeping the elements.
    public mutating func reshape(_ newShape: [Int]) {
        precondition(newShape.reduce(1, *) == data.count,
                     "Tensor.reshape: \(shape) has \(data.count) elements, \(newShape) needs \(newShape.reduce(1, *))")
        shape = newShape
    }

    /// Calls `body` with the contiguous elements.
    @inline(__always)
    public func withUnsafeBufferPointer<R>(_ body: (UnsafeBufferPointer<Float>) throws -> R) rethrows -> R {
        try data.withUnsafeBufferPointer(body)
    }

    /// Calls `body` with the contiguous elements, mutably.
    @inline(__always)
    public mutating func withUnsafeMutableBufferPointer<R>(
        _ body: (inout UnsafeMutableBufferPointer<Float>) throws -> R
    ) rethrows -> R {
        try data.withUnsafeMutableBufferPointer(body)
    }

    /// A short description: the shape and the first few elements.
    public var description: String {
        let head = data.prefix(8).map { "\($0)" }.joined(separator: ", ")
        return "Tensor(shape: \(shape), data: [\(head)\(data.count > 8 ? ", …" : "")])"
    }
}
