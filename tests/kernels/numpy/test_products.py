"""``axc.numpy`` products vs ``jax.numpy`` (types, errors) and NumPy (values)."""
import warnings

import numpy as np
import pytest

import axc.numpy as anp

jax = pytest.importorskip("jax")
jnp = pytest.importorskip("jax.numpy")
from jax_oracle import eval_shape_at  # after the skip: it needs jax

RNG = np.random.default_rng(3)


def _rand(shape, dt="float32"):
    dt = np.dtype(dt)
    if dt.kind == "c":
        return (RNG.standard_normal(shape) + 1j * RNG.standard_normal(shape)).astype(dt)
    if dt.kind in "iu":
        return RNG.integers(-4 if dt.kind == "i" else 0, 5, shape).astype(dt)
    if dt.kind == "b":
        return RNG.integers(0, 2, shape).astype(bool)
    return RNG.standard_normal(shape).astype(dt)


NUMPY = {"dot": np.dot, "matmul": np.matmul, "tensordot": np.tensordot, "inner": np.inner,
         "outer": np.outer, "kron": np.kron, "vdot": np.vdot, "vecdot": np.vecdot,
         "matvec": np.matvec, "vecmat": np.vecmat, "cross": np.cross,
         "convolve": np.convolve, "correlate": np.correlate, "einsum": np.einsum}
JAX_ONLY = {"precision", "preferred_element_type"}


def _wide(x):
    """The NumPy reference computes in double precision (and int64, wrapped afterwards)."""
    if not isinstance(x, np.ndarray) or x.dtype.kind == "b":
        return x
    return x.astype({"i": np.int64, "u": np.int64, "c": np.complex128}.get(x.dtype.kind,
                                                                          np.float64))


def _is_operand(i, a):
    # Arrays are traced; so are Python scalars in operand positions (not tensordot's axes,
    # einsum's subscripts or sublists), as JAX would see them.
    return isinstance(a, np.ndarray) or (type(a) in (bool, int, float, complex) and i < 2)


def _eval_shape(fn, args, kwargs):
    einsum = fn is jnp.einsum
    traced = [i for i, a in enumerate(args)
              if isinstance(a, np.ndarray) or (_is_operand(i, a) and not einsum)
              or (einsum and i > 0 and type(a) in (bool, int, float, complex))]
    return eval_shape_at(fn, args, kwargs, traced)


def _compare(name, *args, tol=2e-5, **kwargs):
    """axc against JAX's abstract evaluation (shape, dtype, weak type, or the error class;
    no XLA compile) and against NumPy's values."""
    afn = getattr(anp, name)
    try:
        want = _eval_shape(getattr(jnp, name), args, kwargs)
    except Exception as e:  # noqa: BLE001 - JAX refuses: axc must refuse with the same class
        with pytest.raises(type(e)):
            afn(*args, **kwargs)
        return
    got = afn(*args, **kwargs)
    assert isinstance(got, anp.ndarray)
    assert (got.shape, got.dtype, got.weak_type) == (want.shape, want.dtype, want.weak_type)
    np_kwargs = {k: v for k, v in kwargs.items() if k not in JAX_ONLY}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # NumPy's 2-vector cross
        ref = np.asarray(NUMPY[name](*[_wide(a) for a in args], **np_kwargs))
    g = np.asarray(got)
    if g.dtype.kind in "fcV":
        scale = max(1.0, float(np.max(np.abs(ref), initial=0)))
        tol = 2e-2 if g.dtype.itemsize <= 2 else tol
        np.testing.assert_allclose(g.astype(ref.dtype), ref, rtol=tol, atol=tol * scale)
    else:
        np.testing.assert_array_equal(g, ref.astype(g.dtype))  # integers wrap, as in XLA


DOT_SHAPES = [((3,), (3,)), ((2, 3), (3,)), ((3,), (3, 4)), ((2, 3), (3, 4)),
              ((2, 3, 4), (5, 4, 2)), ((), (3,)), ((2, 3), ()), ((0, 3), (3, 2)),
              ((2, 3), (4, 5)), ((3,), (4,))]
MATMUL_SHAPES = [((3,), (3,)), ((2, 3), (3,)), ((3,), (4, 3, 2)), ((2, 1, 3, 4), (5, 4, 2)),
                 ((1, 2, 3), (1, 3, 2)), ((2, 2, 3), (3, 3, 5)), ((0, 3), (3, 2)),
                 ((2, 3), (4, 5)), ((), (3,)), ((4, 1, 2, 3), (1, 5, 3, 2))]
DTYPES = ["float32", "int32", "int8", "bool", "complex64"]


@pytest.mark.parametrize("dt", DTYPES)
@pytest.mark.parametrize("shapes", DOT_SHAPES, ids=str)
def test_dot(shapes, dt):
    _compare("dot", _rand(shapes[0], dt), _rand(shapes[1], dt))


