"""The AD corpus: small numerical Python functions that axc.grad must differentiate.

Written against the module-level name ``jnp`` (and ``nn``, ``lax``): the tests run each
function as it stands under axc, and re-execute this file's source with the imports pointed
at JAX to get the reference gradients. Inputs live in the table in ``test_grad_corpus.py``.
"""
from collections import namedtuple
from typing import NamedTuple

import numpy as np

import axc.numpy as jnp
from axc import lax, nn

# Module-level constants: closures over globals (NumPy, so both runs see the same values).
W_GLOBAL = np.linspace(-1.0, 1.0, 12, dtype=np.float32).reshape(3, 4)
B_GLOBAL = np.array([0.1, -0.2, 0.3], dtype=np.float32)
SCALE = 1.5
N_STEPS = 3

Point = namedtuple("Point", ["x", "y"])


class Params(NamedTuple):
    w: object
    b: object


# --- arithmetic on scalars ------------------------------------------------------------------

def square(x):
    return x * x


def polynomial(x):
    return 3.0 * x ** 3 - 2.0 * x ** 2 + x - 5.0


def divide(x, y):
    return x / y


def reciprocal(x):
    return 1.0 / x


def negate_subtract(x):
    return -x - 2.0 * x


def int_power(x):
    return x ** 3


def float_power(x):
    return x ** 2.5


def power_of_both(x, y):
    return x ** y


def constant_base_power(x):
    return 2.0 ** x


def mixed_two_args(x, y):
    return x * y + x / y - y


def chain_of_temporaries(x):
    a = x + 1.0
    b = a * a
    c = b - x
    return c / 2.0


def reuse_variable(x):
    y = x * x
    return y * y + y


def unused_argument(x, y):
    return x * 2.0


def constant_output_part(x):
    c = 3.0
    return x * c + c * c


# --- elementwise jnp functions --------------------------------------------------------------

def sum_sin(x):
    return jnp.sum(jnp.sin(x))


def sum_cos(x):
    return jnp.sum(jnp.cos(x))


def sum_exp(x):
    return jnp.sum(jnp.exp(x))


def sum_log(x):
    return jnp.sum(jnp.log(x))


def sum_tanh(x):
    return jnp.sum(jnp.tanh(x))


def sum_sqrt(x):
    return jnp.sum(jnp.sqrt(x))


def sum_abs(x):
    return jnp.sum(jnp.abs(x))


def sum_square(x):
    return jnp.sum(jnp.square(x))


def sum_power(x):
    return jnp.sum(jnp.power(x, 3))


def sum_sinh_cosh(x):
    return jnp.sum(jnp.sinh(x) * jnp.cosh(x))


def sum_arctan(x):
    return jnp.sum(jnp.arctan(x))


def sum_log1p_expm1(x):
    return jnp.sum(jnp.log1p(x * x) + jnp.expm1(x))


def nested_elementwise(x):
    return jnp.sum(jnp.sin(jnp.cos(jnp.exp(x))))


def sigmoid_by_hand(x):
    return jnp.sum(1.0 / (1.0 + jnp.exp(-x)))


def softplus_by_hand(x):
    return jnp.sum(jnp.log1p(jnp.exp(x)))


def relu_maximum(x):
    return jnp.sum(jnp.maximum(x, 0.0) ** 2)


def maximum_of_two(x, y):
    return jnp.sum(jnp.maximum(x, y) + jnp.minimum(x, y) * 2.0)


def clipped(x):
    return jnp.sum(jnp.clip(x, -0.5, 0.5) * x)


def where_select(x):
    return jnp.sum(jnp.where(x > 0, x * x, -x))


def leaky_relu_where(x):
    return jnp.sum(jnp.where(x > 0, x, 0.01 * x))


def nn_functions(x):
    return jnp.sum(nn.relu(x) + nn.sigmoid(x) + nn.softplus(x))


# --- reductions -----------------------------------------------------------------------------

