"""Every primitive batched through the public ``axc.vmap``, against a Python loop over the
batch: ``vmap(lambda *ops: prim.bind(*ops, **params), in_axes=...)`` on ``B`` examples of
each case of ``primitive_cases`` must equal the stacked per-example results of
``prim.bind(*example, **params)`` (values, dtypes, weak types).

Layouts (``in_axes``), each named in the test id:

- ``all0``: every operand mapped at axis 0;
- ``last``: every operand mapped at its last axis (``in_axes=-1``: the batch axis is
  inserted after the example's axes, so 0-d operands are mapped too);
- ``first``: only the first operand mapped, the others shared (``None``);
- ``lastop``: only the last operand mapped.

A layout equal to an earlier one for a case (one operand; ``last`` of 0-d operands) is left
out rather than run twice. Also: ``vmap`` of ``vmap`` (one case per primitive; the inner rule
gets operands batched by the outer vmap) and shared weakly typed scalars (weak results). Not tested here, by construction:

- ``iota``: no operands, nothing to map;
- control primitives (``cond``, ``while``, ``scan``): ``vmap`` batches them at the ``lax``
  level (``BatchTrace.lax_*``), not through ``bind``; tests/compiler/transforms has their
  own tests.

Known failures (strict xfails; fixing one flips its test): ``XFAIL`` below, empty when none.
"""

import numpy as np
import primitive_cases as pc
import pytest

import axc

B = 3
XFAIL: dict[str, str] = {}  # test id -> reason
SKIPPED = {"iota": "no operands: nothing to map",
           **{n: "control primitive: batched at the lax level, not through bind"
              for n in ("cond", "while", "scan")}}
CASES = [c for c in pc.all_cases() if c.prim_name not in SKIPPED]
pytestmark = pytest.mark.filterwarnings("ignore::RuntimeWarning")

def _layouts(case: pc.Case) -> dict[str, tuple]:
    """``{name: in_axes}``; duplicates of an earlier layout left out."""
    n = len(case.operands)
    ndims = [np.ndim(x) for x in case.operands]
    named = {"all0": (0,) * n, "last": (-1,) * n,
             "first": (0,) + (None,) * (n - 1), "lastop": (None,) * (n - 1) + (0,)}
    out, seen = {}, set()
    for name, axes in named.items():
        where = tuple(None if a is None else a % (d + 1) for a, d in zip(axes, ndims))
        if where not in seen:
            seen.add(where)
            out[name] = axes
    return out


def _mapped(case: pc.Case, in_axes: tuple) -> tuple[list, list[list]]:
    """The arguments of the vmapped call and the examples of the loop (one list each).
    Shared operands are ``axc`` arrays (``bind`` takes arrays, not NumPy's)."""
    args, examples = [], [[] for _ in range(B)]
    for i, (x, axis) in enumerate(zip(case.operands, in_axes)):
        variants = [np.asarray(x)] if axis is None else [pc.example_variant(case, i, k) for k in range(B)]
        args.append(axc.numpy.asarray(variants[0]) if axis is None
                    else np.stack(variants, axis=axis))
        for k in range(B):
            examples[k].append(variants[0] if axis is None else variants[k])
    return args, examples


def _as_tuple(case: pc.Case, out) -> tuple:
    if case.prim.multiple_results:
        assert isinstance(out, tuple), type(out)
        return out
    return (out,)


def _params():
    out = []
    for c in CASES:
        for name, axes in _layouts(c).items():
            tid = f"{c.id}-{name}"
            marks = [pytest.mark.xfail(strict=True, reason=XFAIL[tid])] if tid in XFAIL else []
            out.append(pytest.param(c, axes, id=tid, marks=marks))
    return out


@pytest.mark.parametrize("case,in_axes", _params())
def test_vmap_matches_loop(case, in_axes):
    prim, params = case.prim, case.params
    with axc.config.override("jax_enable_x64", case.needs_x64):
        args, examples = _mapped(case, in_axes)
        got = _as_tuple(case, axc.vmap(lambda *ops: prim.bind(*ops, **params),
                                       in_axes=in_axes)(*args))
        loop = [_as_tuple(case, prim.bind(*map(axc.numpy.asarray, ex), **params))
                for ex in examples]
    assert len(got) == len(loop[0])
    for j, g in enumerate(got):
        label = f"{case.id} in_axes={in_axes} result {j}"
        want = np.stack([np.asarray(o[j]) for o in loop])
        assert isinstance(g, axc.Array), label
        assert g.weak_type == loop[0][j].weak_type, label
        pc.assert_close(np.asarray(g), want, pc.tolerance(case, want.dtype), label)


