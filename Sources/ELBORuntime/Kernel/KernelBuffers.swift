/// The scalar types kernels are generated for: Float for training, Double for gradient tests.
/// The transcendental functions are requirements so that `KernelMath` can be generic and
/// still call each type's own implementation (eight-lane polynomials for Float, the C
/// library for Double).
public protocol KernelScalar: BinaryFloatingPoint, SIMDScalar, Codable, Sendable {
    static func kernelExp(_ x: Self) -> Self
    static func kernelLog(_ x: Self) -> Self
    static func kernelLog1p(_ x: Self) -> Self
    static func kernelExpm1(_ x: Self) -> Self
    static func kernelPow(_ x: Self, _ y: Self) -> Self
    static func kernelExp(_ x: SIMD8<Self>) -> SIMD8<Self>
    static func kernelLog(_ x: SIMD8<Self>) -> SIMD8<Self>
    static func kernelLog1p(_ x: SIMD8<Self>) -> SIMD8<Self>
    static func kernelExpm1(_ x: SIMD8<Self>) -> SIMD8<Self>
}

extension Float: KernelScalar {}
extension Double: KernelScalar {}

/// An owned, contiguous buffer of scalars that generated kernels read and write through a raw
/// pointer. A class, so that a `KernelBatch` copied by value shares its buffers: kernels write
/// gradients and samples in place.
public final class KernelBuffer<T: KernelScalar>: @unchecked Sendable {
    /// The number of scalars.
    public let count: Int
    /// The first scalar; valid for as long as the buffer lives.
    public let base: UnsafeMutablePointer<T>

    // The scalars are trivial (Float, Double): zeros and copies are done on raw bytes, so that
    // they are one `memset`/`memcpy` even where this generic code is not specialised (an
    // unspecialised `initialize(repeating:)` copies element by element through value witnesses).

    /// A zero-filled buffer.
    public init(count: Int) {
        precondition(count >= 0, "KernelBuffer: negative count \(count)")
        self.count = count
        base = .allocate(capacity: max(count, 1))
        UnsafeMutableRawPointer(base).initializeMemory(as: UInt8.self, repeating: 0, count: max(count, 1) * MemoryLayout<T>.stride)
    }

    /// A buffer holding a copy of `values`.
    public init(_ values: [T]) {
        count = values.count
        base = .allocate(capacity: max(count, 1))
        let bytes = max(count, 1) * MemoryLayout<T>.stride
        values.withUnsafeBufferPointer { src in
            if let s = src.baseAddress, count > 0 {
                UnsafeMutableRawPointer(base).copyMemory(from: s, byteCount: count * MemoryLayout<T>.stride)
            } else {
                UnsafeMutableRawPointer(base).initializeMemory(as: UInt8.self, repeating: 0, count: bytes)
            }
        }
    }

    deinit { base.deallocate() }

    /// A copy of the contents.
    public var array: [T] { Array(UnsafeBufferPointer(start: base, count: count)) }

    /// Sets every scalar to zero.
    public func zero() { UnsafeMutableRawPointer(base).initializeMemory(as: UInt8.self, repeating: 0, count: count * MemoryLayout<T>.stride) }
}

/// The per-example inputs of one kernel call: a batch size, the sizes of the dimension
/// symbols, and one `[batchSize, width]` row-major buffer per named input.
public struct KernelBatch<T: KernelScalar>: @unchecked Sendable {
    /// The number of examples.
    public let batchSize: Int
    /// The size of every dimension symbol, e.g. `["k": 784, "m": 20]`.
    public let dims: [String: Int]
    /// The buffers by input name.
    public private(set) var buffers: [String: KernelBuffer<T>] = [:]

    /// An empty batch of `batchSize` examples.
    public init(batchSize: Int, dims: [String: Int]) {
        precondition(batchSize >= 0, "KernelBatch: negative batch size")
        self.batchSize = batchSize
        self.dims = dims
    }

    /// The size of a dimension symbol; traps naming the missing symbol.
    @inlinable
    public func dimension(_ name: String) -> Int {
        guard let n = dims[name] else {
            preconditionFailure("KernelBatch: dimension '\(name)' not given (have \(dims.keys.sorted()))")
        }
        return n
    }

