/// The derivative table: one rule per op, in one `switch` without `default`, so that a new
/// op does not compile until it has a derivative. Each rule builds ∂value/∂argument as IR
/// values, reusing the value itself where that is cheaper (exp, sigmoid, expm1, sqrt).
extension KernelGraph {
    /// ∂`id`/∂(argument i) for each argument. For a reduction, the partial with respect to
    /// its body at the reduced level.
    public mutating func partials(of id: ValueID) -> [ValueID] {
        let node = nodes[id]
        let a = node.args
        let one = constant(1)
        switch node.op {
        case .constant, .input, .param, .dimension, .seed, .incomingGradient:
            return []
        case .add:
            return [one, one]
        case .sub:
            return [one, constant(-1)]
        case .mul:
            return [a[1], a[0]]
        case .div:
            // ∂(x/y)/∂y = −(x/y)/y.
            return [div(one, a[1]), neg(div(id, a[1]))]
        case .neg:
            return [constant(-1)]
        case .powInt(let n):
            return [mul(constant(Double(n)), powInt(a[0], n - 1))]
        case .powReal(let r):
            return [mul(constant(r), powReal(a[0], r - 1))]
        case .sqrt:
            return [div(constant(0.5), id)]
        case .log:
            return [div(one, a[0])]
        case .exp:
            return [id]
        case .softplus:
            return [apply(.sigmoid, [a[0]])]
        case .sigmoid:
            return [mul(id, sub(one, id))]
        case .logsigmoid:
            // d/da log σ(a) = 1 − σ(a) = σ(−a).
            return [apply(.sigmoid, [neg(a[0])])]
        case .log1p, .log1pUnit:
            return [div(one, add(one, a[0]))]
        case .expm1:
            return [add(id, one)]
        case .expNegAbs:
            // d/da e^−|a| = −sign(a) e^−|a| (−1 at a = 0, a subgradient).
            return [mul(apply(.ifNonNegative, [a[0], constant(-1), one]), id)]
        case .abs:
            return [apply(.ifNonNegative, [a[0], one, constant(-1)])]
        case .relu:
            return [apply(.ifNonNegative, [a[0], one, constant(0)])]
        case .ifNonNegative:
            return [constant(0), apply(.ifNonNegative, [a[0], one, constant(0)]),
                    apply(.ifNonNegative, [a[0], constant(0), one])]
        case .sum:
            return [one]
        case .logsumexp:
            // The softmax weight of each term: exp(x − log Σ exp x).
            return [exp(sub(a[0], id))]
        }
    }
}
