"""The primitive registry holds every primitive to account: rules present or reasoned about."""
import numpy as np
import pytest
from axc.kernels import elementwise as ew
from axc.kernels import registry
from axc.runtime.abstract import ShapedArray

import axc

PRIMS = registry.primitives()
# The issue that adds each rule slot; a PENDING slot is a strict expected failure naming it.
SLOT_ISSUE = {"jvp": "issue 4 (AD)", "adjoint": "issue 4 (AD)", "batch": "issue 6 (vmap)",
              "llvm": "issue 5 (jit/LLVM)", "cuda": "issue 9 (GPU)"}


def test_registry_is_populated_by_family():
    families = {p.family for p in PRIMS.values()}
    assert {"elementwise", "structural", "indexing", "reduce", "linalg"} <= families
    assert len(PRIMS) >= 60


def test_declaring_twice_is_refused():
    with pytest.raises(ValueError, match="declared twice"):
        registry.Primitive("add", impl=np.add, abstract_eval=lambda *a: a[0])


def test_unknown_rule_slot_is_refused():
    with pytest.raises(TypeError, match="unknown rule slots"):
        registry.Primitive("__test_prim", impl=np.add, abstract_eval=lambda *a: a[0],
                           gradient=None)


@pytest.mark.parametrize("name", sorted(PRIMS))
def test_every_primitive_has_shape_rule_and_impl(name):
    p = PRIMS[name]
    assert callable(p.impl) and callable(p.abstract_eval)
    assert p.family, f"{name} declares no family"


def _slot_cases():
    for name in sorted(PRIMS):
        for slot in registry.RULE_SLOTS:
            rule = getattr(PRIMS[name], slot)
            marks = ()
            if rule is registry.PENDING:
                marks = pytest.mark.xfail(strict=True,
                                          reason=f"{slot} rule comes with {SLOT_ISSUE[slot]}")
            yield pytest.param(name, slot, marks=marks, id=f"{name}-{slot}")


@pytest.mark.parametrize("name,slot", list(_slot_cases()))
def test_rule_slot_is_filled_or_declared_not_applicable(name, slot):
    rule = getattr(PRIMS[name], slot)
    assert rule is not registry.PENDING
    assert callable(rule) or isinstance(rule, registry.NotApplicable)


UNARY = [p for p in PRIMS.values() if p.family == "elementwise" and p.eager_kinds and
         p.name not in {"add", "sub", "mul", "div", "rem", "pow", "max", "min", "atan2",
                        "nextafter", "and", "or", "xor", "shift_left", "shift_right_arithmetic",
                        "shift_right_logical", "eq", "ne", "lt", "le", "gt", "ge", "clamp"}]


@pytest.mark.parametrize("prim", UNARY, ids=str)
@pytest.mark.parametrize("dt", ["int32", "float32", "complex64", "bool"])
def test_elementwise_shape_rule_agrees_with_eager(prim, dt):
    """abstract_eval and the eager kernel agree on shape/dtype, or both refuse the dtype."""
    x = np.ones((2, 3), dt)
    aval = ShapedArray((2, 3), np.dtype(dt), False)
    try:
        want = prim.abstract_eval(aval)
    except TypeError:
        with pytest.raises(TypeError):
            prim.bind(axc.numpy.asarray(x))
        return
    got = prim.bind(axc.numpy.asarray(x))
    assert (got.shape, got.dtype) == (want.shape, want.dtype)


def test_eager_bind_reports_the_shape_rule_error():
    a, b = axc.numpy.ones(3), axc.numpy.ones(4)
    with pytest.raises(TypeError, match=r"add got incompatible shapes for broadcasting: "
                                        r"\(3,\), \(4,\)"):
        ew.add_p.bind(a, b)
    with pytest.raises(TypeError, match="sin does not accept dtype int32"):
        ew.sin_p.bind(axc.numpy.arange(3))
