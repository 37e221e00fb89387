// Row access treats a tensor as a batch: the first dimension indexes examples.

extension Tensor {
    /// The rows in `range` (along the first dimension), as a new tensor.
    public func rows(_ range: Range<Int>) -> Tensor {
        precondition(range.lowerBound >= 0 && range.upperBound <= rowCount,
                     "Tensor.rows: \(range) out of range for \(rowCount) rows")
        let length = rowLength
        var newShape = shape
        newShape[0] = range.count
        return Tensor(shape: newShape,
                      data: Array(data[(range.lowerBound * length)..<(range.upperBound * length)]))
    }

    /// The rows at `indices`, in that order (a minibatch from a shuffled permutation).
    public func gatheringRows(_ indices: [Int]) -> Tensor {
        let length = rowLength, available = rowCount
        var newShape = shape
        newShape[0] = indices.count
        var out = [Float](repeating: 0, count: indices.count * length)
        data.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                for (r, i) in indices.enumerated() {
                    precondition(i >= 0 && i < available, "Tensor.gatheringRows: row \(i) of \(available)")
                    (dst.baseAddress! + r * length)
                        .update(from: src.baseAddress! + i * length, count: length)
                }
            }
        }
        return Tensor(shape: newShape, data: out)
    }

    /// Row `i` as a plain array.
    public func row(_ i: Int) -> [Float] {
        precondition(i >= 0 && i < rowCount, "Tensor.row: \(i) of \(rowCount)")
        return Array(data[(i * rowLength)..<((i + 1) * rowLength)])
    }

    /// Stacks tensors of equal row shape along the first dimension.
    public static func concatenatingRows(_ parts: [Tensor]) -> Tensor {
        guard let first = parts.first else { return Tensor(zeros: [0]) }
        let tail = Array(first.shape.dropFirst())
        var data: [Float] = []
        data.reserveCapacity(parts.reduce(0) { $0 + $1.count })
        for part in parts {
            precondition(Array(part.shape.dropFirst()) == tail,
                         "Tensor.concatenatingRows: row shape \(part.shape.dropFirst()) != \(tail)")
            data += part.data
        }
        return Tensor(shape: [parts.reduce(0) { $0 + $1.rowCount }] + tail, data: data)
    }
}

// Column access for matrices: splitting an encoder's output into mean and log-variance, or
// joining an image with its one-hot label for a conditional model.

extension Tensor {
    /// The columns in `range` of a matrix `[rows, columns]`, as a new `[rows, range.count]`.
    public func columns(_ range: Range<Int>) -> Tensor {
        precondition(rank == 2, "Tensor.columns: matrix expected, got shape \(shape)")
        let (rows, width) = (shape[0], shape[1])
        precondition(range.lowerBound >= 0 && range.upperBound <= width,
                     "Tensor.columns: \(range) out of range for \(width) columns")
        var out = [Float](repeating: 0, count: rows * range.count)
        for r in 0..<rows {
            for (j, c) in range.enumerated() { out[r * range.count + j] = data[r * width + c] }
        }
        return Tensor(shape: [rows, range.count], data: out)
    }

    /// Matrices with equal row counts placed side by side: `[rows, Σ columns]`.
    public static func concatenatingColumns(_ parts: [Tensor]) -> Tensor {
        guard let first = parts.first else { return Tensor(zeros: [0, 0]) }
        if parts.count == 1 && first.rank == 2 { return first }
        let rows = first.rowCount
        for part in parts {
            precondition(part.rank == 2 && part.shape[0] == rows,
                         "Tensor.concatenatingColumns: shape \(part.shape), expected [\(rows), _]")
        }
        let width = parts.reduce(0) { $0 + $1.shape[1] }
        var out = [Float](repeating: 0, count: rows * width)
        var offset = 0
        for part in parts {
            let w = part.shape[1]
            for r in 0..<rows {
                for j in 0..<w { out[r * width + offset + j] = part.data[r * w + j] }
            }
            offset += w
        }
        return Tensor(shape: [rows, width], data: out)
    }
}
