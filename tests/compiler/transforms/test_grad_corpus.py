"""The AD corpus: axc.grad of each function in corpus_functions.py against jax.grad of the
same source (float32) and against central finite differences (float64)."""
from __future__ import annotations

import ast
import importlib.util
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jax
import numpy as np
import pytest

import axc

CORPUS_PATH = Path(__file__).with_name("corpus_functions.py")
RTOL, ATOL = 1e-5, 1e-6          # float32, axc vs JAX
FD_EPS, FD_RTOL, FD_ATOL = 1e-6, 1e-6, 1e-8   # float64 central differences
CHECKS = ("jax", "value", "source", "fd")


def _load_axc_corpus():
    """The corpus as a real module: axc reads its functions' source from the file."""
    spec = importlib.util.spec_from_file_location("axc_test_corpus_functions", CORPUS_PATH)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


class _ImportsToJax(ast.NodeTransformer):
    """``import axc.numpy as jnp`` -> ``import jax.numpy as jnp``; ``from axc import lax``
    -> ``from jax import lax``."""

    @staticmethod
    def _rename(name: str) -> str:
        return "jax" + name[3:] if name == "axc" or name.startswith("axc.") else name

    def visit_Import(self, node: ast.Import) -> ast.Import:
        for alias in node.names:
            alias.name = self._rename(alias.name)
        return node

    def visit_ImportFrom(self, node: ast.ImportFrom) -> ast.ImportFrom:
        node.module = self._rename(node.module or "")
        return node


def _load_jax_corpus() -> dict:
    """The same source executed with JAX behind ``jnp``/``lax``/``nn``: helpers and closures
    called inside the functions are rebound too, since the whole module is re-executed."""
    tree = _ImportsToJax().visit(ast.parse(CORPUS_PATH.read_text()))
    namespace = {"__name__": "jax_test_corpus_functions"}
    exec(compile(tree, str(CORPUS_PATH), "exec"), namespace)  # noqa: S102 - the oracle's copy
    return namespace


AXC = _load_axc_corpus()
JAX = _load_jax_corpus()


# --- inputs ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class N:
    """A standard-normal array of this shape."""
    shape: tuple

    def make(self, rng: np.random.Generator, dtype) -> np.ndarray:
        return np.asarray(rng.standard_normal(self.shape), dtype)


@dataclass(frozen=True)
class P:
    """A positive array (uniform in [0.5, 2)) of this shape: for log, sqrt, division."""
    shape: tuple

    def make(self, rng: np.random.Generator, dtype) -> np.ndarray:
        return np.asarray(rng.uniform(0.5, 2.0, self.shape), dtype)


@dataclass(frozen=True)
class V:
    """This exact value (to steer a data-dependent branch or loop)."""
    value: Any

    def make(self, rng: np.random.Generator, dtype) -> np.ndarray:
        return np.asarray(self.value, dtype)


def n(*shape: int) -> N:
    return N(shape)


def p(*shape: int) -> P:
    return P(shape)


def _build(spec: Any, rng: np.random.Generator, dtype) -> Any:
    """Arrays for the specs in a pytree; anything else (ints, strings) passes through."""
    if isinstance(spec, (N, P, V)):
        return spec.make(rng, dtype)
    if isinstance(spec, tuple) and hasattr(spec, "_fields"):
        return type(spec)(*(_build(s, rng, dtype) for s in spec))
    if isinstance(spec, (tuple, list)):
        return type(spec)(_build(s, rng, dtype) for s in spec)
    if isinstance(spec, dict):
        return {k: _build(v, rng, dtype) for k, v in spec.items()}
    return spec


@dataclass(frozen=True)
class Bug:
    """A known axc failure: why, and which checks it breaks (one generation-time exception
    breaks all four; a wrong or failing call leaves the generated source intact)."""
    reason: str
    checks: tuple = CHECKS


AT_CALL = ("jax", "value", "fd")

# Known failures (issue 4), one per cause; each names the construct and what goes wrong.
LIBRARY_LISTCOMP = Bug("the composites jnp.concatenate (kernels/numpy/joining.py) and jnp.einsum "
                       "(kernels/numpy/einsum.py) use a list comprehension over differentiated "
                       "operands, which AD refuses", AT_CALL)
MINMAX_SCALAR = Bug("maximum/minimum/clip with a Python scalar operand: the JVP template "
                    "(_balanced_eq in kernels/elementwise.py) reads `._weak` of a float",
                    AT_CALL)
