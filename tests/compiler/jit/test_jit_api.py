"""The ``axc.jit`` API against ``jax.jit``: static arguments, when a function is traced again,
pytrees, keyword arguments, methods, ``print`` and typed errors while tracing, ``make_ir``,
``lower``/``compile``, nesting with ``jit`` and ``grad``, and escaped tracers.

The functions under test live in this file, so errors must name its lines.
"""
import collections
import functools
import inspect
from pathlib import Path

import numpy as np
import pytest
from axc.kernels import registry

import axc
import axc.numpy as anp

jax = pytest.importorskip("jax")
jnp = pytest.importorskip("jax.numpy")

THIS_FILE = str(Path(__file__).resolve())
X = np.arange(12.0, dtype=np.float32).reshape(3, 4) - 5.0
# Each library's (jit, numpy module) and grad.
LIBS = {"axc": (axc.jit, anp), "jax": (jax.jit, jnp)}
GRAD = {"axc": axc.grad, "jax": jax.grad}


def _same(got, want, rtol=1e-6):
    """Equal pytrees: same structure and node types, leaves with equal dtype, shape, values."""
    if want is None or isinstance(want, (tuple, list, dict)):
        assert type(got) is type(want), (type(got), type(want))
        if isinstance(want, dict):
            assert list(got) == list(want)
            for k in want:
                _same(got[k], want[k], rtol)
        elif want is not None:
            assert len(got) == len(want)
            for g, w in zip(got, want):
                _same(g, w, rtol)
        return
    assert isinstance(got, axc.Array), type(got)
    assert (got.dtype, got.shape, got.weak_type) == (want.dtype, want.shape, want.weak_type)
    np.testing.assert_allclose(np.asarray(got), np.asarray(want), rtol=rtol, atol=1e-6)


def _both(make, *args, **kwargs):
    """``make(jit, np)`` built for each library, called on ``args``: (axc's, jax's) results."""
    return tuple(make(*LIBS[name])(*args, **kwargs) for name in ("axc", "jax"))


# --- static arguments ---------------------------------------------------------------------

def _scaled_zeros(x, n):
    return x.sum() + np.ones(n, np.float32) * n  # n must be a Python int: a shape


@pytest.mark.parametrize("how,call", [
    ({"static_argnums": 1}, lambda f: f(X, 3)),
    ({"static_argnums": -1}, lambda f: f(X, 3)),
    ({"static_argnums": (1,)}, lambda f: f(X, n=3)),     # name inferred from the number
    ({"static_argnames": "n"}, lambda f: f(X, 3)),       # number inferred from the name
    ({"static_argnames": ("n",)}, lambda f: f(X, n=3)),
    ({"static_argnums": 1, "static_argnames": "n"}, lambda f: f(X, n=3)),
], ids=["nums", "negative", "nums-by-name", "names-by-position", "names", "both"])
def test_static_arguments_match_jax(how, call):
    ours, theirs = (call(jit(_scaled_zeros, **how)) for jit in (axc.jit, jax.jit))
    _same(ours, theirs)


def _tile(np_):
    def f(x, *, reps):
        return np_.tile(x, reps)
    return f


def test_static_argnames_of_keyword_only_parameters():
    ours, theirs = _both(lambda jit, np_: jit(_tile(np_), static_argnames="reps"), X,
                         reps=(2, 1))
    _same(ours, theirs)


def test_jit_as_a_decorator_with_options():
    @functools.partial(axc.jit, static_argnums=1)
    def f(x, n):
        return x * n
    assert np.array_equal(np.asarray(f(X, 4)), X * 4)
    g = axc.jit(static_argnames="n")(lambda x, n: x * n)
    assert np.array_equal(np.asarray(g(X, n=5)), X * 5)


@pytest.mark.parametrize("value", [[1, 2], {"a": 1}, np.ones(3), {1, 2}],
                         ids=lambda v: type(v).__name__)
