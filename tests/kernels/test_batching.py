"""Every primitive's batching rule against a Python loop over the batch, and against
``jax.vmap`` of the matching ``jax.lax`` function.

Each case of ``primitive_cases`` becomes a batch of ``B`` examples: example 0 is the case's
own operands, the others are variations of them (permuted elements, or shifted/scaled
scalars and matrices, so each example differs). The rule's result, with its batch axis moved
to the front, must equal the stacked eager results of the examples: exactly for integers,
within ``primitive_cases.tolerance`` (what compiled backends are held to) for floats.
Operands are batched at axis 0, at their last axis, at mixed axes, and (for several
operands) in every proper subset, the others shared by all examples.
"""
import functools
import itertools

import numpy as np
import primitive_cases as pc
import pytest
from axc.kernels import registry
from axc.kernels.index_plan import IndexTemplate

import axc

B = 3
# Primitives whose rule is PENDING (control flow, the region-holding primitives) or not
# applicable (iota: no operands) have no rule to test; test_registry holds them to account.
CASES = [c for c in pc.all_cases() if callable(c.prim.batch)]
pytestmark = pytest.mark.filterwarnings("ignore::RuntimeWarning")


def _x64(case: pc.Case):
    return axc.config.override("jax_enable_x64", case.needs_x64)


# --- building batches ----------------------------------------------------------------------

def _layouts(case: pc.Case) -> list[tuple]:
    """Batch axes (``None``: unbatched) of the operands, one tuple per layout tested."""
    ndims = [np.ndim(x) for x in case.operands]
    n = len(ndims)
    out = [(0,) * n, tuple(ndims)]
    if n > 1:
        out.append(tuple(d if i % 2 == 0 else 0 for i, d in enumerate(ndims)))
        for r in range(1, n):
            for subset in itertools.combinations(range(n), r):
                out.append(tuple(0 if i in subset else None for i in range(n)))
    return list(dict.fromkeys(out))


def _examples(case: pc.Case, dims: tuple) -> list[list[np.ndarray]]:
    """The operands of each of the ``B`` examples."""
    return [[pc.example_variant(case, i, k) if d is not None else np.asarray(x)
             for i, (x, d) in enumerate(zip(case.operands, dims))] for k in range(B)]


def _batched_operands(case: pc.Case, dims: tuple) -> list[np.ndarray]:
    examples = _examples(case, dims)
    return [np.stack([ex[i] for ex in examples], axis=d) if d is not None else examples[0][i]
            for i, d in enumerate(dims)]


def _as_tuple(case: pc.Case, out, dims):
    if case.prim.multiple_results:
        assert isinstance(out, tuple) and len(out) == len(dims), (type(out), dims)
        return out, tuple(dims)
    assert isinstance(dims, int), dims
    return (out,), (dims,)


def _apply_rule(case: pc.Case, dims: tuple) -> tuple:
    args = [axc.numpy.asarray(x) for x in _batched_operands(case, dims)]
    return _as_tuple(case, *case.prim.batch(args, dims, **case.params))


def _loop(case: pc.Case, dims: tuple) -> tuple:
    """The Python loop over the batch: each example bound eagerly, results stacked."""
    outs = [case.prim.bind(*map(axc.numpy.asarray, ex), **case.params)
            for ex in _examples(case, dims)]
    outs = [o if case.prim.multiple_results else (o,) for o in outs]
    return tuple(np.stack([np.asarray(o[j]) for o in outs]) for j in range(len(outs[0]))), \
        tuple(o.weak_type for o in outs[0])


# --- the rule against the loop -------------------------------------------------------------

@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_rule_matches_loop_over_examples(case):
    with _x64(case):
        for dims in _layouts(case):
            want, weak = _loop(case, dims)
            outs, out_dims = _apply_rule(case, dims)
            for j, (o, d, w) in enumerate(zip(outs, out_dims, want)):
                label = f"{case.id} dims={dims} result {j}"
                assert isinstance(o, axc.Array), label
                assert o.weak_type == weak[j], label
                got = np.moveaxis(np.asarray(o), d, 0)
                pc.assert_close(got, w, pc.tolerance(case, w.dtype), label)


