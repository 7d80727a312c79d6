"""axc demo: JAX's programming model on axc. Run with `make demo`.

Shows what axc does today: immutable arrays with JAX's dtype rules, the NumPy API,
functional updates, pytrees, the primitive registry, and source-to-source gradients whose
generated Python you can read. Later work extends it with vmap / jit / random and
`axc compile`.
"""
import time

import numpy as np
from axc.kernels import registry

import axc as jax
import axc.numpy as jnp


def section(title: str) -> None:
    print(f"\n== {title} " + "=" * (60 - len(title)))


section("Arrays and JAX's dtype rules")
x = jnp.arange(5.0)
print("x =", repr(x))
print("isinstance(x, jax.Array):", isinstance(x, jax.Array), "| devices:", x.devices())
print("int array + Python float is weakly typed float32:", repr(jnp.arange(3) + 1.0))
print("float64 NumPy data is canonicalised:", jnp.asarray(np.arange(3.0)).dtype)
print("int32 wraps around as in JAX: jnp.int32(2**31 - 1) + 1 =", jnp.int32(2**31 - 1) + 1)


def selu(x, alpha=1.67, lmbda=1.05):
    return lmbda * jnp.where(x > 0, x, alpha * jnp.exp(x) - alpha)


section("The seeds' selu, eagerly")
print(selu(x))

section("Immutability and functional updates")
y = jnp.array([1, 2, 3])
try:
    y[0] = 10
except TypeError as e:
    print("TypeError:", str(e).split(".")[0] + ".")
print("y.at[0].set(10) =", y.at[0].set(10), "| y is unchanged:", y)
print("y.at[jnp.array([0, 0, 2])].add(1) =", y.at[jnp.array([0, 0, 2])].add(1))

section("NumPy API: reductions, linear algebra, nn")
m = jnp.arange(12.0).reshape(3, 4)
print("m.sum(axis=0) =", m.sum(axis=0), "| m.mean() =", m.mean())
a = jnp.array([[4.0, 1.0], [1.0, 3.0]])
print("solve(a, [1, 2]) =", jnp.linalg.solve(a, jnp.array([1.0, 2.0])))
print("eigh(a) eigenvalues =", jnp.linalg.eigh(a)[0])
print("softmax([1, 2, 3]) =", jax.nn.softmax(jnp.array([1.0, 2.0, 3.0])))

section("Pytrees")
params = {"w": jnp.ones((2, 2)), "b": jnp.zeros(2), "meta": (1.0, None)}
leaves, treedef = jax.tree_util.tree_flatten(params)
print("treedef:", treedef)
print("tree_map(lambda p: p * 2, params)['w'] =",
      jax.tree_util.tree_map(lambda p: p * 2, params)["w"].tolist())

section("The primitive registry")
prims = registry.primitives()
families: dict[str, int] = {}
for p in prims.values():
    families[p.family] = families.get(p.family, 0) + 1
print(f"{len(prims)} primitives:", ", ".join(f"{k}: {v}" for k, v in sorted(families.items())))
pending = registry.missing_rules()
print(f"rules still to come (JVP, adjoint, batching, LLVM, CUDA) for {len(pending)} primitives")


def sum_logistic(x):
    return jnp.sum(1.0 / (1.0 + jnp.exp(-x)))


def mlp_loss(params, x, y):
    hidden = jnp.tanh(x @ params["w1"] + params["b1"])
    pred = hidden @ params["w2"]
    return jnp.mean((pred - y) ** 2)


section("grad: derivatives as generated Python source")
dlogistic = jax.grad(sum_logistic)
print("grad(sum_logistic)(arange(3.)) =", dlogistic(jnp.arange(3.0)))
print("its generated source, grad(sum_logistic).source:\n")
print(dlogistic.source)
print("second derivative, grad(grad(f)) of sin(x) * x at 1.0:",
      jax.grad(jax.grad(lambda v: jnp.sin(v) * v))(1.0))