@pytest.mark.parametrize("dt", DTYPES)
@pytest.mark.parametrize("shapes", MATMUL_SHAPES, ids=str)
def test_matmul(shapes, dt):
    _compare("matmul", _rand(shapes[0], dt), _rand(shapes[1], dt))


@pytest.mark.parametrize("a,b", [(2, 3), (2.0, 3), (2, np.arange(3, dtype=np.int8)),
                                 (np.arange(3, dtype=np.int8), np.ones(3, np.float32)),
                                 (np.ones(3, np.uint8), np.ones(3, np.int8)),
                                 (True, np.ones(3, np.float16))])
def test_dot_promotion_and_weak_types(a, b):
    _compare("dot", a, b)
    if np.ndim(a) and np.ndim(b):
        _compare("matmul", a, b)
        _compare("vdot", a, b)


def test_dot_preferred_element_type():
    a = np.arange(6, dtype=np.int8).reshape(2, 3)
    _compare("dot", a, a.T, preferred_element_type=np.int32)
    _compare("matmul", a, a.T, preferred_element_type="float32")
    _compare("tensordot", a, a, axes=([0, 1], [0, 1]), preferred_element_type=np.float32)


def test_dot_of_a_long_int32_vector_wraps_around():
    # The seed notebook's `jnp.dot(jnp.arange(int(1e7)), ...)` overflows int32 in JAX too.
    v = np.arange(10**7, dtype=np.int32)
    got = anp.dot(anp.asarray(v), anp.asarray(v))
    assert got.dtype == np.int32
    assert int(got) == int(jnp.dot(v, v)) == -1039031360


def test_matmul_operator_and_dot_method():
    a, b = _rand((2, 3)), _rand((3, 4))
    x, y = anp.asarray(a), anp.asarray(b)
    np.testing.assert_allclose(np.asarray(x @ y), a @ b, rtol=1e-5)
    np.testing.assert_allclose(np.asarray(a @ y), a @ b, rtol=1e-5)
    np.testing.assert_allclose(np.asarray(x.dot(y)), a @ b, rtol=1e-5)


@pytest.mark.parametrize("axes", [0, 1, 2, 3, (1, 0), ([1, 2], [1, 0]), ((0,), (2,)),
                                  ([0], [0, 1]), "x", (1, (0,))], ids=str)
def test_tensordot(axes):
    _compare("tensordot", _rand((2, 3, 4)), _rand((4, 3, 2)), axes)


@pytest.mark.parametrize("shapes", [((2, 3), (4, 3)), ((3,), (3,)), ((), (2, 3)), ((2, 3), ()),
                                    ((2, 3), (3, 2))], ids=str)
def test_inner(shapes):
    _compare("inner", _rand(shapes[0]), _rand(shapes[1]))


@pytest.mark.parametrize("a,b", [((2, 2), 3), ((3,), (4,)), ((0,), (2,))], ids=str)
def test_outer(a, b):
    _compare("outer", _rand(a), b if isinstance(b, int) else _rand(b))


@pytest.mark.parametrize("shapes", [((2,), (2, 3)), ((2, 3), (3, 2)), ((2, 2), (2,)), ((), (3,)),
                                    ((1, 2, 3), (2, 1))], ids=str)
def test_kron(shapes):
    _compare("kron", _rand(shapes[0], "int32"), _rand(shapes[1], "int32"))
    _compare("kron", _rand(shapes[0]), _rand(shapes[1]))


@pytest.mark.parametrize("dt", ["float32", "complex64", "int32"])
def test_vdot(dt):
    _compare("vdot", _rand((2, 3), dt), _rand((6,), dt))
    _compare("vdot", _rand((3,), dt), _rand((4,), dt))


@pytest.mark.parametrize("shapes,axis", [(((2, 1, 3), (4, 3)), -1), (((3, 2), (3, 2)), 0),
                                         (((3, 2), (2, 3)), 0), (((3,), (3,)), 5)], ids=str)
@pytest.mark.parametrize("dt", ["float32", "complex64"])
def test_vecdot(shapes, axis, dt):
    _compare("vecdot", _rand(shapes[0], dt), _rand(shapes[1], dt), axis=axis)


@pytest.mark.parametrize("name,shapes", [("matvec", ((2, 1, 3, 4), (5, 4))),
                                         ("matvec", ((3, 4), (4,))),
                                         ("vecmat", ((5, 3), (2, 1, 3, 4))),
                                         ("vecmat", ((3,), (3, 4)))], ids=str)
def test_matvec_vecmat(name, shapes):
    _compare(name, _rand(shapes[0], "complex64"), _rand(shapes[1], "complex64"))


@pytest.mark.parametrize("shapes,kw", [(((4, 3), (3,)), {}), (((4, 2), (2,)), {}),
                                       (((4, 2), (3,)), {}), (((3, 4), (3, 4)), {"axis": 0}),
                                       (((3, 4), (4, 3)), {"axisa": 0, "axisc": 0}),
                                       (((4, 4), (4,)), {})], ids=str)