def test_unhashable_static_argument_is_a_value_error_as_in_jax(value):
    def f(x, n):
        return x
    with pytest.raises(ValueError) as theirs:
        jax.jit(f, static_argnums=1)(X, value)
    with pytest.raises(ValueError) as ours:
        axc.jit(f, static_argnums=1)(X, value)
    head = "Non-hashable static arguments are not supported"
    assert str(theirs.value).startswith(head) and str(ours.value).startswith(head)
    assert type(value).__name__ in str(ours.value)


def test_static_values_of_different_types_are_traced_apart():
    ints = np.arange(3, dtype=np.int32)
    outs = {}
    for lib, (jit, _) in LIBS.items():
        f = jit(lambda x, k: x * k, static_argnums=1)
        outs[lib] = [f(ints, k) for k in (1, 1.0, True)]
    _same(outs["axc"], outs["jax"])


@pytest.mark.parametrize("how", [{"static_argnums": 3}, {"static_argnames": "nope"}], ids=str)
def test_static_arguments_the_function_does_not_take_are_a_value_error(how):
    with pytest.raises(ValueError):
        jax.jit(lambda x: x, **how)(X)
    with pytest.raises(ValueError):
        axc.jit(lambda x: x, **how)(X)


# --- when a function is traced again ------------------------------------------------------

def _counted(body):
    """``body`` counting its calls (its traces, under jit): (function, [count])."""
    count = [0]

    @functools.wraps(body)  # keeps body's signature: static_argnames resolve against it
    def f(*args, **kwargs):
        count[0] += 1
        return body(*args, **kwargs)
    return f, count


def _counting(lib):
    f, count = _counted(lambda x: x * 2)
    return LIBS[lib][0](f), count


CALLS = [  # (argument, traced again?)
    (np.ones(3, np.float32), True),
    (np.zeros(3, np.float32), False),             # other values, same type
    (np.ones(4, np.float32), True),               # shape
    (np.ones(3, np.int32), True),                 # dtype
    (np.ones((3, 1), np.float32), True),          # rank
    (1.0, True),                                  # weakly typed float32 scalar
    (2.5, False),
    (np.float32(1.0), True),                      # strongly typed: another signature
    (1, True),
    (-7, False),
    (True, True),
    (np.ones(3, np.float32) * 3, False),          # back to the first signature
]


def test_retracing_follows_shapes_dtypes_and_weak_types_as_jax():
    traced = {}
    for lib in LIBS:
        f, count = _counting(lib)
        arr = LIBS[lib][1].asarray
        seen = []
        for x in [x for x, _ in CALLS] + [arr(1.0)]:  # a weak array: a Python float's type
            before = count[0]
            f(x)
            seen.append(count[0] > before)
        traced[lib] = seen
    assert traced["axc"] == traced["jax"]
    assert traced["axc"] == [again for _, again in CALLS] + [False]


def test_retracing_on_static_arguments_as_jax():
    def scaled(x, n, scale=1.0):
        return x * n * scale
    counts = {}
    for lib, (jit, _) in LIBS.items():
        f, count = _counted(scaled)
        g = jit(f, static_argnums=1, static_argnames="scale")
        g(X, 2), g(X + 1, 2), g(X, 3), g(X, 3, scale=2.0), g(X, 3, scale=2.0), g(X, 2)
        g(X, n=2)                                  # by keyword: another call signature
        counts[lib] = count[0]
    assert counts["axc"] == counts["jax"] == 4


@pytest.mark.parametrize("calls", [
    [((X, X), {}), ((X,), {"y": X}), ((), {"y": X, "x": X}), ((X, X), {})],
    [(((X, X),), {}), (([X, X],), {}), (({"a": X},), {}), (({"b": X},), {}), (((X, X),), {})],
    [((X, None), {}), ((X, ()), {}), ((X, None), {})],
], ids=["keywords", "containers", "none"])
def test_retracing_on_call_structure_as_jax(calls):
    counts = {}
    for lib, (jit, _) in LIBS.items():
        f, count = _counted(lambda x, y=None: x)
        g = jit(f)
        for args, kwargs in calls:
            g(*args, **kwargs)
        counts[lib] = count[0]
    assert counts["axc"] == counts["jax"] > 1


