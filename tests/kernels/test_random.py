"""``axc.random`` vs ``jax.random``: keys, split, fold_in, bits and uniform bit for bit (both
threefry layouts, x64), the samplers, key arrays, ``jit``/``grad``, errors, and the
``threefry2x32`` and ``fma`` primitives against known answers and exact arithmetic."""
import contextlib
from fractions import Fraction

import numpy as np
import pytest
from ad_rule_check import check_rules
from axc.kernels import random as threefry
from axc.runtime.array import wrap

import axc
import axc.numpy as anp
from axc import random

jax = pytest.importorskip("jax")
jnp = pytest.importorskip("jax.numpy")
jr = pytest.importorskip("jax.random")


@contextlib.contextmanager
def _flag(name, value):
    old = getattr(jax.config, name)
    jax.config.update(name, value)
    try:
        with axc.config.override(name, value):
            yield
    finally:
        jax.config.update(name, old)


@pytest.fixture
def x64():
    with _flag("jax_enable_x64", True):
        yield


@pytest.fixture(params=[True, False], ids=["partitionable", "original"])
def layout(request):
    with _flag("jax_threefry_partitionable", request.param):
        yield request.param


def identical(got, want):
    """Same dtype, shape and bits (typed keys compare by their key data)."""
    if isinstance(got, random.KeyArray):
        assert str(want.dtype) == "key<fry>"
        got, want = random.key_data(got), jr.key_data(want)
    got, want = np.ascontiguousarray(got), np.ascontiguousarray(want)
    assert (got.dtype, got.shape) == (want.dtype, want.shape)
    if got.dtype.kind in "fcV":
        got, want = got.view(f"u{got.dtype.itemsize}"), want.view(f"u{want.dtype.itemsize}")
    np.testing.assert_array_equal(got, want)


def ulps(a, b):
    a, b = np.asarray(a), np.asarray(b)
    it = np.dtype(f"i{a.dtype.itemsize}")
    ia, ib = (np.where(v.view(it) < 0, np.iinfo(it).min - v.view(it).astype(np.int64),
                       v.view(it).astype(np.int64)) for v in (a, b))
    return np.abs(ia - ib)


SEEDS = [0, 1, -1, 2 ** 31, 2 ** 32 + 5, 2 ** 40 + 7, -2 ** 63, 2 ** 63 - 1, np.uint32(7),
         np.int64(2 ** 40), np.int8(-3), np.uint64(2 ** 63 + 5)]


# --- threefry2x32 ------------------------------------------------------------------------------

# Random123's known answers for Threefry-2x32-20: (key, counter) -> output.
KNOWN = [((0, 0), (0, 0), (0x6B200159, 0x99BA4EFE)),
         ((0xFFFFFFFF, 0xFFFFFFFF), (0xFFFFFFFF, 0xFFFFFFFF), (0x1CB996FC, 0xBB002BE7)),
         ((0x13198A2E, 0x03707344), (0x243F6A88, 0x85A308D3), (0xC4923A9C, 0x483DF7A0))]


@pytest.mark.parametrize("key,count,want", KNOWN)
def test_threefry_known_answers(key, count, want):
    words = [wrap(np.uint32(v)) for v in (*key, *count)]
    assert tuple(int(o) for o in threefry.threefry2x32_p.bind(*words)) == want


@pytest.mark.parametrize("shapes", [((), (), (37,), (37,)), ((3, 1), (3, 1), (1, 5), (1, 5)),
                                    ((), (), (0,), (0,))])
def test_threefry_matches_jax_primitive(shapes):
    from jax._src.random.threefry2x32 import threefry2x32_p
    rng = np.random.default_rng(0)
    words = [rng.integers(0, 2 ** 32, s, dtype=np.uint64).astype(np.uint32) for s in shapes]
    got = threefry.threefry2x32_p.bind(*[anp.asarray(w) for w in words])
    for g, w in zip(got, threefry2x32_p.bind(*[jnp.asarray(w) for w in words])):
        identical(g, w)


