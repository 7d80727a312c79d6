"""The seeds' selu, ready for ``axc compile examples/selu.py``.

``@axc.signature`` gives the argument types to build for ahead of time; ``selu_grad`` is a
module-level transformed function, compiled too.
"""
import axc
import axc.numpy as jnp


@axc.jit
@axc.signature("f32[1000]")
def selu(x, alpha=1.67, lmbda=1.05):
    return lmbda * jnp.where(x > 0, x, alpha * jnp.exp(x) - alpha)


def selu_sum(x):
    return jnp.sum(selu(x))


selu_grad = axc.signature("f32[1000]")(axc.grad(selu_sum))
selu_batched = axc.signature("f32[8,1000]")(axc.vmap(selu))

if __name__ == "__main__":
    x = jnp.arange(5.0)
    print(selu(x))
