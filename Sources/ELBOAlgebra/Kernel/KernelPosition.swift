/// A position of a rule application: `lhs`/`rhs`, child indices into that side, and named
/// segments for terms the normaliser derived (`family:…`, `define:…`) after them. An empty
/// position is the whole step (an assumption put in force).
struct Position {
    enum Side: String { case lhs, rhs }
    let side: Side?
    let path: [Int]
    let named: [String]

    init(side: Side, path: some Sequence<Int>) {
        self.side = side
        self.path = Array(path)
        self.named = []
    }

    init(_ at: String) throws {
        if at.isEmpty { side = nil; path = []; named = []; return }
        var parts = at.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        guard let s = Side(rawValue: parts.removeFirst()) else { throw KernelRejection("position \(at) names no side") }
        var path: [Int] = [], named: [String] = []
        for p in parts {
            if named.isEmpty, let i = Int(p), i >= 0 { path.append(i); continue }
            guard p.hasPrefix("family:") || p.hasPrefix("define:") || p == "log" || p == "derived" || Int(p) != nil else {
                throw KernelRejection("position \(at) has a segment \(p) that is neither a child index nor a derived term")
            }
            named.append(p)
        }
        // `log` names the log a KL or an entropy introduces: nothing is inside it.
        if let i = named.firstIndex(of: "log"), i != named.count - 1 {
            throw KernelRejection("position \(at) continues past the log of a KL or entropy argument")
        }
        side = s
        self.path = path
        self.named = named
    }

    /// 0 for the whole step, 1 for the left side, 2 for the right side.
    var phase: Int { side == nil ? 0 : (side == .lhs ? 1 : 2) }

    /// The node at `path` in `root`.
    func node(in root: Expr) -> Expr? {
        var e = root
        for i in path {
            let c = e.children
            guard i < c.count else { return nil }
            e = c[i]
        }
        return e
    }

    /// `root` with the node at `path` replaced by `replacement` (the path exists).
    func replacing(in root: Expr, with replacement: Expr) -> Expr {
        func go(_ e: Expr, _ rest: ArraySlice<Int>) -> Expr {
            guard let i = rest.first else { return replacement }
            var kids = e.children
            kids[i] = go(kids[i], rest.dropFirst())
            return e.withChildren(kids)
        }
        return go(root, path[...])
    }

    /// Every node of `root` with its numeric position, pre-order.
    static func numberedNodes(_ root: Expr, prefix: String) -> [(String, Expr)] {
        var out = [(prefix, root)]
        for (i, c) in root.children.enumerated() { out += numberedNodes(c, prefix: "\(prefix)/\(i)") }
        return out
    }
}
