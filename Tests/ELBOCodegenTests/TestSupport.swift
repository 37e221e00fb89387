import Foundation
import XCTest
import ELBOAlgebra
@testable import ELBOCodegen
import ELBORuntime

/// |a − b| ≤ atol + rtol·|b|, with a message that shows both numbers.
func assertClose(_ a: Double, _ b: Double, rtol: Double = 1e-9, atol: Double = 1e-12, _ message: String = "",
                 file: StaticString = #filePath, line: UInt = #line) {
    XCTAssert(Swift.abs(a - b) <= atol + rtol * Swift.abs(b),
              "\(a) vs \(b) (difference \(a - b)) \(message)", file: file, line: line)
}

/// Every value finite.
func assertFinite<S: Sequence>(_ xs: S, _ what: String, file: StaticString = #filePath, line: UInt = #line)
where S.Element: BinaryFloatingPoint {
    for (i, x) in xs.enumerated() where !x.isFinite {
        XCTFail("\(what)[\(i)] = \(x) is not finite", file: file, line: line)
        return
    }
}

/// Shorthands for building terms.
enum E {
    static func s(_ n: String) -> Expr { .symbol(n) }
    static func c(_ v: String, _ i: String = "j") -> Expr { .component(v, index: i) }
    static func sum(_ i: String, _ dim: String, _ body: Expr) -> Expr {
        .indexedSum(index: i, from: .int(1), to: .symbol(dim), body: body)
    }
    static func f(_ name: String, _ args: Expr...) -> Expr { .apply(name, args) }
    static func n(_ k: Int) -> Expr { .int(k) }
}

/// A tiny loss program around `loss` with scalar inputs `a`, `b` and vector inputs `u`, `v` of
/// dimension `n` (all network outputs, so all differentiated) and a scalar param `w`.
func scratchProgram(_ loss: Expr, params: [KernelParam] = [KernelParam(name: "w", shape: [], initialValue: 1)]) -> LossProgram {
    LossProgram(name: "Scratch", specPath: "(test)", specHash: "0", derivation: "test", objectiveText: "test",
                inputs: [KernelInput(name: "a", role: .networkOutput, dimension: nil),
                         KernelInput(name: "b", role: .networkOutput, dimension: nil),
                         KernelInput(name: "u", role: .networkOutput, dimension: "n"),
                         KernelInput(name: "v", role: .networkOutput, dimension: "n")],
                params: params, samplers: [], networks: [], transforms: [], loss: loss)
}

/// Builds a Double batch for a generated kernel from per-input rows.
func doubleBatch(_ d: KernelDescriptor, dims: [String: Int], batchSize: Int,
                 _ values: [String: [Double]]) -> KernelBatch<Double> {
    var b = KernelBatch<Double>(batchSize: batchSize, dims: dims)
    for i in d.inputs {
        let w = d.width(of: i.name, dims: dims)
        b.set(i.name, values[i.name] ?? [Double](repeating: 0, count: batchSize * w), width: w)
    }
    return b
}

/// The Float copy of a Double batch.
func floatBatch(_ b: KernelBatch<Double>) -> KernelBatch<Float> {
    var f = KernelBatch<Float>(batchSize: b.batchSize, dims: b.dims)
    for (name, buffer) in b.buffers {
        f.set(name, buffer: KernelBuffer(buffer.array.map { Float($0) }))
    }
    return f
}

func floatParams(_ p: KernelParams<Double>) -> KernelParams<Float> {
    var f = KernelParams<Float>()
    for (name, buffer) in p.buffers { f.set(name, buffer.array.map { Float($0) }) }
    return f
}