def test_x64_flag_is_part_of_the_signature():
    f = axc.jit(lambda x: x * 2)
    assert f(1.0).dtype == np.float32
    with axc.config.override("jax_enable_x64", True):
        assert f(1.0).dtype == np.float64
    assert f(1.0).dtype == np.float32


def test_cache_is_per_jitted_function():
    f, count = _counting("axc")
    g = axc.jit(f.__wrapped__)
    f(X), g(X), f(X)
    assert count[0] == 2


# --- pytrees and keyword arguments --------------------------------------------------------

Pair = collections.namedtuple("Pair", "first second")


def _tree_fn(np_):
    def f(tree, scale):
        a, b = tree["ab"]
        return {"sum": [a + b, None, Pair(a * scale, np_.sin(b))],
                "count": tree["n"] * 2, "none": None, "same": tree["pair"]}
    return f


def test_pytrees_in_and_out_match_jax():
    tree = {"ab": (X, np.float32(2.0)), "n": np.int32(3), "ignored": None,
            "pair": Pair([1.0, 2], None)}
    ours = axc.jit(_tree_fn(anp))(tree, 0.5)
    theirs = jax.jit(_tree_fn(jnp))(tree, 0.5)
    _same(ours, theirs)
    assert type(ours["sum"][2]) is Pair and type(ours["same"]) is Pair


def test_keyword_arguments_match_jax():
    def f(x, y=1.0, *, z):
        return x * y - z
    for kwargs in ({"z": 2.0}, {"y": X, "z": np.float32(3.0)}, {"z": X, "y": 0.5}):
        ours, theirs = (jit(f)(X, **kwargs) for jit in (axc.jit, jax.jit))
        _same(ours, theirs)


def _non_array(jit):
    with pytest.raises(TypeError) as info:
        jit(lambda x, y: x)(X, {"a": "text"})
    return str(info.value)


def test_non_array_argument_is_a_type_error_as_in_jax():
    assert "<class 'str'>" in _non_array(axc.jit) and "<class 'str'>" in _non_array(jax.jit)


@pytest.mark.xfail(strict=True, reason="the message is JAX's older 'Argument ... is not a valid "
                                       "JAX type'; JAX now names the argument's path")
def test_non_array_argument_error_names_its_path_as_jax():
    assert "at path y['a']" in _non_array(jax.jit) and "at path y['a']" in _non_array(axc.jit)


def test_python_int_out_of_int32_range_is_an_overflow_error_as_jax():
    with pytest.raises(OverflowError):
        jax.jit(lambda x: x)(2**40)
    with pytest.raises(OverflowError):
        axc.jit(lambda x: x)(2**40)


@pytest.mark.parametrize("make,args,kwargs", [
    (lambda jit, np_: jit(lambda x: 1.0), (X,), {}),          # a constant: weak float32
    (lambda jit, np_: jit(lambda x: (x * 2, x * 2, None)), (X,), {}),
    (lambda jit, np_: jit(lambda: np_.ones(3)), (), {}),
    (lambda jit, np_: jit(functools.partial(lambda x, y: x * y, y=3.0)), (X,), {}),
    (lambda jit, np_: jit(np_.sin), (X,), {}),
    (lambda jit, np_: jit(lambda *xs, **kw: sum(xs) * kw["k"]), (X, X), {"k": 2.0}),
], ids=["constant", "repeated-and-none", "no-arguments", "partial", "numpy-function",
        "varargs"])
def test_outputs_and_callables_match_jax(make, args, kwargs):
    ours, theirs = _both(make, *args, **kwargs)
    _same(ours, theirs)


def test_default_arguments_stay_python_values():
    seen = []

    def f(x, scale=2.0):
        seen.append(type(scale))
        return x * scale
    _same(axc.jit(f)(X), jax.jit(f)(X))
    assert seen == [float, float]


def test_non_array_result_is_a_type_error_as_jax():
    for jit in (axc.jit, jax.jit):
        with pytest.raises(TypeError, match="str"):
            jit(lambda x: "text")(X)
        with pytest.raises(TypeError):
            jit(3)