def test_cases_cover_every_rule_and_layout_kind():
    """The table reaches every filled batch slot, and multi-operand layouts really mix."""
    with_rules = {n for n, p in registry.primitives().items() if callable(p.batch)}
    assert with_rules == {c.prim_name for c in CASES}
    assert len(with_rules) >= 100
    add = next(c for c in CASES if c.prim_name == "add" and c.operands[0].ndim == 2)
    layouts = _layouts(add)
    assert (0, None) in layouts and (None, 0) in layouts and (2, 0) in layouts


def test_variations_differ_between_examples():
    """A rule that broadcast example 0 would pass vacuously if the examples were equal."""
    for case in CASES[::25]:
        for i, x in enumerate(case.operands):
            x = np.asarray(x)
            if x.size and not (x.dtype.kind == "b" and x.size == 1):
                variants = [pc.example_variant(case, i, k) for k in range(B)]
                same = [np.array_equal(variants[0], v, equal_nan=x.dtype.kind in "fc")
                        for v in variants[1:]]
                assert not all(same) or np.unique(x.ravel()).size == 1, case.id


def test_unbatched_shared_operand_is_not_varied():
    case = next(c for c in CASES if c.prim_name == "mul" and c.operands[0].shape == (37,))
    ex = _examples(case, (0, None))
    assert np.array_equal(ex[0][1], ex[2][1]) and not np.array_equal(ex[0][0], ex[1][0])


# --- rules stage under jit and bind what they should ---------------------------------------

def _one_case_per_primitive():
    seen = {}
    for c in CASES:
        if not c.needs_x64 and all(np.size(x) for x in c.operands):
            seen.setdefault(c.prim_name, c)
    return list(seen.values())


@pytest.mark.parametrize("case", _one_case_per_primitive(), ids=lambda c: c.id)
def test_rule_stages_under_jit(case):
    """A rule only binds primitives: staged for ``jit``, it types as the eager rule computes."""
    dims = _layouts(case)[-1]
    want, _ = _apply_rule(case, dims)

    def batched(*xs):
        out, _ = case.prim.batch(list(xs), dims, **case.params)
        return out
    avals = axc.make_ir(batched)(*_batched_operands(case, dims)).out_avals
    assert [(a.shape, a.dtype) for a in avals] == [(w.shape, w.dtype) for w in want], case.id


def test_rules_run_under_jit():
    """Values too, for a few rules with constants and index arithmetic of their own."""
    names = ("pad", "dynamic_slice", "dynamic_update_slice", "index", "index_update",
             "dot_general", "sort")
    for case in [c for c in _one_case_per_primitive() if c.prim_name in names]:
        dims = _layouts(case)[-1]
        args = _batched_operands(case, dims)
        want, _ = _apply_rule(case, dims)
        got = axc.jit(lambda *xs, c=case, d=dims: c.prim.batch(list(xs), d, **c.params)[0])(*args)
        got = got if case.prim.multiple_results else (got,)
        for g, w in zip(got, want):
            pc.assert_close(np.asarray(g), np.asarray(w), pc.tolerance(case, w.dtype), case.id)


def _primitives_staged(fn, *args) -> list[str]:
    return [e.prim.name for e in axc.make_ir(fn)(*args).eqns]


def test_batched_matvec_is_one_matrix_product():
    """``vmap(dot, (None, 0))``: the vectors times the matrix, batched at axis 0 as written
    by hand (``vs @ m.T``), one ``dot_general`` and no transpose."""
    dot = registry.get("dot_general")
    m = np.ones((150, 100), np.float32)
    vs = np.arange(10 * 100, dtype=np.float32).reshape(10, 100)
    params = {"dimension_numbers": (((1,), (0,)), ((), ())), "precision": None,
              "preferred_element_type": None}
    out, out_dim = dot.batch([axc.numpy.asarray(m), axc.numpy.asarray(vs)], (None, 0), **params)
    assert out.shape == (10, 150) and out_dim == 0
    np.testing.assert_allclose(np.asarray(out), vs @ m.T, rtol=1e-5)
    staged = _primitives_staged(lambda a, b: dot.batch([a, b], (None, 0), **params)[0], m, vs)
    assert staged == ["dot_general"]