AT_UPDATE = Bug("x.at[i].set/add/multiply: `index_update` applied to *args mixed with other "
                "operands is refused (UnsupportedAD)", AT_CALL)
LIST_APPEND = Bug("list.append of differentiated arrays is refused (built-in method); jnp.stack "
                  "builds its list this way", AT_CALL)
CLOSURE_ZERO = Bug("a nested def closing over a differentiated argument is refused "
                   "(UnsupportedAD) rather than losing that argument's gradient")
COMPREHENSION = Bug("a list comprehension or generator expression over differentiated values "
                    "is refused (UnsupportedAD)")
BREAK = Bug("`break`/`continue` in a differentiated loop is refused (UnsupportedAD)")
ROLL_BREAK = Bug("jnp.roll's composite (kernels/numpy/manipulation.py) uses `break`, which AD "
                 "refuses", AT_CALL)
RETURN_IN_LOOP = Bug("`return` inside a loop is refused (UnsupportedAD)")
ASTYPE = Bug("x.astype(...) on a differentiated value: jnp.asarray's composite calls "
             "`.__jax_array__()`, refused (UnsupportedAD)", ("jax", "value"))
LOOP_APPEND = Bug("list.append of differentiated arrays in a loop is refused at call time, and "
                  "the generated source has no adjoint (no `# grad of:`)")


@dataclass(frozen=True)
class Case:
    """One row of the table: a corpus function, its inputs, and how to differentiate it."""
    fn: str
    args: tuple
    argnums: int | tuple = 0
    has_aux: bool = False
    fd: bool = True           # smooth at the inputs and exact in float64
    label: str = ""
    bug: Bug | None = None    # axc's known failure: strict xfail of the checks it breaks

    @property
    def id(self) -> str:
        return f"{self.fn}-{self.label}" if self.label else self.fn

    def inputs(self, dtype=np.float32) -> tuple:
        return _build(self.args, np.random.default_rng(0), dtype)

    def argnums_tuple(self) -> tuple:
        return self.argnums if isinstance(self.argnums, tuple) else (self.argnums,)


def C(fn: str, *args: Any, **options: Any) -> Case:
    return Case(fn, args, **options)


BOTH = (0, 1)