def test_an_error_while_tracing_leaves_no_trace_behind():
    f = axc.jit(lambda x, k: x * k if k else bool(x.sum()), static_argnums=1)
    with pytest.raises(axc.errors.TracerBoolConversionError):
        f(X, 0)
    assert not registry._INTERPRETERS
    assert type(anp.sin(X)) is axc.Array and np.asarray(anp.sin(X)).shape == (3, 4)
    _same(f(X, 2), jax.jit(lambda x, k: x * k, static_argnums=1)(X, 2))
    with pytest.raises(axc.errors.TracerBoolConversionError):  # nothing cached for k=0
        f(X, 0)


# --- methods ------------------------------------------------------------------------------

def _scaler_class(jit, count):
    class Scaler:
        def __init__(self, k):
            self.k = k

        def _apply(self, x):
            count[0] += 1
            return x * self.k
        apply = jit(_apply, static_argnums=0)
    return Scaler


def test_jit_of_a_method_through_a_class_attribute():
    results, counts = {}, {}
    for lib, (jit, _) in LIBS.items():
        count = [0]
        cls = _scaler_class(jit, count)
        a, b = cls(2.0), cls(3.0)
        results[lib] = (a.apply(X), b.apply(X), a.apply(X + 1))
        counts[lib] = count[0]
    _same(results["axc"], results["jax"])
    assert counts["axc"] == counts["jax"] == 2  # one trace per instance (self is static)


# --- print and typed errors while tracing ------------------------------------------------

def _printing(x, n):
    print(x)
    print(f"n={n}")
    return x


def _printed(jit, capsys, *args) -> str:
    jit(_printing)(*args)
    return capsys.readouterr().out.replace("JitTracer(", "JitTracer<").replace(")", ">")


def test_print_shows_abstract_values(capsys):
    out = _printed(axc.jit, capsys, X, np.int32(1))
    assert out == "JitTracer<float32[3,4]>\nn=JitTracer<int32[]>\n"
    assert out == _printed(jax.jit, capsys, X, np.int32(1))  # JAX writes JitTracer(...)


def test_print_marks_weak_types_as_jax(capsys):
    assert _printed(axc.jit, capsys, X, 1.0) == _printed(jax.jit, capsys, X, 1.0)


def bool_of_traced(x):
    return bool(x.sum() > 0)  # raises here


def int_of_traced(x):
    return int(x.sum())  # raises here


def float_of_traced(x):
    return float(x.sum())  # raises here


def index_with_traced(x):
    return [1, 2, 3][x.sum().astype("int32")]  # raises here


def zeros_of_int_of_traced(np_):
    def zeros(x):
        return np_.zeros(int(x.sum()))  # raises here
    return zeros


def converted_then_bool(x):
    if x.ndim > 1:  # a Python condition: converted all the same
        x = x * 2
    return bool(x.sum() > 0)  # raises here


def mask_with_traced(x):
    return x[x < 0]  # raises here


def _raising_line(fn) -> int:
    lines, start = inspect.getsourcelines(fn)
    return start + next(k for k, line in enumerate(lines) if "# raises here" in line)


@pytest.mark.parametrize("fn,error", [
    (bool_of_traced, "TracerBoolConversionError"),
    (int_of_traced, "ConcretizationTypeError"),
    (zeros_of_int_of_traced, "ConcretizationTypeError"),
    pytest.param(converted_then_bool, "TracerBoolConversionError", marks=pytest.mark.xfail(
        strict=True, reason="in a function whose control flow jit converts, the error names "
                            "the generated code ('<axc-generated control flow of ...>:N'), "
                            "not the user's line")),
    (float_of_traced, "ConcretizationTypeError"),
    (index_with_traced, "TracerIntegerConversionError"),
    (mask_with_traced, "NonConcreteBooleanIndexError"),
], ids=lambda v: getattr(v, "__name__", v))
def test_typed_error_as_jax_naming_the_users_line(fn, error):
    builds = fn is zeros_of_int_of_traced  # a builder of the function, given its numpy
    with pytest.raises(Exception) as theirs:
        jax.jit(fn(jnp) if builds else fn)(X)
    assert type(theirs.value).__name__ == error
    with pytest.raises(getattr(axc.errors, error)) as ours:
        axc.jit(fn(anp) if builds else fn)(X)
    assert type(ours.value).__name__ == error
    assert f"{THIS_FILE}:{_raising_line(fn)}" in str(ours.value)


