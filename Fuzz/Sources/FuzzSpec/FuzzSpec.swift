import ELBOSpec

/// Any bytes as a `.elbo` spec: the lexer, the parser and the derivation builder must answer
/// with derivations or diagnostics, never trap.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzSpec(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    _ = SpecParser.parseRecovering(source: text, path: "fuzz.elbo")
    return 0
}