@pytest.mark.parametrize("name,dims", [("sin", (0,)), ("add", (1, 1)), ("mul", (0, None))])
def test_elementwise_rules_leave_aligned_batch_axes_in_place(name, dims):
    x = np.ones((4, 5), np.float32)
    args = [x, x[0] if None in dims else x] if len(dims) == 2 else [x]
    prim = registry.get(name)
    staged = _primitives_staged(lambda *a: prim.batch(list(a), dims)[0], *args)
    assert staged == [name]


# --- rules under AD: grad(vmap(f)) differentiates the rules' source ----------------------

def _first_result(out):
    return out[0] if isinstance(out, tuple) else out


def _loss1(x, rule, dims, params, w):
    out, _ = rule([x], dims, **params)
    return axc.numpy.sum(_first_result(out) * w)


def _loss2(x, y, rule, dims, params, w):
    out, _ = rule([x, y], dims, **params)
    return axc.numpy.sum(_first_result(out) * w)


def _loss3(x, y, z, rule, dims, params, w):
    out, _ = rule([x, y, z], dims, **params)
    return axc.numpy.sum(_first_result(out) * w)


def _example1(x, prim, params, w):
    return axc.numpy.sum(_first_result(prim.bind(x, **params)) * w)


def _example2(x, y, prim, params, w):
    return axc.numpy.sum(_first_result(prim.bind(x, y, **params)) * w)


def _example3(x, y, z, prim, params, w):
    return axc.numpy.sum(_first_result(prim.bind(x, y, z, **params)) * w)


_LOSSES = {1: (_loss1, _example1), 2: (_loss2, _example2), 3: (_loss3, _example3)}
# Rules over lists of operands use comprehensions, which the AD transforms refuse (loudly).
AD_GAPS = {"concatenate", "sort", "index", "index_update", "dynamic_slice",
           "dynamic_update_slice"}


def _ad_cases():
    """One case per differentiable primitive of at most three operands, operand 0 float32
    (not 0-d where the table has another: more batch axes to place)."""
    seen = {}
    for c in CASES:
        x = np.asarray(c.operands[0])
        if isinstance(c.prim.jvp, registry.Templates) and len(c.operands) <= 3 and \
                x.dtype == np.float32 and x.size and \
                (c.prim_name not in seen or seen[c.prim_name].operands[0].ndim == 0):
            seen[c.prim_name] = c
    marks = {n: pytest.mark.xfail(strict=True, raises=NotImplementedError,
                                  reason="variadic rule: comprehensions over arrays")
             for n in AD_GAPS}
    return [pytest.param(c, id=c.id, marks=marks.get(c.prim_name, ())) for c in seen.values()]


@pytest.mark.parametrize("case", _ad_cases())
def test_grad_through_rule_matches_loop_of_grads(case):
    """``grad`` of a weighted sum of the rule's result, with respect to operand 0, equals each
    example's own gradient (the primitive's adjoint templates), stacked."""
    loss, example = _LOSSES[len(case.operands)]
    layouts = [d for d in _layouts(case) if d[0] is not None]
    for dims in dict.fromkeys([layouts[0], layouts[-1]]):  # all at 0; last axes or a subset
        args = [axc.numpy.asarray(x) for x in _batched_operands(case, dims)]
        outs, out_dims = _apply_rule(case, dims)
        rng = np.random.default_rng(len(dims))
        w = rng.standard_normal(outs[0].shape).astype(np.float32)
        got = axc.grad(loss)(*args, case.prim.batch, dims, case.params, w)
        w_k = np.moveaxis(w, out_dims[0], 0)
        want = [np.asarray(axc.grad(example)(*map(axc.numpy.asarray, ex), case.prim,
                                             case.params, w_k[k]))
                for k, ex in enumerate(_examples(case, dims))]
        np.testing.assert_allclose(np.asarray(got), np.stack(want, axis=dims[0]), rtol=2e-4,
                                   atol=2e-4, err_msg=f"{case.id} dims={dims}")