def test_layouts_and_examples_are_not_vacuous():
    """The examples of a batch differ (a rule that broadcast example 0 would fail), layouts
    really mix mapped and shared operands, and every registry primitive but the skipped ones
    is tested."""
    names = {c.prim_name for c in CASES}
    assert names | set(SKIPPED) == set(axc.kernels.registry.primitives())
    add = next(c for c in CASES if c.prim_name == "add" and np.ndim(c.operands[0]) == 2)
    assert _layouts(add) == {"all0": (0, 0), "last": (-1, -1), "first": (0, None),
                             "lastop": (None, 0)}
    args, examples = _mapped(add, (0, None))
    assert not np.array_equal(examples[0][0], examples[1][0])
    assert np.array_equal(examples[0][1], args[1]) and args[0].shape == (B, 3, 1)
    assert examples[0][1] is examples[2][1]
    assert _mapped(add, (-1, -1))[0][0].shape == (3, 1, B)
    total = sum(len(_layouts(c)) for c in CASES)
    assert total > 2 * len(CASES)


# --- nested vmap: rules applied to operands batched by an outer vmap ---------------------

def _first_cases() -> list[pc.Case]:
    """One case per primitive: the first without x64 whose operands are all non-empty."""
    seen: dict[str, pc.Case] = {}
    for c in CASES:
        if not c.needs_x64 and all(np.size(x) for x in c.operands):
            seen.setdefault(c.prim_name, c)
    return list(seen.values())


@pytest.mark.parametrize("case", _first_cases(), ids=lambda c: c.id)
def test_nested_vmap_matches_double_loop(case):
    """``vmap(vmap(f, in_axes=0), in_axes=-1)``: the inner rule sees operands that are
    themselves batched (an outer vmap's values), as a rule that read concrete values would not
    handle; the ``B * B`` examples come back as ``[outer, inner, ...]``."""
    prim, params = case.prim, case.params
    n = len(case.operands)
    ex = [[pc.example_variant(case, i, k) for k in range(B * B)] for i in range(n)]
    args = [np.stack([np.stack(e[o * B:(o + 1) * B]) for o in range(B)], axis=-1) for e in ex]
    f = axc.vmap(axc.vmap(lambda *ops: prim.bind(*ops, **params), in_axes=(0,) * n),
                 in_axes=(-1,) * n)
    got = _as_tuple(case, f(*args))
    loop = [_as_tuple(case, prim.bind(*[axc.numpy.asarray(e[k]) for e in ex], **params))
            for k in range(B * B)]
    for j, g in enumerate(got):
        want = np.stack([np.asarray(o[j]) for o in loop])
        want = want.reshape((B, B) + want.shape[1:])
        pc.assert_close(np.asarray(g), want, pc.tolerance(case, want.dtype), f"{case.id} {j}")


# --- weakly typed scalars shared by every example -----------------------------------------

# Python bools are not weakly typed (JAX's rule too): they are left out.
_PYTHON = {np.dtype("float32"): float, np.dtype("int32"): int, np.dtype("complex64"): complex}
SCALAR_CASES = [c for c in CASES if not c.needs_x64 and len(c.operands) > 1
                and any(np.ndim(x) == 0 and np.asarray(x).dtype in _PYTHON
                        for x in c.operands[1:])]


@pytest.mark.parametrize("case", SCALAR_CASES, ids=lambda c: c.id)
def test_shared_python_scalars(case):
    """Operand 0 mapped, 0-d others shared as weakly typed arrays of Python scalars (what
    ``jnp.asarray(2.0)`` gives): the result's weak type follows the loop's."""
    prim, params = case.prim, case.params
    in_axes = (0,) + (None,) * (len(case.operands) - 1)
    args, examples = _mapped(case, in_axes)

    def py(x):
        kind = _PYTHON.get(x.dtype) if x.ndim == 0 else None
        return axc.numpy.asarray(kind(x.item()) if kind else x)
    args = [args[0]] + [py(np.asarray(x)) for x in args[1:]]
    assert any(x.weak_type for x in args[1:])
    got = _as_tuple(case, axc.vmap(lambda *ops: prim.bind(*ops, **params),
                                   in_axes=in_axes)(*args))
    loop = [_as_tuple(case, prim.bind(axc.numpy.asarray(ex[0]), *args[1:], **params))
            for ex in examples]
    for j, g in enumerate(got):
        want = np.stack([np.asarray(o[j]) for o in loop])
        assert g.weak_type == loop[0][j].weak_type, (case.id, j)
        pc.assert_close(np.asarray(g), want, pc.tolerance(case, want.dtype), case.id)