CASES = [
    # arithmetic on scalars
    C("square", n()),
    C("polynomial", n()),
    C("divide", n(), p(), argnums=BOTH),
    C("reciprocal", p()),
    C("negate_subtract", n()),
    C("int_power", n()),
    C("float_power", p()),
    C("power_of_both", p(), p(), argnums=BOTH),
    C("constant_base_power", n()),
    C("mixed_two_args", n(), p(), argnums=BOTH),
    C("chain_of_temporaries", n()),
    C("reuse_variable", n()),
    C("unused_argument", n(), n(), argnums=BOTH),
    C("constant_output_part", n()),
    # elementwise
    C("sum_sin", n(3, 4)),
    C("sum_cos", n(5)),
    C("sum_exp", n(5)),
    C("sum_log", p(5)),
    C("sum_tanh", n(2, 3)),
    C("sum_sqrt", p(4)),
    C("sum_abs", n(6)),
    C("sum_square", n(3)),
    C("sum_power", n(3)),
    C("sum_sinh_cosh", n(3)),
    C("sum_arctan", n(4)),
    C("sum_log1p_expm1", n(4)),
    C("nested_elementwise", n(4)),
    C("sigmoid_by_hand", n(5)),
    C("softplus_by_hand", n(5)),
    C("relu_maximum", n(6)),
    C("maximum_of_two", n(5), n(5), argnums=BOTH),
    C("clipped", n(8), bug=MINMAX_SCALAR),
    C("where_select", n(6)),
    C("leaky_relu_where", n(6)),
    C("nn_functions", n(5)),
    # reductions
    C("mean_all", n(3, 4)),
    C("max_all", n(7)),
    C("min_all", n(2, 3)),
    C("prod_all", p(5)),
    C("sum_axis0", n(3, 4)),
    C("mean_axis1_keepdims", n(3, 4)),
    C("max_axis", n(3, 4)),
    C("array_methods", n(5)),
    C("variance", n(6)),
    C("normalise", n(6)),
    C("logsumexp_by_hand", n(6)),
    C("softmax_cross_entropy", n(4, 3), V(np.eye(3)[[0, 2, 1, 1]]), argnums=0),
    C("nn_logsumexp", n(5)),
    # linear algebra
    C("dot_vectors", n(4), n(4), argnums=BOTH),
    C("matmul_matrix_vector", n(3, 4), n(4), argnums=BOTH),
    C("matmul_operator", n(2, 3), n(3, 4), argnums=BOTH),
    C("quadratic_form", n(3), n(3, 3), argnums=BOTH),
    C("outer_product", n(3), n(2), argnums=BOTH),
    C("einsum_contract", n(2, 3), n(3, 2), argnums=BOTH, bug=LIBRARY_LISTCOMP),
    # shapes
    C("reshape_then_sum", n(6)),
    C("reshape_method", n(6)),
    C("transpose_matmul", n(3, 2)),
    C("dot_T", n(2, 3)),
    C("concatenate_parts", n(3), n(2), argnums=BOTH, bug=LIBRARY_LISTCOMP),
    C("stack_parts", n(3), n(3), argnums=BOTH, bug=LIST_APPEND),
    C("expand_and_squeeze", n(4)),
    C("flip_and_roll", n(4), bug=ROLL_BREAK),
    C("cumulative_sum", n(5)),
    # indexing
    C("index_first", n(4)),
    C("index_last", n(4)),
    C("slice_middle", n(5)),
    C("column", n(3, 4)),
    C("row_and_element", n(3, 4)),
    C("reverse_slice", n(4)),
    C("newaxis_index", n(3)),
    C("gather_integer_array", n(4)),
    C("at_set", n(4), n(), argnums=BOTH),
    C("at_add", n(4), n(), argnums=BOTH),
    C("at_set_slice", n(5)),
    C("at_multiply", n(4)),
    # broadcasting
    C("bias_add", n(2, 3), n(3), argnums=BOTH),
    C("outer_broadcast", n(3, 1), n(1, 4), argnums=BOTH),
    C("scalar_times_array", n(), n(3), argnums=BOTH),
    C("broadcast_to_shape", n(3)),
    # several arguments, argnums
    C("three_args", n(3), n(3), n(3), argnums=(0, 1, 2)),
    C("three_args", n(3), n(3), n(3), argnums=(2, 0), label="argnums-2-0"),
    C("three_args", n(3), n(3), n(3), argnums=1, label="argnums-1"),
    C("args_used_twice", n(3), n(3), argnums=BOTH),
    C("keyword_style_call", n(3)),
    # pytrees
    C("dict_params_mlp", {"w1": n(4, 3), "b1": n(4), "w2": n(2, 4), "b2": n(2)}, n(3)),
    C("dict_params_mlp", {"w1": n(4, 3), "b1": n(4), "w2": n(2, 4), "b2": n(2)}, n(3),
      argnums=BOTH, label="both"),
    C("tuple_input", (n(3), n(3))),
    C("tuple_index_input", (n(3), n(3))),
    C("list_input", [n(2), n(2), n(2)]),
    C("namedtuple_input", AXC.Point(n(3), n(3))),
    C("namedtuple_class_params", AXC.Params(n(2, 3), n(2)), n(3)),
    C("nested_pytree", {"a": (n(3), n(3)), "b": {"c": n(2)}}),
    C("dict_items_loop", {"u": n(3), "v": n(2, 2)}),
    C("build_dict_inside", n(3)),
    C("build_tuple_inside", n(3)),
    # closures and globals
    C("global_matrix", n(4)),
    C("global_scalar", n(3)),
    C("closure_scaled_sin", n(3)),
    C("closure_affine", n(4)),
    C("nested_def", n(3)),
    C("nested_def_closes_over_arg", n(3), n(3), argnums=BOTH, bug=CLOSURE_ZERO),
    C("lambda_inside", n(4)),
    # calls to user functions
    C("call_helper", n(3)),
    C("call_helper_twice", n(3)),
    C("call_nested_helpers", n(3)),
    C("call_helper_tuple_result", n(3)),
    C("call_helper_default_and_keyword", n(3)),
    C("call_helper_in_loop", n(3, 3), n(3), argnums=BOTH),
    C("call_helper_inactive_arg", n(4)),
    # if / elif / else
    C("static_branch", n(3), "square"),
    C("static_branch", n(3), "sine", label="else"),
    C("data_branch", V([1.0, 2.0, -0.5]), label="then"),
    C("data_branch", V([-1.0, 0.2, -0.5]), label="else"),
    C("data_elif", V([1.0, 0.5, 0.25]), label="if"),
    C("data_elif", V([0.1, 0.2, -0.1]), label="elif"),
    C("data_elif", V([-1.0, -0.5, -0.25]), label="else"),
    C("branch_without_else", V([0.5, -1.0]), label="taken"),
    C("branch_without_else", V([-0.5, -1.0]), label="skipped"),
    C("branch_on_scalar_arg", V(1.5), label="positive"),
    C("branch_on_scalar_arg", V(-0.7), label="negative"),
    C("nested_branches", V([1.0, 2.0]), V([0.5, 0.5]), argnums=BOTH, label="then-then"),
    C("nested_branches", V([1.0, 2.0]), V([-0.5, 0.1]), argnums=BOTH, label="then-else"),
    C("nested_branches", V([-1.0, 0.2]), V([0.5, 0.5]), argnums=BOTH, label="else"),
    C("branch_defines_only_inactive", n(3)),
    C("conditional_expression", V([1.0, 0.5]), label="then"),
    C("conditional_expression", V([-1.0, 0.5]), label="else"),
    C("early_return", V([1.0, 0.5]), label="early"),
    C("early_return", V([-1.0, 0.5]), label="late"),
    C("early_return_in_loop", V([1.0, 0.8]), label="early", bug=RETURN_IN_LOOP),
    C("early_return_in_loop", V([0.01, 0.02]), label="late", bug=RETURN_IN_LOOP),
    # for loops
    C("loop_accumulate", n(3)),
    C("loop_product", n(3)),
    C("rnn_tanh", n(3, 3), n(3), argnums=BOTH),
    C("rnn_with_inputs", n(3, 3), n(3, 2), n(4, 2), argnums=(0, 1, 2)),
    C("loop_count_argument", n(3), 3),
    C("nested_loops", n(3)),
    C("loop_over_rows", n(3, 4)),
    C("loop_enumerate", n(4)),
    C("loop_zip", n(3), n(3), argnums=BOTH),
    C("loop_index_accumulate", n(4)),
    C("loop_at_set", n(4)),
    C("loop_break", V([0.5, 0.5]), label="breaks", bug=BREAK),
    C("loop_continue", n(3), bug=BREAK),
    C("loop_append_list", n(3), bug=LOOP_APPEND),
    # while loops
    C("while_counter", n(3)),
    C("while_data_dependent", V([0.3, -0.2, 0.5])),
    C("while_two_carries", V([0.1, 0.2, 0.3])),
    C("newton_sqrt", p()),
    # statements
    C("aug_assign", n(3)),
    C("aug_assign_power", n(3)),
    C("tuple_unpacking", n(3), n(3), argnums=BOTH),
    C("swap", n(3), n(3), argnums=BOTH),
    C("chained_comparison_branch", V([1.0, 2.0])),
    C("assert_statement", n(3)),
    C("overwrite_argument", n(3)),
    # comprehensions, starred calls
    C("list_comprehension", n(3), bug=COMPREHENSION),
    C("sum_generator", n(3), bug=COMPREHENSION),
    C("starred_call", n(3), p(3), argnums=BOTH),
    # has_aux, stop_gradient, inactive integer code
    C("with_aux", n(3), has_aux=True),
    C("with_aux_tuple", n(3), n(3), argnums=BOTH, has_aux=True),
    C("stop_gradient_part", n(3), fd=False),   # differences see through stop_gradient
    C("integer_ops_inactive", n(6)),
    C("dtype_cast", n(3), fd=False, bug=ASTYPE),   # the float32 cast defeats float64 differences
    # small models
    C("mlp_loss", [(n(3, 4), n(4)), (n(4, 2), n(2))], n(5, 3), n(5, 2)),
    C("linear_regression", n(3), n(), n(6, 3), n(6), argnums=BOTH),
    C("logistic_regression", n(3), n(6, 3), V([0.0, 1.0, 1.0, 0.0, 1.0, 0.0])),
]


