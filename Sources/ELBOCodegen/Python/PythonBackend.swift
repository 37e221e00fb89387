/// A Python array framework an objective can be exported to, and how it spells each
/// operation of the kernel IR. Everything framework-specific of `elbo export` is here; the
/// emitter itself (`PythonModuleEmitter`, `PythonValueEmitter`) is shared.
public enum PythonBackend: String, CaseIterable, Sendable {
    case pytorch
    case jax

    /// The suffix of exported file names: `vae_bernoulli_loss_torch.py`.
    public var fileSuffix: String {
        switch self {
        case .pytorch: return "torch"
        case .jax: return "jax"
        }
    }

    /// The framework's name in prose.
    public var displayName: String {
        switch self {
        case .pytorch: return "PyTorch"
        case .jax: return "JAX"
        }
    }

    /// The only imports of an exported module.
    var imports: [String] {
        switch self {
        case .pytorch: return ["import torch"]
        case .jax: return ["import jax", "import jax.numpy as jnp"]
        }
    }

    /// Module-level names the emitted code uses, which no generated name may shadow.
    var reservedNames: [String] {
        switch self {
        case .pytorch: return ["torch"]
        case .jax: return ["jax", "jnp"]
        }
    }

    /// `f(a)` for an elementwise function of the framework.
    func call(_ function: String, _ args: [String]) -> String {
        let prefix: String
        switch self {
        case .pytorch: prefix = "torch."
        case .jax: prefix = "jnp."
        }
        return prefix + function + "(" + args.joined(separator: ", ") + ")"
    }

    /// Σ over the last axis.
    func sumLastAxis(_ a: String) -> String {
        switch self {
        case .pytorch: return "torch.sum(\(a), dim=-1)"
        case .jax: return "jnp.sum(\(a), axis=-1)"
        }
    }

    /// log Σ exp over the last axis, shifted by the maximum (the framework's own, which is
    /// safe and has an exact derivative).
    func logSumExpLastAxis(_ a: String) -> String {
        switch self {
        case .pytorch: return "torch.logsumexp(\(a), dim=-1)"
        case .jax: return "jax.nn.logsumexp(\(a), axis=-1)"
        }
    }

    /// The mean over the batch axis of the per-example values.
    func mean(_ a: String) -> String {
        switch self {
        case .pytorch: return "torch.mean(\(a))"
        case .jax: return "jnp.mean(\(a))"
        }
    }

    /// The size of dimension `axis` of array `array`, as a number the framework's functions
    /// accept: a 0-d tensor of the array's type in PyTorch (`torch.log` refuses a Python
    /// int), a Python int in JAX (static under `jax.jit`).
    func dimensionSize(of array: String, axis: Int) -> String {
        switch self {
        case .pytorch: return "\(array).new_tensor(\(array).shape[\(axis)])"
        case .jax: return "\(array).shape[\(axis)]"
        }
    }

    /// The definition of `softplus(a) = log(1 + eᵃ)` the module carries, as lines.
    /// `logaddexp(a, 0)` is computed as max(a, 0) + log1p(e^−|a|) by both frameworks: it
    /// neither overflows for large logits nor loses small ones, and its derivative is σ(a).
    var softplusDefinition: [String] {
        switch self {
        case .pytorch:
            return ["def softplus(a):",
                    "    \"\"\"log(1 + exp(a)) without overflow: logaddexp(a, 0).\"\"\"",
                    "    return torch.logaddexp(a, torch.zeros_like(a))"]
        case .jax:
            return ["def softplus(a):",
                    "    \"\"\"log(1 + exp(a)) without overflow: logaddexp(a, 0).\"\"\"",
                    "    return jnp.logaddexp(a, 0.0)"]
        }
    }

    /// The expression of a pointwise op on already-spelled arguments, or nil for the ops
    /// `PythonValueEmitter` writes itself (leaves, arithmetic, reductions).
    func function(_ op: KernelOp, _ a: [String]) -> String? {
        switch op {
        case .constant, .input, .param, .dimension, .seed, .incomingGradient, .add, .sub, .mul, .div, .neg,
             .powInt, .powReal, .sum, .logsumexp:
            return nil
        case .sqrt: return call("sqrt", a)
        case .log: return call("log", a)
        case .exp: return call("exp", a)
        case .softplus: return "softplus(\(a[0]))"
        case .sigmoid:
            switch self {
            case .pytorch: return "torch.sigmoid(\(a[0]))"
            case .jax: return "jax.nn.sigmoid(\(a[0]))"
            }
        case .logsigmoid:
            switch self {
            case .pytorch: return "torch.nn.functional.logsigmoid(\(a[0]))"
            case .jax: return "jax.nn.log_sigmoid(\(a[0]))"
            }
        case .log1p, .log1pUnit: return call("log1p", a)
        case .expm1: return call("expm1", a)
        case .expNegAbs: return call("exp", ["-" + call("abs", a)])
        case .abs: return call("abs", a)
        case .relu:
            switch self {
            case .pytorch: return "torch.relu(\(a[0]))"
            case .jax: return "jax.nn.relu(\(a[0]))"
            }
        case .ifNonNegative: return call("where", ["\(a[0]) >= 0", a[1], a[2]])
        }
    }
}
