#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The count of SIGINTs received. A signal handler may only touch lock-free memory, so this
/// is a plain `sig_atomic_t` cell allocated before the handler is installed (a lazily
/// initialised global could run its initialiser inside the handler). Readers go through a
/// non-inlined accessor, so the polling loop reloads it each time.
private let interruptCount: UnsafeMutablePointer<sig_atomic_t> = {
    let cell = UnsafeMutablePointer<sig_atomic_t>.allocate(capacity: 1)
    cell.initialize(to: 0)
    return cell
}()

/// The SIGINT handler: the first Ctrl-C only raises the flag so that training can save and
/// stop; a second one restores the default action and re-raises, killing the process.
private let interruptHandler: @convention(c) (Int32) -> Void = { signal in
    interruptCount.pointee &+= 1
    if interruptCount.pointee >= 2 {
        _ = resetSignal(signal, SIG_DFL)
        raise(signal)
    }
}

@inline(__always)
private func resetSignal(_ sig: Int32, _ handler: sighandler_t?) -> sighandler_t? {
    #if canImport(Glibc)
    return Glibc.signal(sig, handler)
    #else
    return Darwin.signal(sig, handler)
    #endif
}

/// A process-wide "Ctrl-C was pressed" flag that a training loop polls between steps.
///
/// `install()` replaces the SIGINT action; `uninstall()` restores the previous one.
public final class InterruptFlag: @unchecked Sendable {
    /// The one flag (signal dispositions are per process).
    public static let shared = InterruptFlag()

    private var previous: sighandler_t?
    private var installed = false

    private init() {}

    /// Installs the SIGINT handler and clears the flag.
    ///
    /// Uses `signal`, which on glibc and Darwin has BSD semantics (the handler stays installed
    /// and interrupted system calls restart). An earlier version built a `sigaction` value field
    /// by field; in optimised whole-module builds the handler field did not reach the kernel
    /// (SIGINT stayed at its default and killed the process), so the simpler call is used.
    public func install() {
        // Clear the count even when already installed: a stale count from an earlier run in the
        // same process would make the next Ctrl-C count as the second one and kill it.
        interruptCount.pointee = 0 // also forces the cell's allocation before any signal can arrive
        guard !installed else { return }
        previous = resetSignal(SIGINT, interruptHandler)
        installed = true
    }

    /// Restores the SIGINT action that was in place before `install()`.
    public func uninstall() {
        guard installed else { return }
        _ = resetSignal(SIGINT, previous)
        installed = false
    }

    /// Whether SIGINT has arrived since `install()` or `reset()`.
    public var isSet: Bool { read() > 0 }

    @inline(never)
    private func read() -> sig_atomic_t { interruptCount.pointee }

    /// Raises the flag as if Ctrl-C had been pressed once (for tests and programmatic stops).
    public func set() { interruptCount.pointee = max(interruptCount.pointee, 1) }

    /// Clears the flag.
    public func reset() { interruptCount.pointee = 0 }
}
