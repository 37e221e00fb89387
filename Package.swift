// swift-tools-version:6.0
import PackageDescription

/// Layers (imports point one way, see docs/DESIGN.md):
/// ELBOAlgebra ← ELBOSpec ← ELBOCheck ← ELBOCodegen;  ELBORuntimeAVX512 ← ELBORuntime ← GeneratedKernels;
/// elbo imports all.
/// The numeric layers are compiled with optimisation even in debug builds so that
/// `swift test` can train small models in seconds.
let optimised: [SwiftSetting] = [.unsafeFlags(["-O", "-wmo", "-disable-batch-mode", "-num-threads", "2"])]
/// The numeric layers also use the CPU's fused multiply-add and eight-lane integer operations
/// (x86-64 with AVX2 and FMA: Haswell, Zen or later; the GEMM micro-kernel and the kernel
/// math pick their FMA paths by the ELBO_FMA define).
let numeric: [SwiftSetting] = [.unsafeFlags(["-O", "-wmo", "-disable-batch-mode", "-num-threads", "2",
                                             "-Xcc", "-mfma", "-Xcc", "-mavx2", "-D", "ELBO_FMA"])]

/// The GEMM's AVX-512 tiles: called only on CPUs that have AVX-512 (checked at run time), so
/// that one build runs on AVX2 machines too.
let avx512: [SwiftSetting] = [.unsafeFlags(["-O", "-wmo", "-disable-batch-mode", "-num-threads", "2",
                                            "-Xcc", "-mfma", "-Xcc", "-mavx2", "-Xcc", "-mavx512f"])]

let package = Package(
    name: "ELBO",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "elbo", targets: ["elbo"]),
        .library(name: "ELBOCheck", targets: ["ELBOCheck"]),
        .library(name: "ELBORuntime", targets: ["ELBORuntime"]),
        // For the fuzz package in Fuzz/, which builds the readers with -sanitize=fuzzer.
        .library(name: "ELBOSpec", targets: ["ELBOSpec"]),
        .library(name: "ELBOCodegen", targets: ["ELBOCodegen"]),
        .library(name: "GeneratedKernels", targets: ["GeneratedKernels"]),
    ],
    targets: [
        .target(name: "ELBOAlgebra", swiftSettings: optimised),
        .target(name: "ELBOSpec", dependencies: ["ELBOAlgebra"], swiftSettings: optimised),
        .target(name: "ELBOCheck", dependencies: ["ELBOAlgebra", "ELBOSpec"], swiftSettings: optimised),
        .target(name: "ELBOCodegen", dependencies: ["ELBOAlgebra", "ELBOSpec", "ELBOCheck"]),
        .target(name: "ELBORuntimeAVX512", swiftSettings: avx512),
        .target(name: "ELBORuntime", dependencies: ["ELBORuntimeAVX512"], resources: [.copy("Resources/MNIST")],
                swiftSettings: numeric),
        .target(name: "GeneratedKernels", dependencies: ["ELBORuntime"], path: "Generated",
                swiftSettings: numeric),
        .executableTarget(name: "elbo", dependencies: [
            "ELBOAlgebra", "ELBOSpec", "ELBOCheck", "ELBOCodegen", "ELBORuntime", "GeneratedKernels",
        ]),
        .testTarget(name: "ELBOAlgebraTests", dependencies: ["ELBOAlgebra"]),
        .testTarget(name: "ELBOSpecTests", dependencies: ["ELBOSpec"]),
        .testTarget(name: "ELBOCheckTests", dependencies: ["ELBOCheck", "ELBOSpec", "ELBOAlgebra"],
                    exclude: ["Seeds"]),
        .testTarget(name: "ELBOCodegenTests", dependencies: ["ELBOCodegen", "GeneratedKernels", "ELBORuntime"]),
        .testTarget(name: "ELBOCommandTests", dependencies: ["elbo"]),
        .testTarget(name: "ELBORuntimeTests", dependencies: ["ELBORuntime"], swiftSettings: numeric),
    ],
    swiftLanguageModes: [.v5]
)