def test_threefry_shape_rule_refuses_bad_operands():
    u32, i32 = anp.zeros(3, "uint32"), anp.zeros(3, "int32")
    with pytest.raises(TypeError, match="uint32"):
        threefry.threefry2x32_p.bind(u32, u32, u32, i32)
    with pytest.raises(TypeError, match="broadcast"):
        threefry.threefry2x32_p.bind(u32, u32, u32, anp.zeros(4, "uint32"))


# --- keys, split, fold_in, bits ----------------------------------------------------------------

@pytest.mark.parametrize("seed", SEEDS, ids=repr)
@pytest.mark.parametrize("mode", ["x32", "x64"])
def test_keys_match_jax(seed, mode):
    with _flag("jax_enable_x64", mode == "x64"):
        identical(random.key(seed), jr.key(seed))
        identical(random.PRNGKey(seed), jr.PRNGKey(seed))


def test_split_fold_in_bits_uniform_match_jax(layout):
    k, K = random.key(1701), jr.key(1701)
    for num in [2, (2, 3), 0]:
        identical(random.split(k, num), jr.split(K, num))
    for data in [0, 2 ** 32 - 1, np.uint32(12)]:
        identical(random.fold_in(k, data), jr.fold_in(K, data))
    for shape, dt in [((), "uint32"), ((3, 5), "uint32"), ((7,), "uint8"), ((3,), "uint16")]:
        identical(random.bits(k, shape, dt), jr.bits(K, shape, dt))
    identical(random.uniform(k, (5,), minval=-1.0), jr.uniform(K, (5,), minval=-1.0))


def test_bits_uint64_under_x64(x64, layout):
    k, K = random.key(2 ** 40 + 3), jr.key(2 ** 40 + 3)
    identical(random.bits(k, (2, 3)), jr.bits(K, (2, 3)))


MINMAX = [(0.0, 1.0), (-3.0, 7.3), (np.arange(3.0) - 5, 2.5)]


@pytest.mark.parametrize("minval,maxval", MINMAX, ids=["default", "scalars", "arrays"])
@pytest.mark.parametrize("dtype", ["float32", "float16", "bfloat16"])
def test_uniform_matches_jax(dtype, minval, maxval):
    identical(random.uniform(random.key(42), (400, 3), dtype, minval, maxval),
              jr.uniform(jr.key(42), (400, 3), dtype, minval, maxval))


@pytest.mark.parametrize("dtype", ["float32", "float16", "bfloat16", "complex64"])
def test_normal_matches_jax(dtype):
    identical(random.normal(random.key(3), (2000,), dtype), jr.normal(jr.key(3), (2000,), dtype))


def test_float64_under_x64(x64):
    k, K = random.key(9), jr.key(9)
    identical(random.uniform(k, (3000,)), jr.uniform(K, (3000,)))
    identical(random.uniform(k, (3000,), minval=-3.0, maxval=7.3),
              jr.uniform(K, (3000,), minval=-3.0, maxval=7.3))
    got, want = random.normal(k, (3000,)), jr.normal(K, (3000,))
    assert got.dtype == np.float64 and ulps(got, want).max() <= 3
    identical(random.randint(k, (100,), -2 ** 62, 2 ** 62), jr.randint(K, (100,), -2 ** 62,
                                                                          2 ** 62))


RANDINT = [((1000,), -5, 17, None), ((50,), 0, 256, "uint8"), ((50,), -2 ** 31, 2 ** 31 - 1,
           None), ((2, 3), np.array([0, 1, 2]), 10, None), ((50,), 3, -4, "int16")]


@pytest.mark.parametrize("shape,minval,maxval,dtype", RANDINT)
def test_randint_matches_jax(shape, minval, maxval, dtype):
    identical(random.randint(random.key(5), shape, minval, maxval, dtype),
              jr.randint(jr.key(5), shape, minval, maxval, dtype))


# --- the samplers ------------------------------------------------------------------------------

