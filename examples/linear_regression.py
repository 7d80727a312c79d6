"""One step of gradient descent on least squares, for ``axc compile``.

    axc compile examples/linear_regression.py -o build/linreg
    axc show examples/linear_regression.py:loss --grad
"""
import axc
import axc.numpy as jnp

N, D = 100, 3
LEARNING_RATE = 0.1


def loss(w, b, x, y):
    pred = x @ w + b
    return jnp.mean((pred - y) ** 2)


@axc.jit
@axc.signature(f"f32[{D}]", "f32[]", f"f32[{N},{D}]", f"f32[{N}]")
def update(w, b, x, y):
    dw, db = axc.grad(loss, argnums=(0, 1))(w, b, x, y)
    return w - LEARNING_RATE * dw, b - LEARNING_RATE * db


loss_grad = axc.signature(f"f32[{D}]", "f32[]", f"f32[{N},{D}]", f"f32[{N}]")(
    axc.grad(loss, argnums=(0, 1)))

if __name__ == "__main__":
    key_x, key_noise = axc.random.split(axc.random.key(0))
    x = axc.random.normal(key_x, (N, D))
    y = x @ jnp.array([1.0, -2.0, 0.5]) + 0.3 + 0.01 * axc.random.normal(key_noise, (N,))
    w, b = jnp.zeros(D), jnp.zeros(())
    for _ in range(200):
        w, b = update(w, b, x, y)
    print("w =", w, "b =", b, "loss =", loss(w, b, x, y))
