"""Bad input to axc.grad: JAX's error classes and messages, and located errors for syntax that
cannot be transformed (the functions live in this file, so the errors must name its lines)."""
import inspect
import re
from pathlib import Path

import jax
import numpy as np
import pytest
from axc.compiler.frontend.errors import FrontendError, UnsupportedSyntaxError

import axc

THIS_FILE = str(Path(__file__).resolve())
GLOBAL_SCALE = 2.0


def double(x):
    return x * 2.0


def total(x, y):
    return (x * y).sum()


def tree_total(tree):
    return (tree["a"] * 2.0).sum() + tree["b"].sum()


def vector_with_aux(x):
    return x * 2.0, x


def jax_error(fn, *args) -> Exception:
    """The exception JAX raises for the same call (the oracle for class and message)."""
    with pytest.raises(Exception) as info:
        fn(*args)
    return info.value


# --- non-scalar output ----------------------------------------------------------------------

@pytest.mark.parametrize("transform", ["grad", "value_and_grad"])
@pytest.mark.parametrize("shape", [(3,), (2, 2)])
def test_non_scalar_output_is_a_type_error(transform, shape):
    x = np.ones(shape, np.float32)
    expected = f"Gradient only defined for scalar-output functions. Output had shape: {shape}."
    assert str(jax_error(getattr(jax, transform)(double), x)) == expected
    with pytest.raises(TypeError, match=f"^{re.escape(expected)}$"):
        getattr(axc, transform)(double)(x)


def test_non_scalar_output_with_aux_is_a_type_error():
    x = np.ones(3, np.float32)
    expected = str(jax_error(jax.grad(vector_with_aux, has_aux=True), x))
    with pytest.raises(TypeError, match=f"^{re.escape(expected)}$"):
        axc.grad(vector_with_aux, has_aux=True)(x)


# --- integer inputs -------------------------------------------------------------------------

INTEGER_INPUTS = {
    "python-int": (double, (3,), 0),
    "int-array": (double, (np.arange(3),), 0),
    "bool-array": (double, (np.array([True, False]),), 0),
    "int-leaf-in-pytree": (tree_total, ({"a": np.ones(2, np.float32), "b": np.arange(2)},), 0),
    "int-in-argnums-tuple": (total, (np.ones(2, np.float32), np.arange(2)), (0, 1)),
}


@pytest.mark.parametrize("name", INTEGER_INPUTS)
def test_integer_input_is_a_type_error(name):
    fn, args, argnums = INTEGER_INPUTS[name]
    expected = str(jax_error(jax.grad(fn, argnums=argnums), *args))
    assert "requires real- or complex-valued inputs" in expected
    with pytest.raises(TypeError, match=f"^{re.escape(expected)}$"):
        axc.grad(fn, argnums=argnums)(*args)


def test_integer_input_not_differentiated_is_accepted():
    x = np.ones(2, np.float32)
    grads = axc.grad(total, argnums=0)(x, np.arange(2))
    np.testing.assert_array_equal(np.asarray(grads), [0.0, 1.0])


@pytest.mark.xfail(strict=True, reason="allow_int=True differentiates integer inputs like "
                   "floats (grad of x*2 at 3 gives 2); JAX gives a zero float0 gradient")
def test_allow_int_gives_zero_gradient():
    grads = axc.grad(double, allow_int=True)(3)
    assert np.shape(grads) == () and np.all(np.asarray(grads, dtype=float) == 0)


# --- argnums --------------------------------------------------------------------------------

ARGNUMS_OUT_OF_RANGE = [2, (0, 5), -3]


@pytest.mark.parametrize("argnums", ARGNUMS_OUT_OF_RANGE, ids=str)
def test_argnums_out_of_range_raises(argnums):
    with pytest.raises((TypeError, ValueError), match="argnums"):
        axc.grad(total, argnums=argnums)(1.0, 2.0)


@pytest.mark.xfail(strict=True, reason="argnums out of range raises ValueError naming "
                   "argnums=(2,); JAX raises TypeError naming argnums=2")
@pytest.mark.parametrize("argnums", [2, (0, 5)], ids=str)
def test_argnums_out_of_range_matches_jax(argnums):
    expected = jax_error(jax.grad(total, argnums=argnums), 1.0, 2.0)
    with pytest.raises(type(expected), match=f"^{re.escape(str(expected))}$"):
        axc.grad(total, argnums=argnums)(1.0, 2.0)


def test_negative_argnums_count_from_the_end():
    x, y = np.float32(1.5), np.float32(2.5)
    assert float(axc.grad(total, argnums=-1)(x, y)) == float(jax.grad(total, argnums=-1)(x, y))


# --- has_aux with a return that is not a pair -----------------------------------------------

def aux_not_a_tuple(x):
    return x * 2.0


def aux_three_values(x):
    return x * 2.0, 1.0, 2.0


@pytest.mark.xfail(strict=True, reason="has_aux with a non-pair return is not checked: a "
                   "scalar return fails with IndexError inside the generated code, a 3-tuple "
                   "is accepted silently; JAX raises TypeError")
@pytest.mark.parametrize("fn", [aux_not_a_tuple, aux_three_values], ids=lambda f: f.__name__)
def test_has_aux_needs_a_pair(fn):
    message = "expected function with aux output to return a two-element tuple"
    assert message in str(jax_error(jax.grad(fn, has_aux=True), 1.0))
    with pytest.raises(TypeError, match=message):
        axc.grad(fn, has_aux=True)(1.0)


# --- unsupported syntax: the fence's error at the user's line --------------------------------

def uses_try(x):
    try:
        y = x * 2.0
    except ValueError:
        y = x
    return y


def uses_with(x):
    with open(THIS_FILE):
        y = x * 2.0
    return y


def uses_global(x):
    global GLOBAL_SCALE  # noqa: PLW0602 - the construct under test
    return x * GLOBAL_SCALE


def uses_del(x):
    y = x * 2.0
    del y
    return x


def uses_walrus(x):
    return (y := x * 2.0) + y


def uses_import(x):
    import math
    return x * math.pi


def uses_yield(x):
    yield x * 2.0


# function -> the text that starts the rejected construct on its line
FENCED = {uses_try: "try:", uses_with: "with open", uses_global: "global GLOBAL_SCALE",
          uses_del: "del y", uses_walrus: "y := x", uses_import: "import math",
          uses_yield: "yield x"}


def _line_and_column(fn, text: str) -> tuple[int, int]:
    lines, start = inspect.getsourcelines(fn)
    for offset, line in enumerate(lines):
        if text in line:
            return start + offset, line.index(text) + 1
    raise AssertionError(f"{text!r} not in {fn.__name__}")


@pytest.mark.parametrize("fn", FENCED, ids=lambda f: f.__name__)
def test_unsupported_syntax_error_names_file_line_and_column(fn):
    line, column = _line_and_column(fn, FENCED[fn])
    with pytest.raises(UnsupportedSyntaxError) as info:
        axc.grad(fn)(1.0)
    assert str(info.value).startswith(f"{THIS_FILE}:{line}:{column}: ")
    assert FENCED[fn].split()[0].rstrip(":") in str(info.value)
    assert isinstance(info.value, NotImplementedError)


def test_function_without_source_is_a_located_type_error():
    namespace = {}
    exec("def made_by_exec(x):\n    return x * 2.0\n", namespace)  # noqa: S102 - no source
    with pytest.raises(TypeError) as info:
        axc.grad(namespace["made_by_exec"])(1.0)
    assert isinstance(info.value, FrontendError)
    assert "made_by_exec" in str(info.value)