def mean_all(x):
    return jnp.mean(x)


def max_all(x):
    return jnp.max(x)


def min_all(x):
    return jnp.min(x)


def prod_all(x):
    return jnp.prod(x)


def sum_axis0(x):
    return jnp.sum(jnp.sum(x, axis=0) ** 2)


def mean_axis1_keepdims(x):
    return jnp.sum(x - jnp.mean(x, axis=1, keepdims=True))


def max_axis(x):
    return jnp.sum(jnp.max(x, axis=1))


def array_methods(x):
    return x.sum() + x.mean() * x.max()


def variance(x):
    return jnp.var(x)


def normalise(x):
    centred = x - x.mean()
    return jnp.sum(centred / jnp.sqrt(jnp.mean(centred ** 2) + 1e-5) * x)


def logsumexp_by_hand(x):
    m = jnp.max(x)
    return m + jnp.log(jnp.sum(jnp.exp(x - m)))


def softmax_cross_entropy(logits, labels):
    shifted = logits - jnp.max(logits, axis=-1, keepdims=True)
    log_probs = shifted - jnp.log(jnp.sum(jnp.exp(shifted), axis=-1, keepdims=True))
    return -jnp.mean(jnp.sum(labels * log_probs, axis=-1))


def nn_logsumexp(x):
    return nn.logsumexp(x) + jnp.sum(nn.log_softmax(x))


# --- linear algebra -------------------------------------------------------------------------

def dot_vectors(x, y):
    return jnp.dot(x, y)


def matmul_matrix_vector(a, x):
    return jnp.sum(jnp.matmul(a, x) ** 2)


def matmul_operator(a, b):
    return jnp.sum(jnp.tanh(a @ b))


def quadratic_form(x, a):
    return x @ a @ x


def outer_product(x, y):
    return jnp.sum(jnp.outer(x, y) * 2.0)


def einsum_contract(a, b):
    return jnp.sum(jnp.einsum("ij,jk->ik", a, b))


# --- shapes ---------------------------------------------------------------------------------

def reshape_then_sum(x):
    return jnp.sum(jnp.reshape(x, (3, 2)) * jnp.array([1.0, 2.0]))


def reshape_method(x):
    return jnp.sum(x.reshape(2, 3)[0] * 3.0)


def transpose_matmul(a):
    return jnp.sum(jnp.transpose(a) @ a)


def dot_T(a):
    return jnp.sum(a.T * jnp.arange(6.0).reshape(3, 2))


def concatenate_parts(x, y):
    return jnp.sum(jnp.concatenate([x, y * 2.0]) ** 2)


def stack_parts(x, y):
    return jnp.sum(jnp.stack([x, y], axis=1) * jnp.array([1.0, 3.0]))


def expand_and_squeeze(x):
    return jnp.sum(jnp.squeeze(jnp.expand_dims(x, 0) * 2.0, 0) ** 2)


def flip_and_roll(x):
    return jnp.sum(jnp.flip(x) * jnp.roll(x, 1) * jnp.arange(4.0))


def cumulative_sum(x):
    return jnp.sum(jnp.cumsum(x) ** 2)


# --- indexing -------------------------------------------------------------------------------

def index_first(x):
    return x[0] * x[1]


def index_last(x):
    return x[-1] ** 2


def slice_middle(x):
    return jnp.sum(x[1:3] ** 2)


def column(x):
    return jnp.sum(jnp.sin(x[:, 0]))


def row_and_element(x):
    return jnp.sum(x[1]) * x[0, 2]


def reverse_slice(x):
    return jnp.sum(x[::-1] * jnp.arange(4.0))


def newaxis_index(x):
    return jnp.sum(x[:, None] * x[None, :])


def gather_integer_array(x):
    return jnp.sum(x[jnp.array([0, 2, 2])] ** 2)


def at_set(x, y):
    return jnp.sum(x.at[1].set(y) ** 2)


