"""``axc.numpy.linalg`` vs ``jax.numpy.linalg`` (types, errors) and NumPy (values)."""
import numpy as np
import pytest

import axc.numpy as anp

jax = pytest.importorskip("jax")
jnp = pytest.importorskip("jax.numpy")
from jax_oracle import eval_shape_at  # after the skip: it needs jax

RNG = np.random.default_rng(11)


def _rand(*shape, dt="float32"):
    dt = np.dtype(dt)
    if dt.kind == "c":
        return (RNG.standard_normal(shape) + 1j * RNG.standard_normal(shape)).astype(dt)
    return RNG.standard_normal(shape).astype(dt)


def _spd(*shape):
    m = _rand(*shape)
    return m @ np.swapaxes(m, -1, -2) + shape[-1] * np.eye(shape[-1], dtype=np.float32)


def _check(got, want, tol, ref=None):
    """``got`` against ``want`` (JAX values or abstract values) and ``ref`` (NumPy values)."""
    if isinstance(want, tuple):
        assert isinstance(got, tuple) and len(got) == len(want)
        if hasattr(want, "_fields"):
            assert got._fields == want._fields
        refs = ref if ref is not None else [None] * len(want)
        for g, w, r in zip(got, want, refs):
            _check(g, w, tol, r)
        return
    assert (got.shape, got.dtype) == (want.shape, want.dtype)
    assert got.weak_type == want.weak_type
    if isinstance(want, jax.ShapeDtypeStruct):
        if ref is None:
            return
        w = np.asarray(ref)
    else:
        w = np.asarray(want)
    g = np.asarray(got)
    if g.dtype.kind in "fc":
        scale = max(1.0, float(np.max(np.abs(w[np.isfinite(w)]), initial=0)))
        np.testing.assert_allclose(g, w.astype(g.dtype), rtol=tol, atol=tol * scale,
                                   equal_nan=True)
    else:
        np.testing.assert_array_equal(g, w)


def _static(a):
    return not isinstance(a, np.ndarray)


def _eval_shape(fn, args, kwargs):
    traced = [i for i, a in enumerate(args) if not _static(a)]
    return eval_shape_at(fn, args, kwargs, traced)


def _compare(name, *args, tol=2e-4, oracle="numpy", **kwargs):
    """Types and errors from JAX's abstract evaluation (no compile); values from NumPy's
    LAPACK in double precision, or from JAX itself (``oracle="jax"``) where the two
    differ on purpose (singular and non-PD inputs, JAX's own tolerances)."""
    afn, jfn = getattr(anp.linalg, name), getattr(jnp.linalg, name)
    try:
        want = jfn(*args, **kwargs) if oracle == "jax" else _eval_shape(jfn, args, kwargs)
    except Exception as e:  # noqa: BLE001 - JAX refuses: axc must refuse with the same class
        with pytest.raises(type(e)):
            afn(*args, **kwargs)
        return
    ref = None
    if oracle == "numpy":
        wide = [a.astype(np.complex128 if a.dtype.kind == "c" else np.float64)
                if isinstance(a, np.ndarray) else a for a in args]
        ref = NUMPY.get(name, getattr(np.linalg, name))(*wide, **kwargs)
    _check(afn(*args, **kwargs), want, tol, ref)


def _sym(a):
    return (a + np.conj(np.swapaxes(a, -1, -2))) / 2


def _np_lstsq(a, b, rcond=None, numpy_resid=False):
    x, _, rank, s = np.linalg.lstsq(a, b, rcond=rcond)
    resid = np.sum(np.abs(b - a @ x) ** 2, axis=0)
    return x, resid, rank, s


NUMPY = {  # JAX's semantics where NumPy's spelling differs
    "cholesky": lambda a, upper=False: np.linalg.cholesky(_sym(a), upper=upper),
    "eigvalsh": lambda a, UPLO="L": np.linalg.eigvalsh(_sym(a)),
    "svd": lambda a, full_matrices=True, compute_uv=True, hermitian=False:
        np.linalg.svd(a, full_matrices, compute_uv),
    "lstsq": _np_lstsq,
    "matrix_rank": lambda m, rtol=None, hermitian=False, tol=None:
        np.linalg.matrix_rank(m, rtol=rtol if tol is None else tol, hermitian=hermitian),
}


