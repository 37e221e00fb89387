// swift-tools-version:5.4
import PackageDescription

/// libFuzzer targets for elbo's input readers (see README.md here and `run.sh`). A package of
/// its own so that the root package's `swift build` and `swift test` neither build nor wait for
/// them; `run.sh` builds it with `-sanitize=fuzzer` into `../.build-fuzz`.
let spec = Target.Dependency.product(name: "ELBOSpec", package: "ELBO")
let runtime = Target.Dependency.product(name: "ELBORuntime", package: "ELBO")
let kernels = Target.Dependency.product(name: "GeneratedKernels", package: "ELBO")

let package = Package(
    name: "ELBOFuzz",
    dependencies: [.package(name: "ELBO", path: "..")],
    targets: [
        .executableTarget(name: "FuzzSpec", dependencies: [spec]),
        .executableTarget(name: "FuzzLaTeX", dependencies: [spec]),
        .executableTarget(name: "FuzzCheck", dependencies: [spec, .product(name: "ELBOCheck", package: "ELBO")]),
        .executableTarget(name: "FuzzKernelEval", dependencies: [runtime, kernels]),
        .executableTarget(name: "FuzzIDX", dependencies: [runtime]),
        .executableTarget(name: "FuzzCheckpoint", dependencies: [runtime]),
        // RunLimits needs ModelSetup, which reads specs and names objectives' kernels.
        .executableTarget(name: "FuzzRunJSON", dependencies: [runtime, kernels, spec, .product(name: "ELBOCodegen", package: "ELBO")]),
    ]
)
