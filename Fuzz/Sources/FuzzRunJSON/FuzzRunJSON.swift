import Foundation
import ELBORuntime
import GeneratedKernels

/// Any bytes as a run directory's `run.json`: decoding and `RunLimits.validate` against the
/// kernel the file names (or, when it names none that exists, one picked by its length) must
/// throw, never trap; a run that passes is rebuilt as `elbo sample` and `--resume` do, down to
/// its networks' layer sizes.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzRunJSON(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let document = Data(bytes: data, count: size)
    guard let run = try? JSONDecoder().decode(RunMetadata.self, from: document) else { return 0 }
    let kernel = KernelRegistry.kernel(named: run.kernel) ?? KernelRegistry.all[size % KernelRegistry.all.count]
    guard (try? RunLimits.validate(run, descriptor: kernel.descriptor, path: "run.json")) != nil else { return 0 }
    _ = RunLimits.parameterCount(kernel.descriptor, dims: run.dims, hidden: run.hidden)
    return 0
}