def _params(check: str) -> list:
    out = []
    for case in CASES:
        if check == "fd" and not case.fd:
            continue
        marks = ([pytest.mark.xfail(strict=True, reason=case.bug.reason)]
                 if case.bug and check in case.bug.checks else [])
        out.append(pytest.param(case, id=case.id, marks=marks))
    return out


# --- the transformed functions, generated once per case ------------------------------------

_GRADS: dict = {}


def axc_grad(case: Case, with_value: bool = False) -> axc.compiler.transforms.api.GradFunction:
    key = (case.id, with_value)
    if key not in _GRADS:
        transform = axc.value_and_grad if with_value else axc.grad
        _GRADS[key] = transform(getattr(AXC, case.fn), argnums=case.argnums,
                                has_aux=case.has_aux)
    return _GRADS[key]


_JAX_GRADS: dict = {}


def jax_grad(case: Case) -> Any:
    if case.id not in _JAX_GRADS:
        fn = jax.grad(JAX[case.fn], argnums=case.argnums, has_aux=case.has_aux)
        _JAX_GRADS[case.id] = fn(*case.inputs())
    return _JAX_GRADS[case.id]


def as_axc(tree: Any) -> Any:
    """Arrays as axc arrays, for calling a corpus function directly (``x.at`` needs one)."""
    return jax.tree_util.tree_map(
        lambda a: axc.numpy.asarray(a) if isinstance(a, np.ndarray) else a, tree)