params = {"w1": jnp.ones((3, 4)) * 0.1, "b1": jnp.zeros(4), "w2": jnp.ones((4, 1)) * 0.2}
xs, ys = jnp.arange(6.0).reshape(2, 3) / 6, jnp.ones((2, 1))
loss, grads = jax.value_and_grad(mlp_loss)(params, xs, ys)
print("value_and_grad of an MLP loss over a dict of params: loss =", loss)
print("  gradient pytree:", {k: v.shape for k, v in grads.items()})
print("jacfwd(jnp.sin)(arange(3.)) diagonal =", jnp.diagonal(jax.jacfwd(jnp.sin)(jnp.arange(3.0))))

section("jit: staged to a typed IR, elementwise chains fused into one LLVM loop")
selu_jit = jax.jit(selu)
big = jnp.asarray(np.random.default_rng(0).standard_normal(1_000_000, dtype=np.float32))
print("max |selu_jit(x) - selu(x)| =", float(jnp.max(jnp.abs(selu_jit(big) - selu(big)))))
print("the optimised IR, selu_jit.lower(x).compile().as_text():\n")
print(selu_jit.lower(big).compile().as_text())


def best_of(fn, n=20):
    times = []
    for _ in range(n):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times) * 1e3


print(f"\nselu on 1M float32: eager {best_of(lambda: selu(big)):.2f} ms, "
      f"jit {best_of(lambda: selu_jit(big)):.2f} ms")


@jax.jit
def relu_or_neg(x, neg):
    # A Python `if` on a traced value: JAX raises TracerBoolConversionError; axc converts
    # it to a staged cond (AutoGraph-style), so it works.
    return -x if neg else x


print("\njit(lambda x, neg: -x if neg else x)(1.0, True) =", relu_or_neg(1.0, True))
print("make_ir of it:\n")
print(jax.make_ir(relu_or_neg)(1.0, True))


section("vmap: one batched computation instead of a Python loop")
mat = jnp.asarray(np.random.default_rng(1).standard_normal((150, 100), dtype=np.float32))
vs = jnp.asarray(np.random.default_rng(2).standard_normal((10, 100), dtype=np.float32))
batched = jax.vmap(jnp.dot, in_axes=(None, 0))(mat, vs)   # one matrix product
print("vmap(jnp.dot, (None, 0))(A[150,100], v[10,100]).shape =", batched.shape,
      "| matches v @ A.T:", bool(jnp.allclose(batched, vs @ mat.T, atol=1e-4)))
print("as make_ir shows, the batching rule of dot_general made it one matrix product:\n")
print(jax.make_ir(jax.vmap(jnp.dot, in_axes=(None, 0)))(mat, vs))


def clip_norm(v):
    # A Python `if` on a per-example value: under vmap each example takes its own branch
    # (both branches run and a select picks per example); JAX would raise here.
    n = jnp.sqrt(jnp.sum(v * v))
    if n > 10.0:
        v = v * (10.0 / n)
    return v


norms = jnp.sqrt(jnp.sum(jax.vmap(clip_norm)(vs * jnp.arange(1.0, 11.0)[:, None]) ** 2, axis=1))
print("\nper-example norms after vmap(clip_norm):", norms)

# Per-example gradients: vmap of grad (the generated gradient source runs on the batch).
w = jnp.ones(100) / 10
per_example = jax.vmap(jax.grad(lambda w, v: jnp.tanh(jnp.dot(v, w))), in_axes=(None, 0))(w, vs)
print("per-example gradients:", per_example.shape, "| jit(vmap(grad)) agrees:",
      bool(jnp.allclose(per_example, jax.jit(jax.vmap(
          jax.grad(lambda w, v: jnp.tanh(jnp.dot(v, w))), in_axes=(None, 0)))(w, vs),
          atol=1e-6)))
keys = jax.random.split(jax.random.key(0), 3)
print("vmap over split keys:", jax.vmap(lambda k: jax.random.normal(k, (2,)))(keys))
