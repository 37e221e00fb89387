import Foundation
import ELBORuntime
import GeneratedKernels

/// Any bytes as the JSON of `elbo kernel NAME --eval`: the first byte picks the kernel, the rest
/// is the document. Reading must throw a `Problem` or give inputs the kernel evaluates without
/// trapping or exhausting memory, as `KernelCommand.eval` does.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzKernelEval(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard size >= 1 else { return 0 }
    let kernels = KernelRegistry.all
    let kernel = kernels[Int(data[0]) % kernels.count]
    let document = Data(bytes: data + 1, count: size - 1)
    guard let input = try? KernelEvalInput(data: document, descriptor: kernel.descriptor) else { return 0 }
    _ = input.evaluate(kernel)
    return 0
}
