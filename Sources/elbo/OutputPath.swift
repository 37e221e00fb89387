import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Checks of `--out` paths before any work is done, so that an empty path, a device, a missing
/// directory or a file where a directory is wanted gives one clear message (exit 2) instead of
/// writing into the current directory or a raw Foundation error at the end.
enum OutputPath {
    /// A file to be written (replaced atomically): `--out FILE`. Its directory must exist.
    static func file(_ path: String, option: String = "--out") throws -> URL {
        guard !path.isEmpty else { throw CommandFailure.usage("\(option) needs a file name, got ''") }
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) {
            if isDirectory.boolValue { throw CommandFailure.input("\(path): error: is a directory; \(option) needs a file name") }
            if !isRegularFile(path) {
                throw CommandFailure.input("\(path): error: not a regular file (a device or pipe); \(option) writes a file it can replace")
            }
        }
        let url = URL(fileURLWithPath: path)
        let parent = url.deletingLastPathComponent().path
        guard FileManager.default.fileExists(atPath: parent, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw CommandFailure.input("\(path): error: the directory \(parent) does not exist")
        }
        guard access(parent, W_OK) == 0 else { throw CommandFailure.input("\(path): error: the directory \(parent) is not writable") }
        return url
    }

    /// A directory to be created if needed: `--out DIR`.
    static func directory(_ path: String, option: String = "--out") throws -> URL {
        guard !path.isEmpty else { throw CommandFailure.usage("\(option) needs a directory name, got ''") }
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue {
            throw CommandFailure.input("\(path): error: exists and is not a directory; \(option) needs a directory")
        }
        return URL(fileURLWithPath: path)
    }

    /// Creates `url` (and its parents), as a message naming the path when that fails.
    static func create(_ url: URL) throws {
        do { try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true) } catch {
            throw CommandFailure.input("\(url.path): error: cannot create the directory: \(reason(error))")
        }
    }

    /// Writes `data` to `url` atomically, as a message naming the path when that fails.
    static func write(_ data: Data, to url: URL) throws {
        do { try data.write(to: url, options: .atomic) } catch {
            throw CommandFailure.input("\(url.path): error: cannot write: \(reason(error))")
        }
    }

    /// The operating system's reason behind a Foundation file error, without its domain and code.
    static func reason(_ error: Error) -> String {
        let ns = error as NSError
        if let underlying = ns.userInfo[NSUnderlyingErrorKey] as? NSError, underlying.domain == NSPOSIXErrorDomain {
            return String(cString: strerror(Int32(underlying.code)))
        }
        if ns.domain == NSPOSIXErrorDomain { return String(cString: strerror(Int32(ns.code))) }
        return ns.localizedDescription
    }

    private static func isRegularFile(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFREG
    }
}
