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