    /// Stores `values` (`batchSize · width` scalars, row-major) as input `name`.
    public mutating func set(_ name: String, _ values: [T], width: Int) {
        precondition(values.count == batchSize * width,
                     "KernelBatch.set(\(name)): \(values.count) values, expected \(batchSize)×\(width)")
        buffers[name] = KernelBuffer(values)
    }

    /// Stores a buffer (shared, not copied) as input `name`.
    public mutating func set(_ name: String, buffer: KernelBuffer<T>) { buffers[name] = buffer }

    /// The values of input `name`, if present.
    public func values(_ name: String) -> [T]? { buffers[name]?.array }

    /// The buffer of input `name`; traps if it is missing or not `batchSize × width`.
    public func pointer(_ name: String, width: Int) -> UnsafeMutablePointer<T> {
        guard let b = buffers[name] else {
            preconditionFailure("KernelBatch: input '\(name)' missing (have \(buffers.keys.sorted()))")
        }
        precondition(b.count == batchSize * width,
                     "KernelBatch: input '\(name)' has \(b.count) values, expected \(batchSize)×\(width)")
        return b.base
    }

    /// The buffer of input `name` for a kernel to write, allocated (zero) if absent or of
    /// another size.
    public mutating func output(_ name: String, width: Int) -> UnsafeMutablePointer<T> {
        if let b = buffers[name], b.count == batchSize * width { return b.base }
        let b = KernelBuffer<T>(count: batchSize * width)
        buffers[name] = b
        return b.base
    }
}

/// The values of a kernel's learnable parameters, by name.
public struct KernelParams<T: KernelScalar>: @unchecked Sendable {
    /// The buffers by parameter name (row-major for matrices).
    public private(set) var buffers: [String: KernelBuffer<T>] = [:]

    /// No parameters.
    public init() {}

    /// Stores a copy of `values` as parameter `name`.
    public mutating func set(_ name: String, _ values: [T]) { buffers[name] = KernelBuffer(values) }

    /// The values of parameter `name`, if present.
    public func values(_ name: String) -> [T]? { buffers[name]?.array }

    /// The buffer of parameter `name`; traps if missing or not `count` scalars.
    public func pointer(_ name: String, count: Int) -> UnsafeMutablePointer<T> {
        guard let b = buffers[name] else {
            preconditionFailure("KernelParams: parameter '\(name)' missing (have \(buffers.keys.sorted()))")
        }
        precondition(b.count == count, "KernelParams: parameter '\(name)' has \(b.count) values, expected \(count)")
        return b.base
    }
}

/// The gradients a kernel writes: per-example input gradients (`[batchSize, width]`) and
/// parameter gradients, each allocated on first use.
///
/// `loss(…, gradients:)` overwrites every gradient it owns; `sampleBackward` accumulates.
public struct KernelGradients<T: KernelScalar>: @unchecked Sendable {
    /// Gradients with respect to per-example inputs, by input name.
    public private(set) var inputs: [String: KernelBuffer<T>] = [:]
    /// Gradients with respect to parameters, by parameter name.
    public private(set) var params: [String: KernelBuffer<T>] = [:]

    /// No gradients yet.
    public init() {}

    /// The gradient buffer of input `name` (`count` scalars), allocated zero if absent.
    public mutating func input(_ name: String, count: Int) -> UnsafeMutablePointer<T> {
        if let b = inputs[name], b.count == count { return b.base }
        let b = KernelBuffer<T>(count: count)
        inputs[name] = b
        return b.base
    }

    /// The gradient buffer of parameter `name` (`count` scalars), allocated zero if absent.
    public mutating func param(_ name: String, count: Int) -> UnsafeMutablePointer<T> {
        if let b = params[name], b.count == count { return b.base }
        let b = KernelBuffer<T>(count: count)
        params[name] = b
        return b.base
    }

    /// Stores a buffer (shared) as the gradient of input `name`.
    public mutating func setInput(_ name: String, buffer: KernelBuffer<T>) { inputs[name] = buffer }
}
