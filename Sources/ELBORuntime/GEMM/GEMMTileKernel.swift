import Foundation
#if arch(x86_64)
import ELBORuntimeAVX512
#endif

/// Which register tile `gemm` computes C with. Both give the same bits (each element is the
/// same chain of fused multiply-adds in order of k), so the choice is only one of speed.
enum GEMMTileKernel: Sendable, Equatable {
    /// 6×16 in eight-lane registers (AVX2 and FMA, or the portable SSE kernel).
    case narrow
    /// 6×32 in sixteen-lane registers (AVX-512), over two adjacent packed panels of B; the odd
    /// last panel of a block goes to the narrow kernel.
    case wide

    /// The fastest kernel this CPU runs: `wide` where the CPU (and the OS, which reports the
    /// feature only when it saves the registers) has AVX-512F, unless `ELBO_GEMM_KERNEL=narrow`
    /// asks for the narrow one (to compare the two).
    static let preferred: GEMMTileKernel = {
        if ProcessInfo.processInfo.environment["ELBO_GEMM_KERNEL"] == "narrow" { return .narrow }
        return cpuHasAVX512F ? .wide : .narrow
    }()

    /// Whether this build has the wide kernel and this machine can run it.
    static let cpuHasAVX512F: Bool = {
        #if arch(x86_64) && ELBO_FMA
        #if os(Linux)
        // The kernel lists a feature in /proc/cpuinfo only when it also enables its state in XCR0.
        guard let info = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
              let flags = info.split(separator: "\n").first(where: { $0.hasPrefix("flags") }) else { return false }
        return flags.split(separator: " ").contains("avx512f")
        #elseif os(macOS)
        var value: Int32 = 0
        var size = MemoryLayout<Int32>.size
        return sysctlbyname("hw.optional.avx512f", &value, &size, nil, 0) == 0 && value != 0
        #else
        return false
        #endif
        #else
        return false
        #endif
    }()
}

/// A description of the tile kernel `gemm` uses on this machine, for benchmark output.
public var gemmTileDescription: String {
    GEMMTileKernel.preferred == .wide ? "6x32 AVX-512 (6x16 \(gemmKernelDescription) at odd edges)" : gemmKernelDescription
}

/// Computes one 6×32 tile with the wide kernel over the packed panels at `b0` and `b0 + 16·kc`
/// and stores its first `rows` rows and `columns` (17–32) columns through `store`, as two
/// 16-column halves with the same store code as the narrow kernel (so the same bits).
@inline(__always)
func wideTile(
    kc: Int, a: UnsafePointer<Float>, lda: Int, aInPlace: Bool, b0: UnsafePointer<Float>,
    c: UnsafeMutablePointer<Float>, ldc: Int, rows: Int, columns: Int, store: TileStore,
    scratch: UnsafeMutablePointer<Float>
) {
    #if arch(x86_64) && ELBO_FMA
    let b1 = b0 + kernelColumns &* kc
    if aInPlace {
        avx512Tile6x32InPlace(kc: kc, a: a, lda: lda, rows: rows, b0: b0, b1: b1, out: scratch)
    } else {
        avx512Tile6x32Packed(kc: kc, a: a, b0: b0, b1: b1, out: scratch)
    }
    let right = store.offset(row: 0, column: 16)
    let acc = UnsafeRawPointer(scratch)
    for r in 0..<rows {
        let row = acc + r &* 128
        let cr = c + r &* ldc
        store.row(cr, r, row.load(as: SIMD8<Float>.self), row.load(fromByteOffset: 32, as: SIMD8<Float>.self), columns: 16)
        right.row(cr + 16, r, row.load(fromByteOffset: 64, as: SIMD8<Float>.self),
                  row.load(fromByteOffset: 96, as: SIMD8<Float>.self), columns: columns &- 16)
    }
    #else
    preconditionFailure("wideTile: this build has no AVX-512 kernel")
    #endif
}