# --- index templates the table lacks: the gather/scatter layouts ---------------------------

IDX = np.array([[2, 0, 1], [1, 1, 3]], np.int32)


def _gather_case(idx, shape=(4, 5, 6), **params):
    return pc.gather(np.arange(np.prod(shape), dtype=np.float32).reshape(shape), idx, **params)


GATHERS = {
    "adjacent-after-slice": (slice(None), IDX, np.int32(2)),
    "separated": (IDX, slice(1, 3), IDX[0]),
    "newaxis-between": (slice(None), None, IDX, None),
    "bool-and-array": (True, IDX[:, :1], slice(None)),
    "scalar-ints": (np.int32(3), slice(None, None, 2), np.int32(-1)),
    "fill": (IDX * 3 - 4, slice(None)),
}


@pytest.mark.parametrize("key", GATHERS)
@pytest.mark.parametrize("op", ["get", "add", "set"])
def test_index_templates(key, op):
    idx = GATHERS[key]
    mode = {"get": "fill", "add": "drop", "set": "clip"}[op]
    if op == "get":
        operands, params = _gather_case(idx, mode=mode, fill_value=-1.0)
    else:
        x = np.arange(4 * 5 * 6, dtype=np.float32).reshape(4, 5, 6)
        shape = x[idx].shape if key != "fill" else (2, 3, 5, 6)
        y = np.arange(int(np.prod(shape)), dtype=np.float32).reshape(shape) + 1
        operands, params = pc.scatter(x, idx, y, op, mode=mode)
    case = pc.Case("index" if op == "get" else "index_update", operands, params, key)
    for dims in _layouts(case):
        want, _ = _loop(case, dims)
        outs, out_dims = _apply_rule(case, dims)
        got = np.moveaxis(np.asarray(outs[0]), out_dims[0], 0)
        np.testing.assert_array_equal(got, want[0], err_msg=f"{key} dims={dims}")


# --- against jax.vmap of the jax.lax function ----------------------------------------------