def assert_trees_close(got: Any, want: Any, rtol: float = RTOL, atol: float = ATOL) -> None:
    got_leaves, got_tree = jax.tree_util.tree_flatten(got)
    want_leaves, want_tree = jax.tree_util.tree_flatten(want)
    assert got_tree == want_tree
    for g, w in zip(got_leaves, want_leaves):
        g, w = np.asarray(g), np.asarray(w)
        assert g.shape == w.shape and g.dtype == w.dtype, (g.shape, g.dtype, w.shape, w.dtype)
        np.testing.assert_allclose(g, w, rtol=rtol, atol=atol)


# --- the checks -----------------------------------------------------------------------------

def test_corpus_is_large_enough():
    assert len({case.fn for case in CASES}) >= 100
    assert len({case.id for case in CASES}) == len(CASES)
    assert all(hasattr(AXC, case.fn) and case.fn in JAX for case in CASES)


@pytest.mark.parametrize("case", _params("jax"))
def test_grad_matches_jax(case):
    assert_trees_close(axc_grad(case)(*case.inputs()), jax_grad(case))


@pytest.mark.parametrize("case", _params("value"))
def test_value_and_grad(case):
    args = case.inputs()
    value, grads = axc_grad(case, with_value=True)(*args)
    expected_value = getattr(AXC, case.fn)(*as_axc(args))
    assert_trees_close(value, expected_value)   # with has_aux: (value, aux)
    jax_grads = jax_grad(case)
    assert_trees_close(grads, jax_grads[0] if case.has_aux else jax_grads)


@pytest.mark.parametrize("case", _params("source"))
def test_generated_source_compiles(case):
    source = axc_grad(case).source
    compile(source, f"<grad of {case.fn}>", "exec")
    assert "# grad of:" in source
    assert f"def grad_{getattr(AXC, case.fn).__name__}(" in source


@pytest.fixture
def x64():
    with axc.config.override("jax_enable_x64", True):
        yield


def _directional_fd(case: Case, args: tuple, directions: list) -> float:
    fn = getattr(AXC, case.fn)
    nums = case.argnums_tuple()

    def at(t: float) -> float:
        moved = list(args)
        for i, d in zip(nums, directions):
            moved[i] = jax.tree_util.tree_map(lambda a, v: a + t * v, args[i], d)
        out = fn(*as_axc(moved))
        return float(out[0] if case.has_aux else out)

    return (at(FD_EPS) - at(-FD_EPS)) / (2 * FD_EPS)


@pytest.mark.parametrize("case", _params("fd"))
def test_grad_matches_finite_differences(case, x64):
    args = case.inputs(np.float64)
    grads = axc_grad(case)(*args)
    grads = grads[0] if case.has_aux else grads
    grads = grads if isinstance(case.argnums, tuple) else (grads,)
    rng = np.random.default_rng(1)
    directions = [jax.tree_util.tree_map(lambda a: rng.standard_normal(np.shape(a)), args[i])
                  for i in case.argnums_tuple()]
    for g in jax.tree_util.tree_leaves(grads):
        assert np.asarray(g).dtype == np.float64
    analytic = sum(float(np.vdot(np.asarray(g), d)) for g, d in
                   zip(jax.tree_util.tree_leaves(grads), jax.tree_util.tree_leaves(directions)))
    np.testing.assert_allclose(analytic, _directional_fd(case, args, directions),
                               rtol=FD_RTOL, atol=FD_ATOL)