SQUARE = [(4, 4), (2, 5, 5), (3, 3), (2, 2), (1, 1), (0, 0), (2, 0, 0), (3, 4), (4,)]


@pytest.mark.parametrize("name", ["inv", "det", "slogdet"])
@pytest.mark.parametrize("shape", SQUARE, ids=str)
def test_inverse_and_determinants(name, shape):
    _compare(name, _rand(*shape) + 3 * np.eye(shape[-1], dtype=np.float32)
             if len(shape) > 1 and shape[-1] == shape[-2] else _rand(*shape))


@pytest.mark.parametrize("name", ["inv", "det", "slogdet"])
def test_singular_integer_and_complex_inputs(name):
    singular = np.array([[1.0, 2, 3, 4], [2, 4, 6, 8], [0, 1, 4, 1], [0, 0, 1, 5]], np.float32)
    # Singular input: JAX's infinities/NaNs (NumPy raises), so JAX is the oracle.
    _compare(name, singular, tol=1e-3, oracle="jax")
    _compare(name, np.zeros((3, 3), np.float32), oracle="jax")
    _compare(name, np.array([[2, 1, 0, 0], [1, 3, 1, 0], [0, 1, 4, 1], [0, 0, 1, 5]]))
    _compare(name, _rand(5, 5, dt="complex64") + 3 * np.eye(5, dtype=np.complex64))


@pytest.mark.parametrize("shapes", [((4, 4), (4, 2)), ((4, 4), (4,)), ((2, 4, 4), (2, 4, 3)),
                                    ((4, 4), (3, 4, 2)), ((2, 1, 3, 3), (4, 3, 1)),
                                    ((2, 4, 4), (2, 4)), ((3,), (3,)), ((3, 3), (4,)),
                                    ((3, 4), (3,)), ((0, 0), (0,))], ids=str)
def test_solve(shapes):
    a = _rand(*shapes[0])
    if a.ndim >= 2 and a.shape[-1] == a.shape[-2]:
        a = a + 4 * np.eye(a.shape[-1], dtype=np.float32)
    _compare("solve", a, _rand(*shapes[1]))


@pytest.mark.parametrize("upper", [False, True])
@pytest.mark.parametrize("shape", [(4, 4), (2, 3, 3), (0, 0)], ids=str)
def test_cholesky(shape, upper):
    _compare("cholesky", _spd(*shape), upper=upper)


def test_cholesky_symmetrizes_and_reports_failure_as_nan():
    a = _spd(3, 3)
    a[0, 2] += 0.5  # only the symmetric part matters
    _compare("cholesky", a)
    _compare("cholesky", np.array([[1.0, 2.0], [2.0, 1.0]], np.float32), oracle="jax")
    _compare("cholesky", np.eye(3, dtype=np.int32))


@pytest.mark.parametrize("uplo", [None, "L", "U", "X"])
def test_eigh_and_eigvalsh(uplo):
    a = _spd(2, 4, 4)
    _compare("eigvalsh", a, UPLO=uplo)
    try:
        w, _ = jax.eval_shape(lambda m: jnp.linalg.eigh(m, UPLO=uplo), a)
    except ValueError:
        with pytest.raises(ValueError):
            anp.linalg.eigh(a, UPLO=uplo)
        return
    got = anp.linalg.eigh(a, UPLO=uplo)
    assert got._fields == ("eigenvalues", "eigenvectors")
    _check(got.eigenvalues, w, 1e-4, np.linalg.eigvalsh(a.astype(np.float64)))
    vecs = np.asarray(got.eigenvectors)
    np.testing.assert_allclose(vecs * np.asarray(got.eigenvalues)[..., None, :]
                               @ np.swapaxes(vecs, -1, -2), a, rtol=1e-4, atol=1e-3)


@pytest.mark.parametrize("shape", [(5, 3), (3, 5), (2, 4, 4), (0, 3)], ids=str)
@pytest.mark.parametrize("full_matrices", [True, False])
def test_svd(shape, full_matrices):
    a = _rand(*shape)
    _compare("svd", a, full_matrices=full_matrices, compute_uv=False)
    _compare("svdvals", a)
    u, s, vh = anp.linalg.svd(a, full_matrices=full_matrices)
    ju, js, jvh = jax.eval_shape(lambda m: jnp.linalg.svd(m, full_matrices=full_matrices), a)
    assert (u.shape, s.shape, vh.shape) == (ju.shape, js.shape, jvh.shape)
    k = min(shape[-2:])
    recon = (np.asarray(u)[..., :k] * np.asarray(s)[..., None, :]) @ np.asarray(vh)[..., :k, :]
    np.testing.assert_allclose(recon, a, rtol=1e-4, atol=1e-4)