def test_int_of_a_tracer_is_a_typed_type_error_naming_the_line():
    """The error is typed and located."""
    for fn, jitted in ((int_of_traced, int_of_traced),
                       (zeros_of_int_of_traced, zeros_of_int_of_traced(anp))):
        with pytest.raises(axc.errors.AxcTypeError) as info:
            axc.jit(jitted)(X)
        assert f"{THIS_FILE}:{_raising_line(fn)}" in str(info.value)


@pytest.mark.xfail(strict=True, reason="axc.numpy.zeros of a traced size raises "
                                       "TracerArrayConversionError; JAX raises TypeError "
                                       "'Shapes must be 1D sequences of concrete values...'")
def test_zeros_of_a_traced_size_names_the_shape_problem():
    match = "Shapes must be 1D sequences of concrete values of integer type"
    with pytest.raises(TypeError, match=match):
        jax.jit(lambda n: jnp.zeros(n))(np.int32(3))
    with pytest.raises(TypeError, match=match):
        axc.jit(lambda n: anp.zeros(n))(np.int32(3))


@pytest.mark.parametrize("name", ["ConcretizationTypeError", "TracerBoolConversionError",
                                  "TracerIntegerConversionError", "TracerArrayConversionError",
                                  "NonConcreteBooleanIndexError",
                                  "UnexpectedTracerError"])
def test_error_classes_have_jax_builtin_bases(name):
    ours, theirs = getattr(axc.errors, name), getattr(jax.errors, name)
    for base in (TypeError, IndexError):
        assert issubclass(ours, base) == issubclass(theirs, base), base
    if issubclass(theirs, jax.errors.ConcretizationTypeError):
        assert issubclass(ours, axc.errors.ConcretizationTypeError)


def test_error_names_the_argument_the_value_depends_on():
    def f(x, y):
        return bool((y * 2).sum() > 0)
    with pytest.raises(axc.errors.TracerBoolConversionError, match="argument y") as info:
        axc.jit(f)(X, X)
    assert "argument x" not in str(info.value)


# --- escaped tracers ----------------------------------------------------------------------

def _leak(jit):
    leaked = []

    def f(x):
        leaked.append(x * 2)
        return x
    jit(f)(X)
    return leaked[0]


@pytest.mark.parametrize("use", [
    lambda np_, jit, t: t + 1,
    lambda np_, jit, t: np_.sin(t),
    lambda np_, jit, t: jit(lambda y: y + t)(X),
], ids=["operator", "numpy", "in-another-jit"])
def test_escaped_tracer_is_an_unexpected_tracer_error(use):
    with pytest.raises(jax.errors.UnexpectedTracerError):
        use(jnp, jax.jit, _leak(jax.jit))
    with pytest.raises(axc.errors.UnexpectedTracerError, match="JitTracer<float32\\[3,4\\]>"):
        use(anp, axc.jit, _leak(axc.jit))


# --- make_ir, lower, compile --------------------------------------------------------------

W = np.linspace(-1, 1, 4, dtype=np.float32)


def _affine(np_):
    return lambda x, b: np_.tanh(np_.dot(x, W) + b).sum()


IR_FUNCTIONS = {
    "elementwise": (lambda np_: lambda x, y: np_.sin(x) * y + 1.0, (X, X)),
    "reduce": (lambda np_: lambda x: np_.sum(np_.exp(x), axis=1), (X,)),
    "transpose-max": (lambda np_: lambda x: np_.maximum(x.T, 0.0), (X,)),
    "affine": (_affine, (X, np.float32(0.5))),
}