_P = np.arange(1.0, 11.0, dtype=np.float32) / 55
_LOGITS = np.random.default_rng(0).normal(size=(3, 6)).astype(np.float32)
_X = np.arange(20.0, dtype=np.float32).reshape(4, 5)
EXACT = {
    "bernoulli": lambda r, k: r.bernoulli(k, 0.3, (100,)),
    "bernoulli_high": lambda r, k: r.bernoulli(k, np.float32([0.1, 0.5, 0.9]), (4, 3), "high"),
    "choice": lambda r, k: r.choice(k, 10, (5,)),
    "choice_no_replace": lambda r, k: r.choice(k, 10, (2, 3), replace=False),
    "choice_p": lambda r, k: r.choice(k, 10, (5,), p=_P),
    "choice_p_no_replace": lambda r, k: r.choice(k, 10, (5,), replace=False, p=_P),
    "permutation": lambda r, k: r.permutation(k, 10),
    "permutation_independent": lambda r, k: r.permutation(k, _X, independent=True),
    "categorical": lambda r, k: r.categorical(k, _LOGITS),
    "categorical_axis0": lambda r, k: r.categorical(k, _LOGITS, axis=0, shape=(4, 6)),
    "categorical_no_replace": lambda r, k: r.categorical(k, _LOGITS, shape=(2, 3),
                                                         replace=False),
    "rademacher": lambda r, k: r.rademacher(k, (20,)),
    "truncated_normal": lambda r, k: r.truncated_normal(k, -1.0, np.float32([0.5, 2.0]),
                                                         (50, 2)),
}
# log/log1p/tan come from NumPy here and from XLA's own polynomials in JAX.
CLOSE = {
    "exponential": lambda r, k: r.exponential(k, (500,)),
    "laplace": lambda r, k: r.laplace(k, (500,)),
    "logistic": lambda r, k: r.logistic(k, (500,)),
    "cauchy": lambda r, k: r.cauchy(k, (500,)),
    "gumbel": lambda r, k: r.gumbel(k, (500,)),
    "gumbel_high": lambda r, k: r.gumbel(k, (500,), mode="high"),
}


@pytest.mark.parametrize("name", sorted(EXACT))
def test_sampler_matches_jax_exactly(name):
    identical(EXACT[name](random, random.key(11)), EXACT[name](jr, jr.key(11)))


@pytest.mark.parametrize("name", sorted(CLOSE))
def test_sampler_matches_jax_closely(name):
    got, want = CLOSE[name](random, random.key(11)), CLOSE[name](jr, jr.key(11))
    assert got.dtype == want.dtype
    np.testing.assert_allclose(got, want, rtol=2e-6, atol=1e-6)


def test_moments_of_the_basic_samplers():
    k1, k2 = random.split(random.key(0))
    u, z = np.asarray(random.uniform(k1, (200_000,))), np.asarray(random.normal(k2, (200_000,)))
    assert abs(u.mean() - 0.5) < 0.005 and abs(u.var() - 1 / 12) < 0.002
    assert 0 <= u.min() and u.max() < 1
    assert abs(z.mean()) < 0.01 and abs(z.std() - 1) < 0.01 and abs((z ** 3).mean()) < 0.03
    # Kolmogorov-Smirnov distance of the uniform sample from U(0, 1).
    assert np.abs(np.sort(u) - np.arange(1, u.size + 1) / u.size).max() < 0.005


# --- raw keys, key arrays, printing ------------------------------------------------------------

def test_raw_keys_give_raw_results():
    raw, typed = random.PRNGKey(7), random.key(7)
    assert type(raw) is axc.Array and raw.dtype == np.uint32 and raw.shape == (2,)
    split = random.split(raw, 3)
    assert type(split) is axc.Array and split.shape == (3, 2)
    np.testing.assert_array_equal(split, random.key_data(random.split(typed, 3)))
    identical(random.fold_in(raw, 3), jr.fold_in(jr.PRNGKey(7), 3))
    identical(random.normal(raw, (5,)), random.normal(typed, (5,)))
    identical(random.normal(np.asarray(raw), (5,)), random.normal(typed, (5,)))
    np.testing.assert_array_equal(random.key_data(random.wrap_key_data(split)), split)