def test_svd_hermitian():
    a = _spd(4, 4) - 6 * np.eye(4, dtype=np.float32)  # symmetric, indefinite
    _compare("svd", a, hermitian=True, compute_uv=False)
    u, s, vh = anp.linalg.svd(a, hermitian=True)
    _check(s, jax.eval_shape(lambda m: jnp.linalg.svd(m, hermitian=True), a)[1], 1e-4,
           np.linalg.svd(a.astype(np.float64), compute_uv=False))
    np.testing.assert_allclose((np.asarray(u) * np.asarray(s)) @ np.asarray(vh), a,
                               rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize("mode", ["reduced", "complete", "r", "bogus"])
@pytest.mark.parametrize("shape", [(5, 3), (3, 5), (2, 4, 4)], ids=str)
def test_qr(shape, mode):
    a = _rand(*shape)
    if mode in ("r", "bogus"):
        # R's row signs are LAPACK's choice; compare |R|.
        try:
            jax.eval_shape(lambda m: jnp.linalg.qr(m, mode=mode), a)
        except ValueError:
            with pytest.raises(ValueError):
                anp.linalg.qr(a, mode=mode)
            return
        got = anp.linalg.qr(a, mode=mode)
        want = np.linalg.qr(a.astype(np.float64), mode="r")
        np.testing.assert_allclose(np.abs(got), np.abs(want), rtol=1e-4, atol=1e-4)
        return
    q, r = anp.linalg.qr(a, mode=mode)
    jq, jr = jax.eval_shape(lambda m: jnp.linalg.qr(m, mode=mode), a)
    assert (q.shape, r.shape) == (jq.shape, jr.shape)
    np.testing.assert_allclose(np.asarray(q) @ np.asarray(r), a, rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize("ord", [None, 1, 2, -1, -2, np.inf, -np.inf, "fro", "nuc", 3])
@pytest.mark.parametrize("axis,keepdims", [((1, 2), False), ((2, 0), True), ((-1, -2), False)])
def test_matrix_norms(ord, axis, keepdims):
    _compare("norm", _rand(3, 4, 5), ord=ord, axis=axis, keepdims=keepdims)


@pytest.mark.parametrize("ord", [None, 0, 1, 2, 3, 0.5, -1, np.inf, -np.inf, "inf", "fro"])
@pytest.mark.parametrize("dt", ["float32", "complex64"])
def test_vector_norms(ord, dt):
    _compare("norm", _rand(3, 4, dt=dt), ord=ord, axis=1)
    _compare("vector_norm", _rand(3, 4, dt=dt), ord=ord if ord is not None else 2, axis=0)


@pytest.mark.parametrize("args,kw", [((np.arange(6),), {}), ((np.ones((2, 3, 4)),), {}),
                                     ((np.ones((2, 3, 4)),), {"axis": (0, 1, 2)}),
                                     ((np.ones((2, 3)),), {"ord": 2}),
                                     ((np.ones((2, 3)),), {"keepdims": True}),
                                     ((np.ones((0, 3), np.float32),), {"ord": 2})], ids=str)
def test_norm_defaults_and_errors(args, kw):
    _compare("norm", *args, **kw)


@pytest.mark.parametrize("ord", [None, 0, 1, 2, np.inf, -np.inf])
def test_vector_norm_of_integers(ord):
    _compare("vector_norm", np.arange(-2, 3, dtype=np.int32), ord=ord if ord is not None else 2)


def test_matrix_norm_helper():
    _compare("matrix_norm", _rand(2, 3, 4))
    _compare("matrix_norm", _rand(2, 3, 4), ord=2, keepdims=True)


@pytest.mark.parametrize("shape", [(5, 3), (2, 3, 5), (0, 3)], ids=str)
def test_pinv(shape):
    _compare("pinv", _rand(*shape))


def test_pinv_rank_deficient_and_rcond():
    a = np.array([[1.0, 2.0], [2.0, 4.0], [0.0, 0.0]], np.float32)
    _compare("pinv", a)
    _compare("pinv", a, rcond=0.5)
    _compare("pinv", a, rtol=0.5, rcond=0.5)


@pytest.mark.parametrize("m", [np.array([[1.0, 2.0], [2.0, 4.0]], np.float32),
                               np.ones((3, 4, 5), np.float32), np.zeros(3, np.float32),
                               np.array([0.0, 1.0], np.float32)], ids=["rank1", "batch", "z",
                                                                      "vec"])
def test_matrix_rank(m):
    _compare("matrix_rank", m)
    _compare("matrix_rank", _rand(3, 4, 5))


@pytest.mark.parametrize("n", [0, 1, 2, 3, 5, -1, -2, 1.5])
def test_matrix_power(n):
    a = _rand(2, 3, 3) / 2 + np.eye(3, dtype=np.float32)
    _compare("matrix_power", a, n, tol=1e-3)
    _compare("matrix_power", np.arange(9).reshape(3, 3), abs(int(n)))


def test_matrix_power_errors():
    _compare("matrix_power", np.ones(3), 2)
    _compare("matrix_power", np.ones((2, 3)), 2)


@pytest.mark.parametrize("bshape", [(6,), (6, 2), (5,)], ids=str)
def test_lstsq(bshape):
    a, b = _rand(6, 3), _rand(*bshape)
    _compare("lstsq", a, b)
    _compare("lstsq", a, b, rcond=0.1)


def test_lstsq_rank_deficient_and_numpy_resid():
    a = np.array([[1.0, 2.0], [2.0, 4.0], [3.0, 6.0]], np.float32)
    b = np.array([1.0, 2.0, 3.5], np.float32)
    _compare("lstsq", a, b)
    _compare("lstsq", a, b, numpy_resid=True, oracle="jax")
    _compare("lstsq", np.ones((2, 2, 2)), np.ones((2, 2)))


@pytest.mark.parametrize("p", [None, 2, -2, 1, -1, np.inf, "fro"])
def test_cond(p):
    _compare("cond", _rand(4, 4), p)
    _compare("cond", _rand(3, 4), p)
    singular = np.array([[1.0, 2.0], [2.0, 4.0]], np.float32)
    if p in (None, 2, -2):
        # s_min is rounding noise (NumPy's LAPACK runs in double precision): both huge.
        got, want = anp.linalg.cond(singular, p), jnp.linalg.cond(singular, p)
        assert (float(got) > 1e6) == (float(want) > 1e6)
    else:
        _compare("cond", singular, p)


def test_cond_errors():
    _compare("cond", np.ones(3))
    _compare("cond", np.ones((0, 0)))


@pytest.mark.parametrize("shapes", [[(3,), (3, 4), (4, 5), (5,)], [(2, 3), (3, 4)],
                                    [(3, 4), (4,)], [(3,)], [(2, 3), (4, 5)],
                                    [(2, 3, 4), (4, 2)]], ids=str)
def test_multi_dot(shapes):
    _compare("multi_dot", [_rand(*s) for s in shapes])


def test_array_api_aliases():
    a, b = _rand(2, 3), _rand(2, 3)
    _compare("outer", a[0], b[0])
    _compare("outer", a, b)
    _compare("cross", a, b)
    _compare("cross", _rand(2, 2), _rand(2, 2))
    _compare("vecdot", a, b)
    _compare("matmul", a, b.T)
    _compare("tensordot", a, b, axes=([0, 1], [0, 1]))
    _compare("matrix_transpose", _rand(2, 3, 4))
    _compare("diagonal", _rand(2, 3, 3), offset=1)
    _compare("trace", _rand(2, 3, 3), offset=-1)


def test_tensorinv_and_tensorsolve():
    a = _rand(4, 6, 8, 3) + 0.0
    _compare("tensorinv", a, ind=2, tol=5e-2)
    _compare("tensorinv", a, ind=0)
    _compare("tensorinv", _rand(2, 3, 5), ind=1)
    _compare("tensorsolve", _rand(6, 2, 3), _rand(6), tol=5e-2)
    _compare("tensorsolve", _rand(6, 2, 3), _rand(5))