def at_add(x, y):
    return jnp.sum(jnp.sin(x.at[0].add(y * 2.0)))


def at_set_slice(x):
    return jnp.sum(x.at[1:3].set(x[0:2] * 2.0) ** 2)


def at_multiply(x):
    return jnp.sum(x.at[2].multiply(3.0) ** 2)


# --- broadcasting ---------------------------------------------------------------------------

def bias_add(a, b):
    return jnp.sum(jnp.tanh(a + b))


def outer_broadcast(x, y):
    return jnp.sum(x * y)


def scalar_times_array(s, x):
    return jnp.sum(s * x ** 2)


def broadcast_to_shape(x):
    return jnp.sum(jnp.broadcast_to(x, (4, 3)) * jnp.arange(12.0).reshape(4, 3))


# --- several arguments ----------------------------------------------------------------------

def three_args(x, y, z):
    return jnp.sum(x * y + jnp.sin(z) * x)


def args_used_twice(x, y):
    return jnp.sum(x * x * y + y * jnp.exp(x))


def keyword_style_call(x, scale=2.0):
    return jnp.sum(x * scale)


# --- pytrees --------------------------------------------------------------------------------

def dict_params_mlp(params, x):
    h = jnp.tanh(params["w1"] @ x + params["b1"])
    return jnp.sum(params["w2"] @ h + params["b2"])


def tuple_input(pair):
    a, b = pair
    return jnp.sum(a * b)


def tuple_index_input(pair):
    return jnp.sum(pair[0] ** 2 + pair[1])


def list_input(xs):
    return jnp.sum(xs[0] * xs[1] * xs[2])


def namedtuple_input(p):
    return jnp.sum(p.x * jnp.sin(p.y))


def namedtuple_class_params(params, x):
    return jnp.sum(jnp.tanh(params.w @ x + params.b))


def nested_pytree(tree):
    return jnp.sum(tree["a"][0] * tree["a"][1]) + jnp.sum(tree["b"]["c"] ** 2)


def dict_items_loop(params):
    total = 0.0
    for key in ["u", "v"]:
        total = total + jnp.sum(params[key] ** 2)
    return total


def build_dict_inside(x):
    d = {"a": x * 2.0, "b": jnp.sin(x)}
    return jnp.sum(d["a"] * d["b"])


def build_tuple_inside(x):
    t = (x, x * 3.0)
    return jnp.sum(t[0] * t[1])


# --- closures and globals -------------------------------------------------------------------

def global_matrix(x):
    return jnp.sum(jnp.tanh(W_GLOBAL @ x + B_GLOBAL))


def global_scalar(x):
    return jnp.sum(SCALE * x ** 2)


def make_scaled_sin(c):
    def scaled_sin(x):
        return jnp.sum(jnp.sin(c * x))
    return scaled_sin


closure_scaled_sin = make_scaled_sin(2.0)


def make_affine(w, b):
    def affine(x):
        return jnp.sum((w @ x + b) ** 2)
    return affine


closure_affine = make_affine(W_GLOBAL, B_GLOBAL)


def nested_def(x):
    def inner(v):
        return v * jnp.cos(v)
    return jnp.sum(inner(x) + inner(x * 2.0))


def nested_def_closes_over_arg(x, y):
    def inner(v):
        return v * y
    return jnp.sum(inner(x) ** 2)


def lambda_inside(x):
    f = lambda v: jnp.exp(-v * v)
    return jnp.sum(f(x))


# --- calls to other user functions ----------------------------------------------------------

def helper_cube(v):
    return v * v * v


def helper_two_outputs(v):
    return jnp.sin(v), jnp.cos(v)


def helper_with_default(v, k=3.0):
    return v * k


def helper_calls_helper(v):
    return helper_cube(v) + jnp.tanh(v)


def helper_layer(w, b, h):
    return jnp.tanh(w @ h + b)


def call_helper(x):
    return jnp.sum(helper_cube(x))


