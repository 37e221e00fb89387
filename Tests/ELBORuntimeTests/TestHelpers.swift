import Foundation
import XCTest
@testable import ELBORuntime

/// Asserts |a − b| ≤ absolute + relative·max(|a|, |b|), reporting at the caller's line.
func assertClose(_ a: Double, _ b: Double, absolute: Double = 0, relative: Double = 1e-12,
                 _ message: @autoclosure () -> String = "", file: StaticString = #filePath, line: UInt = #line) {
    let bound = absolute + relative * max(abs(a), abs(b))
    XCTAssert(abs(a - b) <= bound || a == b,
              "\(a) and \(b) differ by \(abs(a - b)) > \(bound) \(message())", file: file, line: line)
}

/// Asserts two Floats are within `ulps` units in the last place of the larger one.
func assertClose(_ a: Float, _ b: Float, ulps: Float, _ message: @autoclosure () -> String = "",
                 file: StaticString = #filePath, line: UInt = #line) {
    let ulp = max(a.magnitude, b.magnitude, Float.leastNormalMagnitude).ulp
    XCTAssert(abs(a - b) <= ulps * ulp || a == b,
              "\(a) and \(b) differ by \(abs(a - b) / ulp) ulps > \(ulps) \(message())", file: file, line: line)
}

/// Asserts elementwise closeness of two Float arrays of equal length and reports the worst entry.
func assertClose(_ a: [Float], _ b: [Float], absolute: Float = 0, relative: Float = 1e-5,
                 _ message: @autoclosure () -> String = "", file: StaticString = #filePath, line: UInt = #line) {
    guard a.count == b.count else {
        XCTFail("lengths \(a.count) and \(b.count) differ \(message())", file: file, line: line)
        return
    }
    var worst = -1, worstExcess: Float = 0
    for i in a.indices {
        let bound = absolute + relative * max(abs(a[i]), abs(b[i]))
        let excess = abs(a[i] - b[i]) - bound
        if excess > worstExcess || (a[i].isNaN != b[i].isNaN) { worst = i; worstExcess = max(excess, 1) }
    }
    if worst >= 0 {
        XCTFail("entry \(worst): \(a[worst]) vs \(b[worst]) \(message())", file: file, line: line)
    }
}

/// The textbook triple loop, in Double, as the reference for GEMM.
func naiveGEMM(_ ta: Transpose, _ tb: Transpose, m: Int, n: Int, k: Int, alpha: Float,
               a: [Float], lda: Int, b: [Float], ldb: Int, beta: Float, c: [Float], ldc: Int) -> [Float] {
    var out = c
    for i in 0..<m {
        for j in 0..<n {
            var s = 0.0
            for p in 0..<k {
                let av = ta == .none ? a[i * lda + p] : a[p * lda + i]
                let bv = tb == .none ? b[p * ldb + j] : b[j * ldb + p]
                s += Double(av) * Double(bv)
            }
            let old = beta == 0 ? 0 : Double(beta) * Double(c[i * ldc + j])
            out[i * ldc + j] = Float(Double(alpha) * s + old)
        }
    }
    return out
}

/// Uniform random Floats in [−1, 1).
func randomFloats(_ count: Int, _ rng: inout RNG) -> [Float] {
    (0..<count).map { _ in rng.uniformFloat(in: -1, 1) }
}

/// A fresh empty directory under the system temporary directory.
func temporaryDirectory(_ name: String = #function) throws -> URL {
    let safe = name.filter { $0.isLetter || $0.isNumber }
    let url = FileManager.default.temporaryDirectory
        .appendingPathComponent("elbo-runtime-tests-\(getpid())-\(safe)-\(UInt32.random(in: 0...UInt32.max))")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

/// Hex string of bytes.
func hex(_ bytes: [UInt8]) -> String { bytes.map { String(format: "%02x", $0) }.joined() }

/// Bytes from a hex string.
func bytes(hex: String) -> [UInt8] {
    var out: [UInt8] = []
    var i = hex.startIndex
    while i < hex.endIndex {
        let j = hex.index(i, offsetBy: 2)
        out.append(UInt8(hex[i..<j], radix: 16)!)
        i = j
    }
    return out
}
