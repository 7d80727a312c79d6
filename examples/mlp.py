"""One SGD step of a two-layer perceptron (tanh hidden layer), for ``axc compile``.

    axc compile examples/mlp.py -o build/mlp
"""
import axc
import axc.numpy as jnp

BATCH, IN, HIDDEN, OUT = 32, 4, 16, 1
STEP_SIZE = 0.05
TYPES = (f"f32[{IN},{HIDDEN}]", f"f32[{HIDDEN}]", f"f32[{HIDDEN},{OUT}]", f"f32[{OUT}]",
         f"f32[{BATCH},{IN}]", f"f32[{BATCH},{OUT}]")


def predict(w1, b1, w2, b2, x):
    hidden = jnp.tanh(x @ w1 + b1)
    return hidden @ w2 + b2


def loss(w1, b1, w2, b2, x, y):
    return jnp.mean((predict(w1, b1, w2, b2, x) - y) ** 2)


@axc.signature(*TYPES)
@axc.jit
def step(w1, b1, w2, b2, x, y):
    g1, gb1, g2, gb2 = axc.grad(loss, argnums=(0, 1, 2, 3))(w1, b1, w2, b2, x, y)
    return (w1 - STEP_SIZE * g1, b1 - STEP_SIZE * gb1,
            w2 - STEP_SIZE * g2, b2 - STEP_SIZE * gb2)


loss_grad = axc.signature(*TYPES)(axc.grad(loss, argnums=(0, 1, 2, 3)))

if __name__ == "__main__":
    keys = axc.random.split(axc.random.key(0), 3)
    x = axc.random.normal(keys[0], (BATCH, IN))
    y = jnp.sin(x.sum(axis=1, keepdims=True))
    params = (0.5 * axc.random.normal(keys[1], (IN, HIDDEN)), jnp.zeros(HIDDEN),
              0.5 * axc.random.normal(keys[2], (HIDDEN, OUT)), jnp.zeros(OUT))
    print("loss before:", loss(*params, x, y))
    for _ in range(300):
        params = step(*params, x, y)
    print("loss after: ", loss(*params, x, y))