def call_helper_twice(x):
    return jnp.sum(helper_cube(helper_cube(x)))


def call_nested_helpers(x):
    return jnp.sum(helper_calls_helper(x) * 2.0)


def call_helper_tuple_result(x):
    s, c = helper_two_outputs(x)
    return jnp.sum(s * c)


def call_helper_default_and_keyword(x):
    return jnp.sum(helper_with_default(x) + helper_with_default(x, k=0.5))


def call_helper_in_loop(w, x):
    h = x
    for _ in range(2):
        h = helper_layer(w, 0.1, h)
    return jnp.sum(h)


def call_helper_inactive_arg(x):
    return jnp.sum(helper_layer(W_GLOBAL.T @ W_GLOBAL, x, jnp.ones(4)))


# --- if / elif / else -----------------------------------------------------------------------

def static_branch(x, mode):
    if mode == "square":
        y = x * x
    else:
        y = jnp.sin(x)
    return jnp.sum(y)


def data_branch(x):
    if x.sum() > 0:
        y = jnp.sum(x ** 2)
    else:
        y = jnp.sum(jnp.exp(x))
    return y


def data_elif(x):
    s = jnp.sum(x)
    if s > 1.0:
        y = s * 2.0
    elif s > -1.0:
        y = s * s
    else:
        y = -s
    return y


def branch_without_else(x):
    y = x * 2.0
    if jnp.max(x) > 0:
        y = y * x
    return jnp.sum(y)


def branch_on_scalar_arg(x):
    if x > 0:
        return x * x
    return -x


def nested_branches(x, y):
    if jnp.sum(x) > 0:
        if jnp.sum(y) > 0:
            z = x * y
        else:
            z = x - y
    else:
        z = x + y
    return jnp.sum(z ** 2)


def branch_defines_only_inactive(x):
    if x.shape[0] > 2:
        n = 2.0
    else:
        n = 3.0
    return jnp.sum(x * n)


def conditional_expression(x):
    y = x * 2.0 if jnp.sum(x) > 0 else x * -3.0
    return jnp.sum(y)


def early_return(x):
    if jnp.sum(x) > 0:
        return jnp.sum(x * x)
    y = jnp.exp(x)
    return jnp.sum(y)


def early_return_in_loop(x):
    h = x
    for i in range(5):
        h = h * 1.5
        if jnp.sum(jnp.abs(h)) > 4.0:
            return jnp.sum(h)
    return jnp.sum(h * 2.0)


# --- for loops ------------------------------------------------------------------------------

def loop_accumulate(x):
    total = 0.0
    for i in range(4):
        total = total + x * i
    return jnp.sum(total)


def loop_product(x):
    y = 1.0
    for _ in range(3):
        y = y * x
    return jnp.sum(y)


def rnn_tanh(w, h):
    for _ in range(N_STEPS):
        h = jnp.tanh(w @ h)
    return jnp.sum(h)


def rnn_with_inputs(w, u, xs):
    h = jnp.zeros(3)
    for t in range(xs.shape[0]):
        h = jnp.tanh(w @ h + u @ xs[t])
    return jnp.sum(h ** 2)


def loop_count_argument(x, n):
    for _ in range(n):
        x = jnp.sin(x) + x
    return jnp.sum(x)


def nested_loops(x):
    y = x
    for i in range(2):
        for j in range(3):
            y = y * 0.5 + jnp.cos(y) * (i + j)
    return jnp.sum(y)


def loop_over_rows(x):
    total = 0.0
    for row in x:
        total = total + jnp.sum(row ** 2) * jnp.max(row)
    return total


def loop_enumerate(x):
    total = 0.0
    for i, v in enumerate(x):
        total = total + v * (i + 1.0)
    return total


def loop_zip(xs, ys):
    total = 0.0
    for a, b in zip(xs, ys):
        total = total + a * b
    return total


def loop_index_accumulate(x):
    total = 0.0
    for i in range(x.shape[0]):
        total = total + x[i] * x[i]
    return total


