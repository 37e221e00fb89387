import Foundation
import ELBORuntime

/// The JSON document of `elbo kernel NAME --eval FILE.json`, read strictly: every number must
/// be a JSON number (not a boolean or a string), every size a positive integer, every row the
/// width its dimension gives, and the batch must hold at least one example.
struct KernelEvalInput {
    var dims: [String: Int]
    var batchSize: Int
    /// Row-major values per input; inputs not given are absent.
    var rows: [String: [Double]]
    /// Values per parameter; parameters not given are absent (the kernel's initial value is used).
    var params: [String: [Double]]

    /// The largest dimension size accepted, and the most scalars one input or parameter may
    /// have: far above any kernel test, low enough that no document can exhaust memory.
    static let maximumDimension = 1 << 20
    static let maximumValues = 1 << 26
    /// The most scalars all inputs and parameters together may have, counting those the kernel
    /// is given as zeros or initial values because the document leaves them out: a 6 KB
    /// document with a label dimension of 2^20 once made the evaluation allocate 3.3 GB.
    static let maximumTotalValues = 1 << 25

    /// A problem with the document, phrased for `path: error: …`.
    struct Problem: Error, CustomStringConvertible {
        let description: String
        init(_ d: String) { description = d }
    }

    /// A JSON value as the document wrote it.
    indirect enum Value: Decodable {
        case bool(Bool), number(Double), string(String), array([Value]), object([String: Value]), null

        init(from decoder: Decoder) throws {
            let c = try decoder.singleValueContainer()
            if c.decodeNil() { self = .null }
            else if let b = try? c.decode(Bool.self) { self = .bool(b) }
            else if let d = try? c.decode(Double.self) { self = .number(d) }
            else if let s = try? c.decode(String.self) { self = .string(s) }
            else if let a = try? c.decode([Value].self) { self = .array(a) }
            else { self = .object(try c.decode([String: Value].self)) }
        }

        /// What the document holds here, for messages.
        var kind: String {
            switch self {
            case .bool(let b): return "the boolean \(b)"
            case .number(let d): return "the number \(d)"
            case .string(let s): return "the string \"\(s.prefix(20))\""
            case .array: return "a list"
            case .object: return "an object"
            case .null: return "null"
            }
        }
    }

    /// The kernel's loss and gradients on these inputs, in Double: inputs and parameters the
    /// document did not give are zeros and the parameters' initial values. Gradients are
    /// listed per example for inputs (`[[…] per example]`) and flat for parameters.
    func evaluate(_ kernel: any ObjectiveKernel.Type) -> (loss: Double, gradients: [String: Any]) {
        let d = kernel.descriptor
        let b = batchSize
        var inputs = KernelBatch<Double>(batchSize: b, dims: dims)
        for i in d.inputs {
            let w = d.width(of: i.name, dims: dims)
            inputs.set(i.name, rows[i.name] ?? [Double](repeating: 0, count: b * w), width: w)
        }
        var values = KernelParams<Double>()
        for p in d.params {
            values.set(p.name, params[p.name] ?? [Double](repeating: p.initialValue, count: d.count(of: p, dims: dims)))
        }
        var grads = KernelGradients<Double>()
        let loss = kernel.loss(inputs: inputs, params: values, gradients: &grads)
        var gradients: [String: Any] = [:]
        for i in d.inputs where i.hasGradient {
            let w = d.width(of: i.name, dims: dims)
            let g = grads.inputs[i.name]!.array
            gradients[i.name] = (0..<b).map { Array(g[($0 * w)..<(($0 + 1) * w)]) }
        }
        for p in d.params { gradients[p.name] = grads.params[p.name]!.array }
        return (loss, gradients)
    }

