import Foundation
import ELBORuntime
import GeneratedKernels

/// `elbo gradcheck [NAME…]`: central differences in Double against every generated gradient.
enum GradcheckCommand {
    static let command = Command(
        name: "gradcheck", arguments: "[NAME…]",
        summary: "check every generated gradient (or the named kernels') by central differences in Double",
        body: run)

    static func run(_ a: CommandArguments) throws -> Int32 {
        let args = a.positionals
        var kernels = KernelRegistry.all
        if !args.isEmpty {
            kernels = []
            for name in args {
                guard let k = KernelRegistry.kernel(named: name) else {
                    throw CommandFailure.input("no kernel named '\(name)'; have \(KernelRegistry.all.map { $0.descriptor.name }.joined(separator: ", "))")
                }
                kernels.append(k)
            }
        }
        var failed = false
        for k in kernels {
            let report = KernelGradcheck.run(k)
            let dims = KernelGradcheck.defaultDims(k.descriptor).sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
            print(String(format: "%@ %@: %d partials (%@, batch 3), max abs error %.2e, max rel error %.2e",
                         report.passed ? "ok  " : "FAIL", report.kernel, report.checked, dims.joined(separator: " "),
                         report.maxAbsoluteError, report.maxRelativeError))
            for f in report.failures { print("      \(f)") }
            if report.failureCount > report.failures.count {
                print("      … and \(report.failureCount - report.failures.count) more")
            }
            failed = failed || !report.passed
        }
        print("tolerances: eps \(KernelGradcheck.eps), atol \(KernelGradcheck.atol), rtol \(KernelGradcheck.rtol) (torch.autograd.gradcheck)")
        return failed ? 1 : 0
    }
}