def test_cross(shapes, kw):
    _compare("cross", _rand(shapes[0]), _rand(shapes[1]), **kw)
    _compare("cross", _rand(shapes[0], "int32"), _rand(shapes[1], "int32"), **kw)


def test_cross_two_vectors_with_nan_pads_with_zeros():
    a = np.array([np.nan, 1.0], np.float32)
    _compare("cross", a, np.array([1.0, 2.0, 3.0], np.float32))


@pytest.mark.parametrize("mode", ["full", "same", "valid", "bad"])
@pytest.mark.parametrize("name", ["convolve", "correlate"])
@pytest.mark.parametrize("sizes", [(7, 3), (3, 7), (5, 5), (1, 4), (6, 2)], ids=str)
def test_convolve_correlate(name, mode, sizes):
    _compare(name, _rand(sizes[0]), _rand(sizes[1]), mode=mode)
    _compare(name, _rand(sizes[0], "int32"), _rand(sizes[1], "int32"), mode=mode)
    _compare(name, _rand(sizes[0], "complex64"), _rand(sizes[1], "complex64"), mode=mode)


def test_convolve_errors_and_preferred_type():
    _compare("convolve", np.ones(0), np.ones(3))
    _compare("convolve", np.ones((2, 2)), np.ones(3))
    a = np.arange(5, dtype=np.int32)
    _compare("convolve", a, a[:3], preferred_element_type=np.int32)


def test_convolve_large_kernel_accumulates_per_tap(monkeypatch):
    from axc.kernels.numpy import products
    monkeypatch.setattr(products, "_WINDOW_LIMIT", 4)
    _compare("convolve", _rand(9), _rand(4), mode="same")


EINSUM_CASES = [
    ("ij,jk->ik", [(2, 3), (3, 4)]), ("ij,jk", [(2, 3), (3, 4)]), ("ii->i", [(3, 3)]),
    ("ii", [(3, 3)]), ("ij->", [(2, 3)]), ("ij->ji", [(2, 3)]), ("ji", [(2, 3)]),
    ("...ij,...jk", [(5, 2, 3), (3, 4)]), ("i...,i...", [(3, 2), (3, 1)]),
    ("...,...", [(2, 3), (3,)]), ("bij,bjk->bik", [(2, 3, 4), (2, 4, 5)]),
    ("ij,jk,kl->il", [(2, 3), (3, 4), (4, 5)]), ("i,i", [(3,), (3,)]), ("i,j", [(3,), (4,)]),
    ("iij,jk->ik", [(3, 3, 4), (4, 2)]), ("ij,ij->ij", [(1, 3), (2, 3)]),
    ("iii->i", [(3, 3, 3)]), ("ab,cd,bc->ad", [(2, 3), (4, 5), (3, 4)]),
    ("i,i->", [(0,), (0,)]), ("ijk,ilk->jl", [(2, 3, 4), (2, 5, 4)]), (",i->i", [(), (3,)]),
    ("i->", [(4,)]), ("ij,jk", [(2, 3), (4, 5)]), ("ij,jk->il", [(2, 3), (3, 5)]),
    ("ijk", [(2, 3)]), ("ij", [(2, 3), (3, 2)]), ("ij->ii", [(2, 2)]),
    ("a,b,c,d->abcd", [(2,), (1,), (3,), (2,)]), ("ab,bc,cd,de->ae", [(2, 3)] * 4),
]


@pytest.mark.parametrize("dt", ["float32", "int32"])
@pytest.mark.parametrize("spec,shapes", EINSUM_CASES, ids=[c[0] for c in EINSUM_CASES])
def test_einsum(spec, shapes, dt):
    if spec == "ab,bc,cd,de->ae":
        shapes = [(2, 3), (3, 4), (4, 5), (5, 2)]
    _compare("einsum", spec, *[_rand(s, dt) for s in shapes], tol=1e-4)


def test_einsum_interleaved_scalars_and_preferred_type():
    a, b = _rand((2, 3)), _rand((3, 4))
    _compare("einsum", a, [0, 1], b, [1, 2], [0, 2])
    _compare("einsum", a, [Ellipsis, 1], b, [1, Ellipsis])
    _compare("einsum", "i,i", np.arange(3), np.arange(3), preferred_element_type=np.float32)
    _compare("einsum", "ij,j", _rand((2, 3), "int8"), _rand((3,), "float32"))
    _compare("einsum", ",", 2, 3.0)
    _compare("einsum", "i,i", _rand((3,), "bool"), _rand((3,), "bool"))


@pytest.mark.parametrize("name,args", [("dot", ([1, 2], "x")), ("matmul", (object(), [1])),
                                       ("einsum", ("ij", [[1]])), ("tensordot", ("a", [1]))])
def test_non_arrays_raise_type_error(name, args):
    with pytest.raises(TypeError):
        getattr(anp, name)(*args)