def test_key_printing_matches_jax():
    assert repr(random.key(43)) == repr(jr.key(43))
    assert str(random.split(random.key(0), 2)) == str(jr.split(jr.key(0), 2))
    assert str(random.key(0).dtype) == "key<fry>" and random.key_impl(random.key(0)) == \
        jr.key_impl(jr.key(0))


def test_key_arrays_index_iterate_and_reshape():
    keys, Keys = random.split(random.key(1), (3, 4)), jr.split(jr.key(1), (3, 4))
    assert keys.shape == (3, 4) and keys.ndim == 2 and keys.size == 12 and len(keys) == 3
    for pick in [lambda a: a[1], lambda a: a[..., 2], lambda a: a[1:, ::2], lambda a: a.T,
                 lambda a: a.reshape(12), lambda a: a.reshape(2, -1), lambda a: a.ravel(),
                 lambda a: a[None, 0]]:
        identical(pick(keys), pick(Keys))
    for got, want in zip(keys[0], Keys[0]):
        identical(got, want)
    np.testing.assert_array_equal(keys == keys[0], Keys == Keys[0])
    np.testing.assert_array_equal(keys != keys[:, :1], Keys != Keys[:, :1])


@pytest.mark.parametrize("op,exc", [(len, TypeError), (iter, TypeError), (bool, TypeError),
                                    (hash, TypeError), (np.asarray, TypeError),
                                    (lambda k: k + 1, TypeError), (lambda k: k[0], IndexError)])
def test_key_arrays_refuse_what_jax_refuses(op, exc):
    with pytest.raises(exc):
        op(jr.key(0))
    with pytest.raises(exc):
        op(random.key(0))


def test_keys_are_pytree_nodes_over_their_data():
    leaves, tree = axc.tree_util.tree_flatten({"k": random.key(3)})
    assert len(leaves) == 1 and leaves[0].dtype == np.uint32
    identical(axc.tree_util.tree_unflatten(tree, leaves)["k"], jr.key(3))


# --- jit and grad ------------------------------------------------------------------------------

def test_jit_takes_makes_and_returns_keys():
    k = random.key(1701)
    sample = axc.jit(lambda key: random.uniform(key, (5,), minval=-2.0, maxval=3.0))
    identical(sample(k), jr.uniform(jr.key(1701), (5,), minval=-2.0, maxval=3.0))
    identical(sample(random.PRNGKey(1701)), sample(k))
    keys = axc.jit(lambda key: random.split(key, 3))(k)
    identical(keys, jr.split(jr.key(1701), 3))
    made = axc.jit(lambda s: random.normal(random.fold_in(random.key(s), 2), (4,)))
    identical(made(5), jr.normal(jr.fold_in(jr.key(5), 2), (4,)))
    assert "threefry2x32" in str(axc.make_ir(lambda key: random.bits(key, (3,)))(k))


def test_jit_prints_traced_keys(capsys):
    axc.jit(lambda key: print(key) or random.bits(key))(random.key(0))
    assert capsys.readouterr().out.strip() == "JitTracer<key<fry>[]>"


def test_keys_carried_through_loops_match_jax():
    def body(r):
        def step(i, carry):
            key, acc = carry
            key, sub = r.split(key)
            return key, acc + r.normal(sub)
        return step
    got = axc.jit(lambda k: axc.lax.fori_loop(0, 3, body(random), (k, 0.0)))(random.key(4))
    # JAX unrolled and eager: XLA rounds a loop body fused with the sum differently.
    want = (jr.key(4), 0.0)
    for i in range(3):
        want = body(jr)(i, want)
    identical(got[0], want[0])
    identical(got[1], want[1])


def test_jit_refuses_seeds_out_of_range():
    with pytest.raises(OverflowError):
        axc.jit(random.key)(2 ** 40)


