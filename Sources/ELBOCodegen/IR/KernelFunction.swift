/// Where a generated function puts a value, per example.
public struct KernelSink: Hashable, Sendable {
    public enum Target: Hashable, Sendable {
        /// Added to the batch total of the loss.
        case loss
        /// The gradient of a per-example input.
        case inputGradient(String)
        /// The gradient of a parameter, summed over the batch.
        case paramGradient(String)
        /// A sampler's output.
        case output(String)
    }
    public var target: Target
    /// The component written, by loop level; empty for a scalar.
    public var levels: [LoopLevel]
    /// The loop nest the write sits in (it contains `levels`).
    public var path: [LoopLevel]
    public var value: ValueID
    /// Add to the destination rather than overwrite it.
    public var accumulate: Bool
}

/// One function to emit: a graph and what to do with its values per example.
public struct KernelFunction: Sendable {
    public enum Kind: Sendable, Equatable {
        case loss, lossAndGradient, sample(String), sampleBackward(String)
    }
    public var kind: Kind
    public var graph: KernelGraph
    public var sinks: [KernelSink]
    /// Input gradients the function owns: allocated, and zeroed first unless overwritten.
    public var inputGradients: [String]
    /// Of those, the ones every component of which one sink overwrites once per example.
    public var overwrittenGradients: Set<String>
    /// Parameter gradients the function owns: allocated and zeroed, then summed into.
    public var paramGradients: [String]
    /// Whether gradients are accumulated into existing buffers (a sampler's backward) rather
    /// than owned.
    public var accumulatesIntoExisting: Bool

    /// Every value the sinks need.
    public var liveValues: [ValueID] { graph.closure(of: sinks.map(\.value)) }
}

extension KernelFunction {
    /// Sinks writing the adjoints of the leaves of `names` (inputs) and `params`.
    static func gradientSinks(_ g: KernelGraph, adjoints: [ValueID: ValueID], inputs: Set<String>,
                              params: Set<String>, accumulate: Bool) -> (sinks: [KernelSink], counts: [String: Int]) {
        var sinks: [KernelSink] = []
        var counts: [String: Int] = [:]
        for (leaf, adj) in adjoints.sorted(by: { $0.key < $1.key }) {
            switch g[leaf].op {
            case .input(let n, let ls) where inputs.contains(n):
                counts[n, default: 0] += 1
                sinks.append(KernelSink(target: .inputGradient(n), levels: ls, path: g[leaf].path, value: adj,
                                        accumulate: accumulate))
            case .param(let n, let ls) where params.contains(n):
                sinks.append(KernelSink(target: .paramGradient(n), levels: ls, path: g[leaf].path, value: adj,
                                        accumulate: true))
            default: break
            }
        }
        return (sinks, counts)
    }

    /// Writes with `=` where one sink covers every component exactly once, `+=` elsewhere.
    static func settingOverwrites(_ sinks: [KernelSink], counts: [String: Int]) -> ([KernelSink], Set<String>) {
        var out = sinks
        var overwritten = Set<String>()
        for i in out.indices {
            guard case .inputGradient(let n) = out[i].target, counts[n] == 1,
                  out[i].path == out[i].levels, out[i].levels.count <= 1 else { continue }
            out[i].accumulate = false
            overwritten.insert(n)
        }
        return (out, overwritten)
    }
}