    /// Reads and validates `data` against the kernel's descriptor.
    init(data: Data, descriptor d: KernelDescriptor) throws {
        let root: Value
        do { root = try JSONDecoder().decode(Value.self, from: data) } catch {
            throw Problem("not valid JSON")
        }
        guard case .object(let top) = root else { throw Problem("not a JSON object (found \(root.kind))") }

        dims = [:]
        for (k, v) in try KernelEvalInput.object(top["dims"], "dims") {
            guard case .number(let x) = v, x == x.rounded(), x >= 1, x <= Double(KernelEvalInput.maximumDimension) else {
                throw Problem("dims.\(k) must be a whole number from 1 to \(KernelEvalInput.maximumDimension), found \(v.kind)")
            }
            dims[k] = Int(x)
        }
        for s in d.dimensions where dims[s] == nil { throw Problem("dims.\(s) is missing") }

        let given = try KernelEvalInput.object(top["inputs"], "inputs")
        var batch: (size: Int, from: String)?
        rows = [:]
        for i in d.inputs {
            let w = d.width(of: i.name, dims: dims)
            guard let value = given[i.name] else {
                if i.readByLoss { throw Problem("inputs.\(i.name) is missing (the loss reads it)") }
                continue
            }
            guard case .array(let examples) = value else {
                throw Problem("inputs.\(i.name) must be a list of examples, found \(value.kind)")
            }
            if let b = batch, b.size != examples.count {
                throw Problem("inputs.\(i.name) has \(examples.count) examples, inputs.\(b.from) has \(b.size)")
            }
            guard examples.count.multipliedReportingOverflow(by: w).partialValue <= KernelEvalInput.maximumValues else {
                throw Problem("inputs.\(i.name) has more than \(KernelEvalInput.maximumValues) values")
            }
            var flat: [Double] = []
            flat.reserveCapacity(examples.count * w)
            for (r, e) in examples.enumerated() {
                let where_ = "inputs.\(i.name)[\(r)]"
                let row: [Double]
                if case .array(let items) = e {
                    row = try items.enumerated().map { try KernelEvalInput.number($0.element, "\(where_)[\($0.offset)]") }
                } else {
                    row = [try KernelEvalInput.number(e, where_)]
                }
                guard row.count == w else { throw Problem("\(where_) has \(row.count) values, expected \(w)") }
                flat += row
            }
            batch = (examples.count, i.name)
            rows[i.name] = flat
        }
        guard let b = batch, b.size > 0 else {
            throw Problem("the batch is empty: give at least one example in inputs")
        }
        batchSize = b.size
        var total = 0
        func count(_ n: Int, _ what: String) throws {
            let (t, overflow) = total.addingReportingOverflow(n)
            guard !overflow, t <= KernelEvalInput.maximumTotalValues else {
                throw Problem("the inputs and parameters would hold more than \(KernelEvalInput.maximumTotalValues) values "
                    + "(\(what) alone has \(n)); use smaller dims or fewer examples")
            }
            total = t
        }
        for i in d.inputs {
            let (n, overflow) = b.size.multipliedReportingOverflow(by: d.width(of: i.name, dims: dims))
            try count(overflow ? Int.max : n, "inputs.\(i.name)")
        }

        let givenParams = try KernelEvalInput.object(top["params"], "params")
        params = [:]
        for p in d.params {
            var n = 1
            for s in p.shape {
                let (m, overflow) = n.multipliedReportingOverflow(by: dims[s] ?? Int(s) ?? 1)
                guard !overflow, m <= KernelEvalInput.maximumValues else {
                    throw Problem("params.\(p.name) would have more than \(KernelEvalInput.maximumValues) values")
                }
                n = m
            }
            try count(n, "params.\(p.name)")
            guard let v = givenParams[p.name] else { continue }
            var flat: [Double] = []
            try KernelEvalInput.flatten(v, "params.\(p.name)", into: &flat)
            guard flat.count == n else { throw Problem("params.\(p.name) has \(flat.count) values, expected \(n)") }
            params[p.name] = flat
        }
    }

    private static func object(_ v: Value?, _ name: String) throws -> [String: Value] {
        switch v {
        case nil: return [:]
        case .object(let o): return o
        case let other?: throw Problem("\(name) must be an object, found \(other.kind)")
        }
    }

    private static func number(_ v: Value, _ name: String) throws -> Double {
        guard case .number(let x) = v else { throw Problem("\(name) must be a number, found \(v.kind)") }
        return x
    }

    private static func flatten(_ v: Value, _ name: String, into out: inout [Double]) throws {
        if case .array(let items) = v {
            for (k, item) in items.enumerated() { try flatten(item, "\(name)[\(k)]", into: &out) }
        } else {
            out.append(try number(v, name))
        }
    }
}