def loop_at_set(x):
    y = jnp.zeros(4)
    for i in range(4):
        y = y.at[i].set(x[i] * (i + 1.0))
    return jnp.sum(y ** 2)


def loop_break(x):
    y = x
    for _ in range(10):
        y = y * 1.3
        if jnp.sum(y) > 5.0:
            break
    return jnp.sum(y)


def loop_continue(x):
    total = 0.0
    for i in range(4):
        if i == 2:
            continue
        total = total + jnp.sum(x * i)
    return total


def loop_append_list(x):
    parts = []
    for i in range(3):
        parts.append(x * i)
    return jnp.sum(jnp.stack(parts))


# --- while loops ----------------------------------------------------------------------------

def while_counter(x):
    i = 0
    while i < 3:
        x = x * 1.1 + 0.1
        i = i + 1
    return jnp.sum(x)


def while_data_dependent(x):
    while jnp.sum(x * x) < 10.0:
        x = x * 1.5
    return jnp.sum(x)


def while_two_carries(x):
    y = x
    n = 0
    while n < 4 and jnp.max(y) < 3.0:
        y = y + jnp.exp(y) * 0.1
        n += 1
    return jnp.sum(y * x)


def newton_sqrt(a):
    x = a
    i = 0
    while i < 4:
        x = 0.5 * (x + a / x)
        i += 1
    return x


# --- statements: augmented assignment, unpacking, swaps ------------------------------------

def aug_assign(x):
    y = x * 1.0
    y += x
    y *= x
    y -= 1.0
    y /= 2.0
    return jnp.sum(y)


def aug_assign_power(x):
    y = x + 0.5
    y **= 2
    return jnp.sum(y)


def tuple_unpacking(x, y):
    a, b = x * 2.0, y * 3.0
    return jnp.sum(a * b)


def swap(x, y):
    a, b = x, y
    a, b = b, a * 2.0
    return jnp.sum(a * jnp.sin(b))


def chained_comparison_branch(x):
    s = jnp.sum(x)
    if -10.0 < s < 10.0:
        s = s * s
    return s


def assert_statement(x):
    assert x.shape == (3,)
    return jnp.sum(x ** 2)


def overwrite_argument(x):
    x = jnp.sin(x)
    x = x * x
    return jnp.sum(x)


# --- comprehensions, starred calls ----------------------------------------------------------

def list_comprehension(x):
    return jnp.sum(jnp.stack([x * i for i in range(3)]))


def sum_generator(x):
    return sum(jnp.sum(x ** k) for k in range(1, 4))


def starred_call(x, y):
    args = (x, y)
    return jnp.sum(divide(*args))


# --- has_aux, stop_gradient -----------------------------------------------------------------

def with_aux(x):
    y = jnp.sum(x ** 2)
    return y, {"mean": jnp.mean(x)}


def with_aux_tuple(x, y):
    loss = jnp.sum(x * y)
    return loss, (x * 2.0, 3)


def stop_gradient_part(x):
    return jnp.sum(x * lax.stop_gradient(x))


def integer_ops_inactive(x):
    n = x.shape[0]
    return jnp.sum(x) / n + jnp.sum(x[: n // 2])


def dtype_cast(x):
    return jnp.sum(x.astype(jnp.float32) * 2.0)


# --- small models ---------------------------------------------------------------------------

def mlp_loss(params, x, y):
    h = x
    for w, b in params:
        h = jnp.tanh(h @ w + b)
    return jnp.mean((h - y) ** 2)


def linear_regression(w, b, x, y):
    pred = x @ w + b
    return jnp.mean((pred - y) ** 2)


def logistic_regression(w, x, labels):
    logits = x @ w
    probs = 1.0 / (1.0 + jnp.exp(-logits))
    return -jnp.mean(labels * jnp.log(probs) + (1.0 - labels) * jnp.log(1.0 - probs))
