import Dispatch
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A progress report for a long loop: examples per second, the latest loss and the time left.
///
/// On a terminal it rewrites one line in place with `\r` (at most ten times a second); in a
/// log file or pipe it prints a plain line every `plainInterval` seconds instead, so logs stay
/// readable.
public final class ProgressLine {
    private let total: Int
    private let label: String
    private let isTerminal: Bool
    private let plainInterval: Double
    private let write: (String) -> Void
    private let clock: () -> Double
    private let start: Double
    private var lastPrint: Double
    private var printedInPlace = false

    /// A progress line for `total` items.
    ///
    /// - Parameters:
    ///   - isTerminal: whether to redraw in place; by default, whether stderr is a TTY.
    ///   - write: where text goes; by default stderr.
    ///   - clock: seconds from any fixed origin; by default the monotonic clock.
    public init(total: Int, label: String, isTerminal: Bool? = nil, plainInterval: Double = 10,
                write: ((String) -> Void)? = nil, clock: (() -> Double)? = nil) {
        self.total = total
        self.label = label
        self.isTerminal = isTerminal ?? (isatty(STDERR_FILENO) != 0)
        self.plainInterval = plainInterval
        self.write = write ?? { text in fputs(text, stderr) }
        self.clock = clock ?? { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }
        start = self.clock()
        lastPrint = start
    }

    /// Reports that `completed` items are done; `loss` is the latest (or running) loss.
    public func update(completed: Int, loss: Double?) {
        let now = clock()
        let interval = isTerminal ? 0.1 : plainInterval
        guard now - lastPrint >= interval || completed >= total else { return }
        lastPrint = now
        let line = ProgressLine.format(label: label, completed: completed, total: total,
                                       elapsed: now - start, loss: loss)
        if isTerminal {
            write("\r\u{1B}[K" + line)
            printedInPlace = true
        } else {
            write(line + "\n")
        }
    }

    /// Ends the line (on a terminal) and prints `summary` on its own line, if given.
    public func finish(_ summary: String? = nil) {
        if isTerminal && printedInPlace { write("\r\u{1B}[K") }
        if let summary { write(summary + "\n") }
    }

    /// The text of one report, e.g. `epoch 2/10  12800/60000  4521 ex/s  loss 102.3456  ETA 10s`.
    public static func format(label: String, completed: Int, total: Int, elapsed: Double, loss: Double?) -> String {
        let rate = elapsed > 0 ? Double(completed) / elapsed : 0
        var parts = [label, "\(completed)/\(total)", "\(Int(rate.rounded())) ex/s"]
        if let loss { parts.append("loss " + fixed(loss, 4)) }
        if rate > 0 && completed < total {
            parts.append("ETA " + duration(Double(total - completed) / rate))
        }
        return parts.joined(separator: "  ")
    }

    /// `3s`, `2m05s` or `1h02m`.
    static func duration(_ seconds: Double) -> String {
        let s = Int(seconds.rounded())
        if s < 60 { return "\(s)s" }
        if s < 3600 { return "\(s / 60)m" + pad2(s % 60) + "s" }
        return "\(s / 3600)h" + pad2((s % 3600) / 60) + "m"
    }

    private static func pad2(_ v: Int) -> String { v < 10 ? "0\(v)" : "\(v)" }
}

/// `value` with `digits` decimals, without Foundation's locale-dependent formatting.
func fixed(_ value: Double, _ digits: Int) -> String {
    guard value.isFinite else { return "\(value)" }
    let scale = (0..<digits).reduce(1.0) { r, _ in r * 10 }
    let scaled = (abs(value) * scale).rounded()
    guard scaled < 9e15 else { return "\(value)" }
    let whole = Int(scaled) / Int(scale), fraction = Int(scaled) % Int(scale)
    var f = String(fraction)
    f = String(repeating: "0", count: max(0, digits - f.count)) + f
    return (value < 0 && scaled != 0 ? "-" : "") + "\(whole)" + (digits > 0 ? "." + f : "")
}