@pytest.mark.parametrize("name", IR_FUNCTIONS)
def test_make_ir_records_the_primitives_jax_records(name):
    make, args = IR_FUNCTIONS[name]
    ir = axc.make_ir(make(anp))(*args)
    jaxpr = jax.make_jaxpr(make(jnp))(*args)
    assert [e.prim.name for e in ir.eqns] == [e.primitive.name for e in jaxpr.eqns]
    text = str(ir)
    assert text.startswith("{ lambda ") and " let\n" in text and text.rstrip().endswith("}")
    body = text.split(" let\n")[1]
    positions = [body.find(f"= {e.prim.name}") for e in ir.eqns]
    assert -1 not in positions and positions == sorted(positions)  # one line each, in order
    header = text.split(" let\n")[0]
    for a in args:
        assert f"f32[{','.join(map(str, np.shape(a)))}]" in header


def test_make_ir_shows_closed_over_arrays_as_constants_and_static_arguments_inline():
    ir = axc.make_ir(lambda x, n: x * n + W, static_argnums=1)(X, 3)
    text = str(ir)
    head = text.split(";")[0]
    assert "f32[4]" in head  # W, a constant, before the ';'
    assert "3" in text.split(" let\n")[1] and len(ir.in_avals) == 1


def test_lower_as_text_and_compile():
    f = axc.jit(lambda x: anp.sin(x) + anp.cos(x) * 2.0)
    lowered = f.lower(X)
    text = lowered.as_text()
    for name in ("sin", "cos", "mul", "add"):
        assert f"= {name}" in text
    assert "f32[3,4]" in text
    compiled = lowered.compile()
    want = jax.jit(lambda x: jnp.sin(x) + jnp.cos(x) * 2.0)(X)
    _same(compiled(X), want)
    _same(compiled(X + 1), jax.jit(lambda x: jnp.sin(x) + jnp.cos(x) * 2.0)(X + 1))
    assert "sin" in compiled.as_text()


@pytest.mark.parametrize("arg", [np.ones(5, np.float32), X.astype(np.int32)],
                         ids=["shape", "dtype"])
def test_compiled_refuses_arguments_of_another_signature(arg):
    match = "Argument types differ from the types for which this computation was compiled"
    with pytest.raises(TypeError, match=match):
        jax.jit(lambda x: x * 2).lower(X).compile()(arg)
    with pytest.raises(TypeError, match=match):
        axc.jit(lambda x: x * 2).lower(X).compile()(arg)


def test_lower_with_static_arguments():
    f = axc.jit(lambda x, n: x ** n, static_argnums=1)
    assert "integer_pow" in f.lower(X, 3).as_text() and "y=3" in f.lower(X, 3).as_text()
    _same(f.lower(X, 2).compile()(X), jax.jit(lambda x, n: x ** n, static_argnums=1)(X, 2))


# --- composition --------------------------------------------------------------------------

def _nested(jit, np_):
    inner = jit(lambda x, y: np_.sin(x) * y)
    return jit(lambda x: inner(x, 2.0) + inner(x * 3.0, x).sum())


def test_nested_jit_matches_jax():
    _same(_nested(axc.jit, anp)(X), _nested(jax.jit, jnp)(X))


def test_nested_jit_inlines_into_one_function():
    ir = axc.make_ir(_nested(axc.jit, anp))(X)
    assert [e.prim.name for e in ir.eqns].count("sin") == 2


def _loss(np_):
    return lambda x: np_.sum(np_.tanh(x) * x ** 2) / x.size


@pytest.mark.parametrize("order", ["grad(jit)", "jit(grad)", "jit(grad(jit))"])
def test_jit_and_grad_compose_as_in_jax(order):
    def build(lib):
        (jit, np_), grad = LIBS[lib], GRAD[lib]
        f = _loss(np_)
        return {"grad(jit)": lambda: grad(jit(f)), "jit(grad)": lambda: jit(grad(f)),
                "jit(grad(jit))": lambda: jit(grad(jit(f)))}[order]()
    _same(build("axc")(X), build("jax")(X), rtol=1e-5)


def test_jit_of_value_and_grad_matches_jax():
    ours = axc.jit(axc.value_and_grad(_loss(anp)))(X)
    theirs = jax.jit(jax.value_and_grad(_loss(jnp)))(X)
    _same(ours, theirs, rtol=1e-5)