def test_grad_with_keys():
    k, K = random.key(8), jr.key(8)

    def loss(r):
        return lambda w, key: (w * r.normal(r.split(key)[0], (3,))).sum()
    identical(axc.grad(loss(random))(anp.ones(3), k), jax.grad(loss(jr))(jnp.ones(3), K))

    def bounds(r, key):
        return lambda lo: r.uniform(key, (4,), minval=lo, maxval=2.0).sum()
    identical(axc.grad(bounds(random, k))(0.5), jax.grad(bounds(jr, K))(0.5))

    def truncated(r, key):
        return lambda lo: r.truncated_normal(key, lo, 2.0, (4,)).sum()
    np.testing.assert_allclose(axc.grad(truncated(random, k))(-1.0),
                               jax.grad(truncated(jr, K))(-1.0), rtol=1e-5)


# --- vmap over keys ----------------------------------------------------------------------------

KEYS = {"typed": lambda r, seed: r.key(seed), "raw": lambda r, seed: r.PRNGKey(seed)}
VMAPPED = {
    "normal": lambda r: lambda k: r.normal(k, (3,)),
    "uniform": lambda r: lambda k: r.uniform(k, (2, 3), minval=-1.0, maxval=4.0),
    "bits": lambda r: lambda k: r.bits(k, (4,), "uint8"),
    "randint": lambda r: lambda k: r.randint(k, (5,), -3, 9),
    "split": lambda r: lambda k: r.split(k, 3),
    "fold_in": lambda r: lambda k: r.fold_in(k, 7),
    "split_then_normal": lambda r: lambda k: r.normal(r.split(k)[1], ()),
}


@pytest.mark.parametrize("fn", sorted(VMAPPED))
@pytest.mark.parametrize("kind", sorted(KEYS))
def test_vmap_over_keys_matches_jax(fn, kind, layout):
    """``vmap`` of a sampler over split keys (typed, or raw uint32 key data) equals
    ``jax.vmap``'s bit for bit: ``threefry2x32`` and ``fma`` batched."""
    keys = random.split(KEYS[kind](random, 0), 5)
    Keys = jr.split(KEYS[kind](jr, 0), 5)
    identical(axc.vmap(VMAPPED[fn](random))(keys), jax.vmap(VMAPPED[fn](jr))(Keys))


def test_vmap_over_keys_at_other_axes_and_nested():
    raw, Raw = random.split(random.PRNGKey(3), 4), jr.split(jr.PRNGKey(3), 4)
    normal = VMAPPED["normal"]
    identical(axc.vmap(normal(random), in_axes=1)(raw.T),
              jax.vmap(normal(jr), in_axes=1)(Raw.T))
    identical(axc.vmap(normal(random), out_axes=1)(raw), jax.vmap(normal(jr), out_axes=1)(Raw))
    grid, Grid = random.split(random.key(3), (2, 3)), jr.split(jr.key(3), (2, 3))
    identical(axc.vmap(axc.vmap(normal(random)))(grid), jax.vmap(jax.vmap(normal(jr)))(Grid))


def test_vmap_over_fold_in_data_and_uniform_bounds():
    """Batched counters and batched bounds against one shared key."""
    k, K = random.key(5), jr.key(5)
    data = np.arange(4, dtype=np.uint32) * 1000
    identical(axc.vmap(lambda d: random.bits(random.fold_in(k, d), (2,)))(data),
              jax.vmap(lambda d: jr.bits(jr.fold_in(K, d), (2,)))(data))
    lo = np.array([-1.0, 0.0, 0.5], np.float32)
    identical(axc.vmap(lambda a: random.uniform(k, (4,), minval=a, maxval=2.0))(lo),
              jax.vmap(lambda a: jr.uniform(K, (4,), minval=a, maxval=2.0))(lo))


# --- errors ------------------------------------------------------------------------------------

