/// Why a kernel's model cannot be built or run.
public enum GraphModelError: Error, Equatable, CustomStringConvertible {
    /// A dimension symbol the kernel uses was not given a size.
    case missingDimension(String, kernel: String)
    /// A transform function the runtime does not know.
    case unknownTransform(String, output: String)
    /// A transform whose input and output widths do not fit its function.
    case transformShape(function: String, inputWidth: Int, outputWidth: Int)
    /// A value some step needs that nothing produces.
    case unavailable(String, neededBy: String)
    /// The kernel reads several data inputs; a batch carries one.
    case dataInputs([String])
    /// The batch's width differs from the data input's.
    case dataWidth(input: String, expected: Int, actual: Int)

    public var description: String {
        switch self {
        case .missingDimension(let d, let k): return "kernel \(k): no size given for dimension '\(d)'"
        case .unknownTransform(let f, let o): return "transform '\(f)' (producing \(o)) is not built in; known: downsample2x2"
        case .transformShape(let f, let i, let o): return "\(f) cannot map width \(i) to width \(o)"
        case .unavailable(let v, let n): return "\(n) needs '\(v)', which no data, network, sampler or transform produces"
        case .dataInputs(let names): return "the kernel reads \(names.count) data inputs (\(names.joined(separator: ", "))); one is supported"
        case .dataWidth(let i, let e, let a): return "data input '\(i)' has width \(e) but the batch has \(a) features"
        }
    }
}

/// Deterministic transforms of data that kernels declare, e.g. `y = downsample2x2(x)`.
public enum KernelTransforms {
    /// The names of the built-in transforms.
    public static let known: Set<String> = ["downsample2x2"]

    /// Checks that `function` maps rows of `inputWidth` to rows of `outputWidth`.
    public static func validate(_ function: String, output: String, inputWidth: Int, outputWidth: Int) throws {
        switch function {
        case "downsample2x2":
            let side = Int(Double(inputWidth).squareRoot().rounded())
            guard side * side == inputWidth, side % 2 == 0, outputWidth == inputWidth / 4 else {
                throw GraphModelError.transformShape(function: function, inputWidth: inputWidth, outputWidth: outputWidth)
            }
        default:
            throw GraphModelError.unknownTransform(function, output: output)
        }
    }

    /// Applies `function` to every row of `x` (`[B, inputWidth]`).
    public static func apply(_ function: String, _ x: Tensor, outputWidth: Int) throws -> Tensor {
        try validate(function, output: "?", inputWidth: x.rowLength, outputWidth: outputWidth)
        return downsample2x2(x)
    }

    /// 2×2 average pooling of square images stored as rows: 28×28 → 14×14.
    public static func downsample2x2(_ x: Tensor) -> Tensor {
        let n = x.rowCount, width = x.rowLength
        let side = Int(Double(width).squareRoot().rounded()), half = side / 2
        var out = [Float](repeating: 0, count: n * half * half)
        x.withUnsafeBufferPointer { src in
            for r in 0..<n {
                let s = r * width, d = r * half * half
                for i in 0..<half {
                    for j in 0..<half {
                        let a = s + 2 * i * side + 2 * j
                        out[d + i * half + j] = 0.25 * (src[a] + src[a + 1] + src[a + side] + src[a + side + 1])
                    }
                }
            }
        }
        return Tensor(shape: [n, half * half], data: out)
    }
}
