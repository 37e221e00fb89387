"""Evaluates exported loss modules for the Swift export tests (Tests/ELBOCodegenTests/ExportTests.swift).

Reads a JSON request on standard input:
    {"backend": "pytorch" | "jax",
     "cases": [{"module": PATH, "arrays": {name: {"shape": [...], "values": [...]}},
                "incoming": {sampler output: {"shape": [...], "values": [...]}}}]}
and prints, for each case, the module's loss and its gradient with respect to every argument
of loss() (by the framework's autodiff, in float64), and for each sampler its output and the
vector-Jacobian product with the incoming gradient (null for a value that is not finite):
    {"cases": [{"kernel": KERNEL, "loss": x, "gradients": {name: [...]},
                "samplers": {output: {"output": [...], "gradients": {name: [...]}}}}]}
Usage: python export_check.py < request.json   (exit 3 when the backend cannot be imported)
"""
import importlib.util
import json
import math
import sys


def load(path, index):
    spec = importlib.util.spec_from_file_location(f"exported_{index}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def number(v):
    """A JSON number, or null for a value that is not finite (JSON has no inf or nan)."""
    v = float(v)
    return v if math.isfinite(v) else None


def flat(array):
    return [number(v) for v in array.reshape(-1).tolist()]


def torch_case(module, case):
    import torch

    def tensor(entry):
        return torch.tensor(entry["values"], dtype=torch.float64).reshape(entry["shape"])

    arrays = {name: tensor(entry) for name, entry in case["arrays"].items()}
    args = {name: arrays[name].clone().requires_grad_(True) for name in module.LOSS_INPUTS}
    value = module.loss(**args)
    grads = torch.autograd.grad(value, list(args.values()), allow_unused=True)
    out = {"kernel": module.KERNEL, "loss": number(value),
           "gradients": {n: flat(g) if g is not None else [0.0] * args[n].numel() for n, g in zip(args, grads)},
           "samplers": {}}
    for output, (names, _noise, _dimension) in module.SAMPLERS.items():
        sargs = {name: arrays[name].clone().requires_grad_(True) for name in names}
        sample = getattr(module, "sample_" + output)(**sargs)
        sgrads = torch.autograd.grad(sample, list(sargs.values()), grad_outputs=tensor(case["incoming"][output]),
                                     allow_unused=True)
        out["samplers"][output] = {
            "output": flat(sample.detach()),
            "gradients": {n: flat(g) if g is not None else [0.0] * sargs[n].numel() for n, g in zip(sargs, sgrads)}}
    return out


def jax_case(module, case):
    import jax
    import numpy as np

    def array(entry):
        return jax.numpy.asarray(np.array(entry["values"], dtype=np.float64).reshape(entry["shape"]))

    arrays = {name: array(entry) for name, entry in case["arrays"].items()}
    args = {name: arrays[name] for name in module.LOSS_INPUTS}
    value, grads = jax.jit(jax.value_and_grad(lambda kw: module.loss(**kw)))(args)
    out = {"kernel": module.KERNEL, "loss": number(value),
           "gradients": {n: flat(np.asarray(g)) for n, g in grads.items()}, "samplers": {}}
    for output, (names, _noise, _dimension) in module.SAMPLERS.items():
        sampler = getattr(module, "sample_" + output)
        sample, vjp = jax.vjp(lambda kw: sampler(**kw), {name: arrays[name] for name in names})
        (sgrads,) = vjp(array(case["incoming"][output]))
        out["samplers"][output] = {"output": flat(np.asarray(sample)),
                                   "gradients": {n: flat(np.asarray(g)) for n, g in sgrads.items()}}
    return out


def main():
    request = json.load(sys.stdin)
    backend = request["backend"]
    try:
        if backend == "pytorch":
            import torch  # noqa: F401
            evaluate = torch_case
        else:
            import jax
            jax.config.update("jax_enable_x64", True)
            evaluate = jax_case
    except ImportError as error:
        print(f"cannot import {backend}: {error}", file=sys.stderr)
        sys.exit(3)
    results = [evaluate(load(case["module"], i), case) for i, case in enumerate(request["cases"])]
    json.dump({"cases": results}, sys.stdout)


if __name__ == "__main__":
    main()