def _jax_functions() -> tuple:
    """``(jax, {primitive name: function of the operands and params})``, or ``(None, {})``."""
    try:
        import jax
    except ImportError:
        return None, {}
    lax, lin = jax.lax, jax.lax.linalg

    def index_expr(template: IndexTemplate, arrays):
        out = []
        for e in template.entries:
            if e[0] == "slice":
                out.append(slice(e[1], e[2] if e[2] >= 0 else None, e[3]))
            elif e[0] == "array":
                out.append(arrays[e[1]])
            elif e[0] == "newaxis":
                out.append(None)
            else:
                out.append(e[1])
        return tuple(out)

    def gather(x, *arrays, template, mode="clip", fill_value=None, normalize=True):
        ref = jax.numpy.asarray(x).at[index_expr(template, arrays)]
        return ref.get(mode=mode, fill_value=fill_value)

    def scatter(x, y, *arrays, template, op, mode="drop", normalize=True):
        ref = jax.numpy.asarray(x).at[index_expr(template, arrays)]
        method = {"mul": "multiply"}.get(op, op)
        return getattr(ref, method)(y, mode=mode)

    def plain(lax_name):
        fn = getattr(lax, lax_name)
        return lambda *xs, **params: fn(*xs)

    fns = {n: plain({"not": "bitwise_not", "and": "bitwise_and"}.get(n, n))
           for n in ("sin", "exp", "neg", "abs", "floor", "sign", "erf", "lgamma", "not",
                     "real", "population_count", "add", "mul", "div", "max", "pow", "eq", "lt",
                     "and", "shift_left", "nextafter", "atan2", "complex", "select_n", "clamp")}
    fns.update({
        "integer_pow": lambda x, *, y: lax.integer_pow(x, y),
        "convert_element_type": lambda x, *, new_dtype, weak_type=False:
            lax.convert_element_type(x, new_dtype),
        "bitcast_convert_type": lambda x, *, new_dtype: lax.bitcast_convert_type(x, new_dtype),
        "broadcast_in_dim": lambda x, **p: lax.broadcast_in_dim(x, p["shape"],
                                                                p["broadcast_dimensions"]),
        "reshape": lambda x, *, new_sizes: lax.reshape(x, new_sizes),
        "transpose": lambda x, *, permutation: lax.transpose(x, permutation),
        "squeeze": lambda x, *, dimensions: lax.squeeze(x, dimensions),
        "expand_dims": lambda x, *, dimensions: lax.expand_dims(x, dimensions),
        "rev": lambda x, *, dimensions: lax.rev(x, dimensions),
        "slice": lambda x, **p: lax.slice(x, p["start_indices"], p["limit_indices"],
                                          p.get("strides")),
        "pad": lambda x, v, *, padding_config: lax.pad(x, v, padding_config),
        "concatenate": lambda *xs, dimension: lax.concatenate(xs, dimension),
        "copy": lambda x: lax.copy_p.bind(x),
        "reduce_sum": lambda x, *, axes: lax.reduce_sum(x, axes),
        "reduce_max": lambda x, *, axes: lax.reduce_max(x, axes),
        "reduce_and": lambda x, *, axes: lax.reduce_and(x, axes),
        "argmax": lambda x, *, axis, index_dtype: lax.argmax(x, axis, index_dtype),
        "argmin": lambda x, *, axis, index_dtype: lax.argmin(x, axis, index_dtype),
        "cumsum": lambda x, *, axis, reverse=False: lax.cumsum(x, axis, reverse),
        "cummax": lambda x, *, axis, reverse=False: lax.cummax(x, axis, reverse),
        "sort": lambda *xs, **p: tuple(lax.sort(xs, **p)),
        "dot_general": lambda x, y, **p: lax.dot_general(x, y, **p),
        "cholesky": lambda a: lin.cholesky(a, symmetrize_input=False),
        "triangular_solve": lambda a, b, **p: lin.triangular_solve(a, b, **p),
        "lu": lambda a: tuple(lin.lu(a)),
        "qr": lambda a, **p: tuple(lin.qr(a, **p)),
        "eigh": lambda a, **p: tuple(lin.eigh(a, symmetrize_input=False, **p)),
        "dynamic_slice": lambda x, *s, slice_sizes: lax.dynamic_slice(x, s, slice_sizes),
        "dynamic_update_slice": lambda x, u, *s: lax.dynamic_update_slice(x, u, s),
        "index": gather,
        "index_update": scatter,
    })
    return jax, fns


def _jax_sample() -> list[pc.Case]:
    """Up to two cases per primitive with a JAX counterpart, without x64, whose operands
    JAX's lax accepts (equal shapes for the broadcasting primitives)."""
    out = []
    for name in _jax_functions()[1]:
        cs = [c for c in pc.cases(name) if not c.needs_x64 and all(np.size(x) for x in c.operands)]
        if registry.get(name).family in ("elementwise", "special") and name != "clamp":
            cs = [c for c in cs if len({np.shape(x) for x in c.operands}) == 1]
        out += cs[:2]
    return out


@pytest.mark.parametrize("case", _jax_sample(), ids=lambda c: c.id)
def test_rule_agrees_with_jax_vmap_on_shape_and_dtype(case):
    jax, fns = _jax_functions()
    fn = functools.partial(fns[case.prim_name], **case.params)
    for dims in _layouts(case):
        args = _batched_operands(case, dims)
        outs, out_dims = _apply_rule(case, dims)
        want = jax.eval_shape(jax.vmap(fn, in_axes=dims), *args)  # traced, not compiled
        want = want if isinstance(want, tuple) else (want,)
        assert len(want) == len(outs)
        for o, d, w in zip(outs, out_dims, want):
            got = np.moveaxis(np.asarray(o), d, 0)
            assert (got.shape, got.dtype) == (w.shape, np.dtype(w.dtype)), (case.id, dims)