ERRORS = {
    "split_float": lambda r, k: r.split(k, 2.0),
    "split_batched": lambda r, k: r.split(r.split(k)),
    "uniform_int_dtype": lambda r, k: r.uniform(k, (2,), "int32"),
    "normal_int_dtype": lambda r, k: r.normal(k, (2,), "int32"),
    "bits_float_dtype": lambda r, k: r.bits(k, (2,), "float32"),
    "raw_key_shape": lambda r, k: r.normal(np.zeros(3, np.uint32)),
    "raw_key_dtype": lambda r, k: r.normal(np.zeros(2, np.int32)),
    "list_key": lambda r, k: r.normal([0, 0]),
    "int_key": lambda r, k: r.normal(0),
    "raw_batched": lambda r, k: r.normal(np.zeros((3, 2), np.uint32)),
    "fold_in_array": lambda r, k: r.fold_in(k, np.arange(3)),
    "fold_in_negative": lambda r, k: r.fold_in(k, -1),
    "wrap_bad_shape": lambda r, k: r.wrap_key_data(np.zeros(3, np.uint32)),
    "key_of_key": lambda r, k: r.key(k),
    "key_of_array": lambda r, k: r.key(np.array([1, 2])),
    "key_of_float": lambda r, k: r.key(1.0),
    "key_too_big": lambda r, k: r.key(2 ** 64),
    "randint_float": lambda r, k: r.randint(k, (3,), 0, 10, "float32"),
    "choice_bad_p": lambda r, k: r.choice(k, 5, (3,), p=np.ones(4) / 4),
    "choice_too_many": lambda r, k: r.choice(k, 5, (6,), replace=False),
    "choice_int_shape": lambda r, k: r.choice(k, 5, 3),
    "bernoulli_int_p": lambda r, k: r.bernoulli(k, 1),
    "bernoulli_mode": lambda r, k: r.bernoulli(k, 0.5, mode="x"),
    "permutation_float": lambda r, k: r.permutation(k, 3.0),
    "truncated_int_dtype": lambda r, k: r.truncated_normal(k, 0.0, 1.0, (2,), "int32"),
    "randint_overflow": lambda r, k: r.randint(k, (5,), 0, 10 ** 10, "uint32"),
}


@pytest.mark.parametrize("name", sorted(ERRORS))
def test_errors_match_jax(name):
    with pytest.raises(Exception) as want:
        ERRORS[name](jr, jr.key(0))
    with pytest.raises(want.type):
        ERRORS[name](random, random.key(0))


def test_error_messages_name_the_problem():
    with pytest.raises(ValueError, match="accepts a single key.*shape \\(2,\\)"):
        random.normal(random.split(random.key(0)))
    with pytest.raises(TypeError, match="expected key_data.dtype = uint32"):
        random.normal(np.zeros(2, np.int32))
    with pytest.raises(TypeError, match="PRNG key seed must be an integer"):
        random.key(1.5)


# --- fma ---------------------------------------------------------------------------------------

def _rounded(q, dt):
    """The ``dt`` value nearest the rational ``q`` (ties to even), by exact comparison."""
    r = np.asarray(float(q)).astype(dt)
    near = [np.nextafter(r, dt.type(-np.inf)), r, np.nextafter(r, dt.type(np.inf))]
    return min(near, key=lambda v: (abs(Fraction(float(v)) - q),
                                    int(v.view(f"u{dt.itemsize}")) & 1))


@pytest.mark.parametrize("dt", [np.dtype("float32"), np.dtype("float64")], ids=str)
def test_fma_rounds_once(dt, x64):
    rng = np.random.default_rng(1)
    a, b = (rng.uniform(0.5, 1, 2000).astype(dt) for _ in "ab")
    # c near -a*b: the unfused product's rounding error dominates the result.
    c = (-(a.astype(np.float64) * b) * rng.choice([1 + 2 ** -30, 1 - 2 ** -40], 2000)).astype(dt)
    got = np.asarray(threefry.fma_p.bind(*(anp.asarray(v) for v in (a, b, c))))
    want = np.array([_rounded(Fraction(float(x)) * Fraction(float(y)) + Fraction(float(z)), dt)
                     for x, y, z in zip(a, b, c)], dt)
    np.testing.assert_array_equal(got, want)
    assert (got != a * b + c).any()  # the unfused product-sum differs


@pytest.mark.parametrize("shapes", [((2, 3), (2, 3), (2, 3)), ((3,), (2, 3), ()), ((2, 1), (1, 3),
                                                                                (3,))])
def test_fma_derivative_rules(shapes, x64):
    rng = np.random.default_rng(2)
    check_rules(threefry.fma_p, [rng.uniform(-2, 2, s) for s in shapes])
