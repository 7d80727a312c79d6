"""``axc.lax`` vs ``jax.lax``: the same expression under both gives the same values, dtypes and
weak types, or the same error.

Each case is Python source evaluated once with ``lax``/``jnp`` bound to axc and once to JAX.
Cases marked ``MSG`` must also give JAX's error message word for word (control flow's
messages name the functions' source, which is the same ``<string>`` for both).
"""
from __future__ import annotations

import numpy as np
import pytest

import axc
import axc.numpy as anp
from axc import lax as alax

jax = pytest.importorskip("jax")
jnp = pytest.importorskip("jax.numpy")
jlax = jax.lax

MSG = "MSG:"  # prefix: compare error messages too

ELEMENTWISE = [
    "lax.add(jnp.int32(1), 2.0)", "lax.add(jnp.float32(1), 2)", "lax.add(jnp.ones(3, 'int8'), 2)",
    "lax.add(1, 2)", "lax.add(1, 2.0)", "lax.add(jnp.ones(3), jnp.ones(3, 'int32'))",
    "lax.add(jnp.ones(3), jnp.ones((2, 3)))", "lax.add(jnp.ones((1, 3)), jnp.ones((2, 3)))",
    "lax.add(jnp.ones(()), jnp.ones((2, 3)))", "lax.add(2.0, jnp.ones((2, 3)))",
    "lax.add(np.float32(2), jnp.ones(2))", "lax.add(np.ones(2), jnp.ones(2))",
    "lax.add(np.int32(2), jnp.ones(2))", "lax.add([1, 2], jnp.ones(2))", "lax.add(True, False)",
    "lax.add(jnp.ones((2, 3)), jnp.ones((3, 3)))", "lax.add(jnp.ones(3), jnp.ones((2, 3), 'int32'))",
    "lax.add(jnp.ones(2, 'float16'), 2.0)", "lax.add(jnp.zeros((0, 2)), 1.0)",
    "lax.sin(1)", "lax.sin(1.0)", "lax.sin([1.0])", "lax.neg(True)", "lax.neg(jnp.uint8(3))",
    "lax.add(jnp.uint8(3), -1)", "lax.div(7, 2)", "lax.div(-7, 2)", "lax.rem(-7, 2)",
    "lax.rem(-7.5, 2.0)", "lax.rem(1 + 1j, 1 + 1j)", "lax.sub(True, True)", "lax.mul(3, 4)",
    "lax.pow(2.0, 3)", "lax.pow(jnp.float32(2.0), jnp.int32(3))", "lax.pow(2, 3)",
    "lax.pow(jnp.float16(2.), 3)", "lax.pow(2., True)", "lax.pow(jnp.float32(2), jnp.uint8(3))",
    "lax.pow(jnp.int32(2), 2.0)", "lax.pow(2., 0.5)",
    MSG + "lax.pow(jnp.float32(2), jnp.float16(2))",
    "lax.integer_pow(jnp.float32(2), 3)", MSG + "lax.integer_pow(2, -1)",
    "lax.integer_pow(2.0, -2)", "lax.integer_pow(True, 2)", "lax.integer_pow(jnp.arange(3), 0)",
    MSG + "lax.max(1, 2.5)", "lax.max(True, False)", "lax.max(1 + 1j, 2 + 0j)", "lax.min(3, 2)",
    MSG + "lax.eq(1, 1.0)", "lax.eq(True, False)", "lax.lt(jnp.int32(1), 2)",
    "lax.lt(1 + 1j, 2 + 0j)", "lax.ge(2.0, 1.0)", "lax.ne(jnp.arange(3), 1)",
    "lax.sign(-2)", "lax.sign(jnp.uint8(3))", "lax.sign(-2.5)", "lax.round(2.5)",
    "lax.round(-2.5)", "lax.round(2.5, lax.RoundingMethod.TO_NEAREST_EVEN)", "lax.round(2.5, 1)",
    "lax.round(2.5, 3)", "lax.round(jnp.int32(1))", "lax.floor(1)", "lax.floor(-1.5)",
    "lax.ceil(jnp.float16(1.2))", "lax.abs(-3)", "lax.abs(jnp.complex64(3 + 4j))",
    MSG + "lax.abs(jnp.uint8(3))", "lax.abs(True)", "lax.exp2(3.)", "lax.logistic(0.)",
    "lax.is_finite(1.0)", "lax.is_finite(1)", "lax.is_finite(jnp.float16(1))",
    "lax.shift_left(1, 3)", "lax.shift_right_logical(-8, 1)",
    "lax.shift_right_arithmetic(-8, 1)", "lax.shift_left(True, True)",
    "lax.bitwise_and(3, 5)", "lax.bitwise_or(3, 5)", "lax.bitwise_xor(3, 5)",
    "lax.bitwise_not(True)", "lax.bitwise_not(jnp.uint8(1))", "lax.bitwise_and(1.0, 1.0)",
    "lax.population_count(7)", "lax.population_count(True)",
    "lax.erf(0.5)", "lax.erfc(0.5)", "lax.erf_inv(0.5)", "lax.lgamma(3.)", "lax.digamma(3.)",
    "lax.erf(1)", "lax.cbrt(8.)", "lax.rsqrt(4.)", "lax.sqrt(jnp.arange(4.))",
    "lax.atan2(1., 1)", "lax.atan2(1, 1)", "lax.atan2(1., 2.)",
    "lax.atan2(jnp.float16(1), jnp.float32(1))", "lax.tan(1)", "lax.tan(1.)",
    "lax.exp(jnp.float16(1))", "lax.log(jnp.arange(1., 4.))", "lax.log1p(0.5)", "lax.expm1(0.5)",
    "lax.tanh(0.5)", "lax.sinh(0.5)", "lax.cosh(0.5)", "lax.asin(0.5)", "lax.acos(0.5)",
    "lax.atan(0.5)", "lax.asinh(0.5)", "lax.acosh(1.5)", "lax.atanh(0.5)", "lax.cos(0.5)",
    "lax.nextafter(1., 2.)", "lax.square(3.)", "lax.square(3)", "lax.reciprocal(2.)",
    "lax.reciprocal(2)", "lax.imag(1 + 2j)", "lax.real(1 + 2j)", "lax.real(1.)", "lax.conj(1.)",
    "lax.conj(1 + 2j)", "lax.complex(1., 2.)", "lax.complex(1, 2)",
    "lax.exp(jnp.array([0., np.inf, -np.inf, np.nan]))",
]

CASTS_AND_SELECT = [
    "lax.convert_element_type(1, jnp.float32)", "lax.convert_element_type(jnp.float32(1.7), 'int32')",
    "lax.convert_element_type(2.5, jnp.float32)", "lax.convert_element_type(-1.5, jnp.uint8)",
    "lax.convert_element_type(jnp.array([np.nan, 1e10, -1e10]), jnp.int32)",
    "lax.convert_element_type(jnp.arange(3), bool)", "lax.convert_element_type(3, float)",
    "lax.bitcast_convert_type(jnp.float32(1), jnp.int32)",
    "lax.bitcast_convert_type(1.0, jnp.int32)", "lax.bitcast_convert_type(jnp.int32(-1), jnp.uint32)",
    "lax.select(True, 1, 2)", "lax.select(jnp.array([True, False]), jnp.ones(2), jnp.zeros(2))",
    "lax.select(True, jnp.ones(2), jnp.zeros(2))",
    MSG + "lax.select(jnp.array([True, False]), 1.0, jnp.zeros(2))",
    "lax.select(jnp.array([1, 0]), jnp.ones(2), jnp.zeros(2))", MSG + "lax.select(True, 1, 2.)",
    MSG + "lax.select(jnp.ones(3, bool), jnp.ones(2), jnp.ones(2))", MSG + "lax.select(1.0, 1, 2)",
    "lax.select_n(jnp.array([0, 2]), jnp.ones(2), jnp.zeros(2), jnp.full(2, 5.))",
    "lax.select_n(0, 1.0, 2.0)", "lax.select_n(True, 1.0, 2.0)", "lax.select_n(True, 1.0)",
    MSG + "lax.select_n(jnp.array([True, False]), 1., 2., 3.)", MSG + "lax.select_n(jnp.int32(0))",
    MSG + "lax.select_n(0.5, 1., 2.)", MSG + "lax.select_n(True, 1., 2., 3.)",
    "lax.clamp(0, 5, 3)", "lax.clamp(0., jnp.arange(5.), 3.)",
    "lax.clamp(jnp.zeros(5), jnp.arange(5.), 3.)", MSG + "lax.clamp(0, jnp.arange(5.), 3)",
    MSG + "lax.clamp(jnp.zeros(3), jnp.arange(5.), 3.)",
    "lax.stop_gradient((1.5, jnp.ones(2)))[1]", "lax.stop_gradient(jnp.int32(1))",
    "lax.stop_gradient({'a': jnp.ones(2), 'b': [jnp.zeros(1)]})",
    "lax.full((2,), 3)", "lax.full((2,), 3.0, jnp.int32)", "lax.full((2,), jnp.int8(3))",
    "lax.full(2, 1)", MSG + "lax.full((2,), jnp.ones(2))", "lax.full((), 1.5, jnp.int32)",
    "lax.full((0, 2), 1.0)", "lax.full_like(jnp.ones(2, 'int8'), 7)",
    "lax.full_like(jnp.ones(2), 7, shape=(3,))", "lax.full_like(3, 2)", "lax.full_like(3.0, 2)",
    "lax.full_like(x, 1, 'int32')", "lax.full_like(x, 1, shape=(1,))",
]

STRUCTURAL = [
    "lax.reshape(x, (3, 2))", "lax.reshape(x, (3, 2), (1, 0))", "lax.reshape(x, (-1,))",
    "lax.reshape(2.0, (1,))", "lax.reshape(x, [6])", "lax.reshape(x, 6)",
    "lax.reshape([1, 2], (2,))", "lax.reshape(x, (2, 3))",
    "lax.broadcast_in_dim(1.0, (2, 3), ())", "lax.broadcast_in_dim(x, (4, 2, 3), (1, 2))",
    "lax.broadcast_in_dim(x, (4, 2, 3), [1, 2])", "lax.broadcast_in_dim(x, (2, 4), (0, 1))",
    "lax.broadcast(x, (4,))", "lax.broadcast(1, [2])",
    "lax.transpose(x, (1, 0))", "lax.transpose(x, (-1, 0))", "lax.transpose(x, [1, 0])",
    "lax.squeeze(jnp.ones((1, 2, 1)), (0, 2))", "lax.squeeze(jnp.ones((1, 2, 1)), (-1,))",
    "lax.squeeze(jnp.ones((1, 2, 1)), (1,))", "lax.squeeze(2.0, ())",
    "lax.expand_dims(x, (0,))", "lax.expand_dims(x, (-1,))", "lax.expand_dims(2., (0, 1))",
    "lax.expand_dims(x, ())", "lax.rev(x, (0,))", "lax.rev(x, (-1,))", "lax.rev(x, [1])",
    "lax.rev(x, ())", "lax.slice(x, (0, 1), (2, 3))", "lax.slice(x, (0, 0), (2, 3), (1, 2))",
    "lax.slice(x, [0, 0], [2, 3])", "lax.slice(x, (0, 0), (3, 3))",
    "lax.slice_in_dim(x, 0, 2, axis=1)", "lax.slice_in_dim(x, -2, None, axis=1)",
    "lax.slice_in_dim(x, 0, None, 2, axis=-1)", "lax.index_in_dim(x, 1, axis=1)",
    "lax.index_in_dim(x, -1, axis=1, keepdims=False)",
    "lax.dynamic_slice(x, (1, 1), (1, 2))", "lax.dynamic_slice(x, (5, -1), (1, 2))",
    "lax.dynamic_slice(x, (-1, -1), (1, 2))", "lax.dynamic_slice(x, (jnp.int32(1), 0), (1, 2))",
    MSG + "lax.dynamic_slice(x, (1,), (1, 2))", MSG + "lax.dynamic_slice(x, (1, 0), (3, 2))",
    MSG + "lax.dynamic_slice(x, (1.0, 0), (1, 2))", "lax.dynamic_slice(x, jnp.array([1, 0]), (1, 2))",
    "lax.dynamic_slice_in_dim(x, 1, 2, axis=1)", "lax.dynamic_index_in_dim(x, 1, axis=1)",
    "lax.dynamic_index_in_dim(x, 1, axis=1, keepdims=False)",
    "lax.dynamic_update_slice(x, jnp.ones((1, 2)), (1, 2))",
    "lax.dynamic_update_slice(x, jnp.ones((1, 2)), (-1, -1))",
    MSG + "lax.dynamic_update_slice(x, jnp.ones((1, 2), 'int32'), (0, 0))",
    MSG + "lax.dynamic_update_slice(x, 1.0, ())",
    MSG + "lax.dynamic_update_slice(x, jnp.ones((3, 2)), (0, 0))",
    "lax.dynamic_update_slice(jnp.arange(5), jnp.array([7, 8]), (4,))",
    "lax.dynamic_update_slice_in_dim(x, jnp.ones((2, 1)), 1, axis=1)",
    "lax.dynamic_update_index_in_dim(x, jnp.ones(2), 1, axis=1)",
    "lax.concatenate([x, x], 0)", "lax.concatenate([x, x], -1)",
    "lax.concatenate((x, jnp.ones((2, 1))), 1)", "lax.concatenate([1., 2.], 0)",
    MSG + "lax.concatenate([], 0)", "lax.concatenate([x], 0)",
    "lax.concatenate([x, jnp.ones((2, 3), 'int32')], 0)",
    "lax.pad(x, 0., [(1, 1, 0), (0, 0, 1)])", "lax.pad(x, 0, [(1, 1, 0), (0, 0, 1)])",
    "lax.pad(x, 0., ((-1, 0, 0), (0, 0, 0)))", "lax.pad(x, -1., ((0, 0, 2), (1, -1, 0)))",
    "lax.iota(jnp.int32, 4)", "lax.iota('float32', 3)", "lax.iota(int, 3)",
    "lax.iota(jnp.int32, -1)", "lax.iota(jnp.int8, 0)", "lax.broadcasted_iota(jnp.int32, (2, 3), 1)",
    "lax.broadcasted_iota(jnp.int32, (2, 3), -1)", "lax.broadcasted_iota('float32', (2, 3), 0)",
]

CONTRACT_REDUCE_SORT = [
    "lax.dot(x, x.T)", "lax.dot(x, jnp.ones(3))", "lax.dot(jnp.ones(3), jnp.ones(3))",
    "lax.dot(x, jnp.ones(3, 'int32'))", MSG + "lax.dot(x, x)", "lax.dot(2., 3.)",
    "lax.dot(x, x.T, preferred_element_type=jnp.float32)",
    "lax.dot(jnp.ones((2, 2, 2)), jnp.ones((2, 2)))",
    "lax.dot(jnp.arange(3), jnp.arange(3))",
    "lax.dot(x, x, dimension_numbers=(((1,), (1,)), ((0,), (0,))))",
    "lax.dot_general(x, x, (((1,), (1,)), ((), ())))", "lax.dot_general(x, x, (([1], [1]), ([0], [0])))",
    "lax.reduce_sum(x, (0,))", "lax.reduce_sum(x, [1])", "lax.reduce_sum(x, (-1,))",
    "lax.reduce_sum(2., ())", "lax.reduce_max(x, (0, 1))", "lax.reduce_prod(x, (0,))",
    "lax.reduce_min(x, (1,))", "lax.reduce_and(jnp.array([True, False]), (0,))",
    "lax.reduce_or(jnp.array([1, 2]), (0,))", "lax.reduce_xor(jnp.array([1, 3]), (0,))",
    "lax.reduce_min(x, (2,))", "lax.reduce_sum(jnp.zeros((0, 2)), (0,))",
    "lax.argmax(x, 1, jnp.int32)", "lax.argmax(x, -1, jnp.int32)", "lax.argmin(x, 0, 'int8')",
    "lax.argmax(x, 0, jnp.float32)", "lax.argmax(jnp.array([1., np.nan, 3.]), 0, jnp.int32)",
    "lax.cumsum(x)", "lax.cumsum(x, axis=1, reverse=True)", "lax.cumsum(x, -1)",
    "lax.cumprod(x, 1)", "lax.cummax(x, 0)", "lax.cummin(x, 0, reverse=True)",
    "lax.cumlogsumexp(x, 1)", "lax.cumsum(2.)", "lax.cumsum(jnp.arange(3))",
    "lax.sort(jnp.array([3., 1., 2.]))", "lax.sort(x, dimension=0)",
    "lax.sort((jnp.array([3, 1, 2]), jnp.array([1., 2., 3.])), num_keys=1)",
    "lax.sort([jnp.array([3, 1, 2])])", "lax.sort(x, -1)", "lax.sort(jnp.array([2, 1]), num_keys=2)",
    "lax.sort(jnp.array([np.nan, 1., -np.inf, 0.]))",
    "lax.sort_key_val(jnp.array([3, 1, 2]), jnp.array([1., 2., 3.]))",
    "lax.top_k(jnp.array([3., 1., 2.]), 2)", "lax.top_k(x, 2)", "lax.top_k(x, 4)",
    "lax.top_k(jnp.array([1., 3., 3., 2.]), 2)", "lax.top_k(jnp.array([1, 2]), 0)",
    "lax.top_k(jnp.array(1.), 1)", "lax.top_k(x, 1, axis=0)",
]

CONTROL = [
    MSG + "lax.cond(True, lambda: 1, lambda: 1.0)",
    "lax.cond(True, lambda x: x + 1, lambda x: x - 1, 1.)",
    MSG + "lax.cond(jnp.array([True, False]), lambda: 1, lambda: 2)",
    "lax.cond(1.0, lambda: 1, lambda: 2)", "lax.cond(3, lambda: 1, lambda: 2)",
    "lax.cond(0, lambda: 1, lambda: 2)", "lax.cond(True, lambda: jnp.float32(1), lambda: 2.0)",
    MSG + "lax.cond(True, lambda: (1, 2), lambda: [1, 2])",
    MSG + "lax.cond(True, lambda: jnp.zeros(2), lambda: jnp.zeros(3))",
    "lax.cond(jnp.int32(0), lambda: 1, lambda: 2)", "lax.cond(True, lambda x: x, lambda x: x)",
    "lax.cond(True, lambda x, y: x + y, lambda x, y: x - y, 1, 2)",
    "lax.cond(True, lambda x: x, lambda x: x, operand=3)",
    "lax.cond(True, lambda: 1, lambda: jnp.int32(2))",
    "lax.cond(False, lambda: 1, lambda: jnp.int32(2))",
    "lax.cond(jnp.array(2.0), lambda: 1, lambda: 2)",
    MSG + "lax.cond(jnp.array(1 + 1j), lambda: 1, lambda: 2)",
    MSG + "lax.cond(None, lambda: 1, lambda: 2)", MSG + "lax.cond([True], lambda: 1, lambda: 2)",
    MSG + "lax.cond(True, 1, lambda: 2)", "lax.cond(True, lambda x: x, lambda x: x, jnp.ones(2))",
    "lax.cond(True, lambda: None, lambda: None)",
    MSG + "lax.cond(True, lambda: (1, 2.0), lambda: (1, 2))",
    MSG + "lax.cond(True, lambda: (1, 2.0, jnp.ones(2)), lambda: (1, 2, jnp.ones(3)))",
    MSG + "lax.cond(True, lambda: {'a': 1}, lambda: {'b': 1})",
    MSG + "lax.cond(True, lambda: (1, 2), lambda: (1, 2, 3))",
    "lax.cond(False, lambda d: {'a': d['a'] * 2}, lambda d: {'a': d['a'] + 1}, {'a': jnp.ones(2)})",
    "lax.cond(True, lambda x: x, lambda x: x, 1, operand=2)",
    "lax.switch(1, [lambda x: x, lambda x: x * 2, lambda x: x * 3], 3)",
    "lax.switch(5, [lambda: 1, lambda: 2])", "lax.switch(-3, [lambda: 1, lambda: 2])",
    MSG + "lax.switch(1.0, [lambda: 1, lambda: 2])", MSG + "lax.switch(0, [])",
    MSG + "lax.switch(0, [lambda: 1, lambda: 2.])",
    MSG + "lax.switch(0, [lambda: 1, lambda: 1, lambda: jnp.ones(2)])",
    "lax.switch(jnp.uint8(1), [lambda x: x, lambda x: x * 2], 3)",
    MSG + "lax.switch(jnp.array([1]), [lambda x: x, lambda x: x * 2], 3)",
    MSG + "lax.switch(True, [lambda x: x, lambda x: x * 2], 3)",
    "lax.switch(0, [lambda x: x], 3)", "lax.switch(0, [lambda x: x], operand=3)",
    MSG + "lax.switch(0, [lambda x: x, 1], 3)",
    "lax.switch(1, (lambda: 1, lambda: jnp.int32(2)))",
    "lax.while_loop(lambda c: c < 10, lambda c: c + 1, 0)",
    "lax.while_loop(lambda c: c < 10, lambda c: c + 1.5, 0)",
    "lax.while_loop(lambda c: c < 10, lambda c: jnp.float32(c + 1.5), 0.)",
    "lax.while_loop(lambda c: c < 10, lambda c: 10, jnp.int32(0))",
    "lax.while_loop(lambda c: c < 10, lambda c: jnp.int32(10), 0)",
    "lax.while_loop(lambda c: False, lambda c: c + 1.5, 0)",
    "lax.while_loop(lambda c: c < 3, lambda c: c + jnp.int8(1), 0)",
    "lax.while_loop(lambda c: c < 3, lambda c: c + 1, jnp.int8(0))",
    MSG + "lax.while_loop(lambda c: c < 3, lambda c: jnp.float32(c) + 1, jnp.int8(0))",
    "lax.while_loop(lambda c: c[0] < 3, lambda c: (c[0] + 1, c[1] * 2), (0, 1.))",
    MSG + "lax.while_loop(lambda c: c < 3, lambda c: jnp.zeros(2), 0.)",
    MSG + "lax.while_loop(lambda c: c < 10, lambda c: (c + 1, c), 0)",
    "lax.while_loop(lambda c: c[0] < 3, lambda c: [c[0] + 1], [0])",
    MSG + "lax.while_loop(lambda c: c['a'] < 3, lambda c: {'a': c['a'] + 1, 'b': 1.0}, "
          "{'a': 0, 'b': jnp.int32(0)})",
    MSG + "lax.while_loop(lambda c: c['a'] < 3, lambda c: {'a': c['a'] + 1, 'b': jnp.ones(2), "
          "'c': 2}, {'a': 0, 'b': jnp.int32(0), 'c': 2.})",
    MSG + "lax.while_loop(lambda c: (c < 3, 1), lambda c: c + 1, 0)",
    MSG + "lax.while_loop(lambda c: jnp.array([True]), lambda c: c + 1, 0)",
    MSG + "lax.while_loop(lambda c: 1, lambda c: c + 1, 0)",
    MSG + "lax.while_loop(1, lambda c: c + 1, 0)",
    MSG + "lax.while_loop(lambda c: c < 3, lambda c: c + 1, 'a')",
    "lax.while_loop(lambda c: c[1] < 5, lambda c: (c[0] * 2, c[1] + 1), (jnp.ones(3), 0))",
    "lax.fori_loop(0, 10, lambda i, x: x + i, 0.)", "lax.fori_loop(0, 10, lambda i, x: x + i, 0)",
    "lax.fori_loop(jnp.int8(0), 10, lambda i, x: x + i, 0)",
    "lax.fori_loop(0, 3, lambda i, x: (x[0] + i,), (0,))",
    "lax.fori_loop(3, 0, lambda i, x: x + i, 0)", "lax.fori_loop(0, 3, lambda i, x: x + i, 0.5)",
    "lax.fori_loop(jnp.int32(0), jnp.int32(3), lambda i, x: x + i, 0.5)",
    MSG + "lax.fori_loop(jnp.uint8(0), jnp.int16(3), lambda i, x: x, 0.5)",
    MSG + "lax.fori_loop(0., 3, lambda i, x: x, 0)",
    "lax.fori_loop(0, 3, lambda i, x: x + 1.5, 0)",
    "lax.fori_loop(0, 5, lambda i, x: x.at[i].set(i * 2.0), jnp.zeros(5))",
    "lax.scan(lambda c, x: (c + x, c * x), 0., jnp.arange(4.))",
    "lax.scan(lambda c, x: (c + x, c * x), 0, jnp.arange(4.))",
    "lax.scan(lambda c, x: (c + 1, 2.0), 0, None, length=3)",
    "lax.scan(lambda c, x: (c + 1, None), 0, None, length=3)",
    "lax.scan(lambda c, x: (c + 1, {'a': x, 'b': (c,)}), 0, jnp.arange(3), reverse=True)",
    MSG + "lax.scan(lambda c, x: (c + 1, x), 0, None)",
    MSG + "lax.scan(lambda c, x: (c + 1, x), 0, jnp.arange(3), length=4)",
    MSG + "lax.scan(lambda c, x: (c + 1, x), 0, (jnp.arange(3), jnp.arange(4)))",
    "lax.scan(lambda c, x: (c + 1, x), 0, jnp.array(3))",
    "lax.scan(lambda c, x: (c + 1, x), 0, jnp.zeros((0, 2)))",
    "lax.scan(lambda c, x: (c + 1.0, x), 0, jnp.zeros((0, 2)))",
    MSG + "lax.scan(lambda c, x: (c + 1, x), 0, [1, 2])",
    "lax.scan(lambda c, x: (c + 1, x), 0, np.arange(3.))",
    MSG + "lax.scan(lambda c, x: c + 1, 0, jnp.arange(3))",
    MSG + "lax.scan(lambda c, x: (c + 1, x, 1), 0, jnp.arange(3))",
    "lax.scan(lambda c, x: (c + x, c), jnp.zeros(2), jnp.ones((3, 2)), unroll=2)",
    "lax.scan(lambda c, x: (c + x, c), jnp.zeros(2), jnp.ones((3, 2)), unroll=True)",
    MSG + "lax.scan(lambda c, x: (c + x, c), 0., jnp.ones(3), unroll=-1)",
    "lax.scan(lambda c, x: (c + x, c), 0, jnp.ones((3,)), length=3.0)",
    "lax.scan(lambda c, x: (c + x[0] * x[1], c), 0., (jnp.arange(3.), jnp.ones(3)))",
    "lax.scan(lambda c, x: ((c[0] + x, c[1]), [c[0]]), (0., jnp.ones(2)), jnp.arange(3.))",
    MSG + "lax.scan(lambda c, x: (c + jnp.ones(2), x), 0., jnp.arange(3.))",
    "lax.map(lambda x: x * 2, jnp.arange(3))", "lax.map(lambda x: (x, 1), jnp.arange(3))",
    "lax.map(lambda x: x['a'] * 2, {'a': jnp.arange(3)})",
    "lax.map(lambda x: x * 2, jnp.arange(5), batch_size=2)",
    "lax.map(lambda x: jnp.sum(x), jnp.ones((3, 2)))",
    "lax.associative_scan(jnp.add, jnp.arange(5), reverse=True)",
    "lax.associative_scan(jnp.add, jnp.arange(6).reshape(2, 3), axis=1)",
    "lax.associative_scan(lambda a, b: (a[0] + b[0], a[1] * b[1]), (jnp.arange(4), jnp.arange(1, 5)))",
    "lax.associative_scan(jnp.add, jnp.linspace(0., 1., 11) ** 3)",
    "lax.associative_scan(jnp.logical_or, jnp.array([False, True, False]))",
    "lax.associative_scan(jnp.add, jnp.arange(1))",
    "lax.associative_scan(jnp.add, [1, 2, 3])",
    MSG + "lax.associative_scan(jnp.add, (jnp.arange(3), jnp.arange(4)))",
]


def _env(lax, np_mod):
    return {"lax": lax, "jnp": np_mod, "np": np, "x": np_mod.arange(6.).reshape(2, 3)}


def _run(expr: str, env: dict):
    try:
        return True, eval(expr, env)
    except Exception as err:  # noqa: BLE001 - an error is an outcome to compare
        return False, err


def _builtin_base(err: BaseException) -> type:
    return next(t for t in type(err).__mro__ if t.__module__ == "builtins")


def _leaves(tree, tree_util) -> tuple[list, object]:
    leaves, treedef = tree_util.tree_flatten(tree)
    return leaves, treedef


def _same_structure(a, b) -> bool:
    if isinstance(a, (list, tuple)) or isinstance(b, (list, tuple)):
        return type(a) is type(b) and len(a) == len(b) and all(
            _same_structure(x, y) for x, y in zip(a, b))
    if isinstance(a, dict) or isinstance(b, dict):
        return type(a) is type(b) and a.keys() == b.keys() and all(
            _same_structure(a[k], b[k]) for k in a)
    return (a is None) == (b is None)


def _check_leaf(got, want, expr: str) -> None:
    g, w = np.asarray(got), np.asarray(want)
    assert g.dtype == w.dtype, f"{expr}: dtype {g.dtype} != {w.dtype}"
    assert g.shape == w.shape, f"{expr}: shape {g.shape} != {w.shape}"
    assert getattr(got, "weak_type", None) == getattr(want, "weak_type", None), (
        f"{expr}: weak_type {getattr(got, 'weak_type', None)} != "
        f"{getattr(want, 'weak_type', None)}")
    if g.dtype.kind in "fc":
        np.testing.assert_allclose(g, w, rtol=2e-6, atol=0, equal_nan=True, err_msg=expr)
    else:
        np.testing.assert_array_equal(g, w, err_msg=expr)


def _compare(expr: str) -> None:
    check_msg = expr.startswith(MSG)
    expr = expr.removeprefix(MSG)
    ok_j, want = _run(expr, _env(jlax, jnp))
    ok_a, got = _run(expr, _env(alax, anp))
    if not ok_j:
        assert not ok_a, f"{expr}: JAX raises {type(want).__name__}: {want}; axc returned {got!r}"
        assert _builtin_base(got) is _builtin_base(want), (
            f"{expr}: axc raised {type(got).__name__}: {got}; JAX {type(want).__name__}: {want}")
        if check_msg:
            theirs = str(want).replace("jax._src.core.ShapedArray", "axc.runtime.abstract.ShapedArray")
            assert str(got) == theirs, f"{expr}:\naxc: {got}\nJAX: {want}"
        return
    if not ok_a:
        raise AssertionError(f"{expr}: axc raised, JAX returned {want!r}") from got
    assert _same_structure(got, want), f"{expr}: structure {got!r} != {want!r}"
    g_leaves = axc.tree_util.tree_leaves(got)
    w_leaves = jax.tree_util.tree_leaves(want)
    assert len(g_leaves) == len(w_leaves)
    for g, w in zip(g_leaves, w_leaves):
        if not isinstance(w, jax.Array):  # a value JAX passes through untouched
            assert type(g) is type(w) and g == w, f"{expr}: {g!r} != {w!r}"
            continue
        assert isinstance(g, axc.Array), f"{expr}: leaf {g!r} is not an axc.Array"
        _check_leaf(g, w, expr)


@pytest.mark.parametrize("expr", ELEMENTWISE)
def test_elementwise(expr: str) -> None:
    _compare(expr)


@pytest.mark.parametrize("expr", CASTS_AND_SELECT)
def test_casts_select_fill(expr: str) -> None:
    _compare(expr)


@pytest.mark.parametrize("expr", STRUCTURAL)
def test_structural(expr: str) -> None:
    _compare(expr)


@pytest.mark.parametrize("expr", CONTRACT_REDUCE_SORT)
def test_contract_reduce_sort(expr: str) -> None:
    _compare(expr)


@pytest.mark.parametrize("expr", CONTROL)
def test_control_flow(expr: str) -> None:
    _compare(expr)


# --- a sweep of the elementwise functions over dtypes and shapes ----------------------------

UNARY = [
    "neg", "sign", "floor", "ceil", "round", "is_finite", "abs", "exp", "exp2", "log", "log1p",
    "expm1", "tanh", "logistic", "sin", "cos", "tan", "asin", "acos", "atan", "sinh", "cosh",
    "asinh", "acosh", "atanh", "sqrt", "rsqrt", "cbrt", "bitwise_not", "real", "imag", "conj",
    "square", "reciprocal", "erf", "erfc", "erf_inv", "lgamma", "digamma",
]
BINARY = [
    "add", "sub", "mul", "div", "rem", "pow", "max", "min", "atan2", "nextafter",
    "bitwise_and", "bitwise_or", "bitwise_xor", "shift_left", "shift_right_arithmetic",
    "shift_right_logical", "eq", "ne", "lt", "le", "gt", "ge", "complex",
]
SWEEP_DTYPES = ["bool", "uint8", "int8", "int32", "float16", "float32", "complex64"]
EDGE_SHAPES = [(), (1, 0, 2)]


def _sweep_data(dt: str, shape: tuple, second: bool = False) -> np.ndarray:
    base = np.array([0.5, -0.25, 0.75, 0.125, -0.5, 0.9] if not second else
                    [0.25, 0.5, -0.75, 0.3, 0.6, -0.2])
    dtype = np.dtype(dt)
    if dtype.kind in "iu":
        base = np.array([3, 1, 0, 7, 2, 5] if not second else [1, 2, 3, 1, 0, 4])
    elif dtype.kind == "b":
        base = np.array([True, False, True, True, False, False])
    elif dtype.kind == "c":
        base = base + 0.5j * base[::-1]
    size = int(np.prod(shape))
    return np.resize(base, size).reshape(shape).astype(dtype)


def _sweep_compare(expr: str, values: bool = True, **data: np.ndarray) -> None:
    """``expr`` on ``data`` under both; with ``values=False`` JAX only evaluates types
    (``jax.eval_shape``: no compilation), which is what lax's checks decide."""
    names = sorted(data)
    env_j = _env(jlax, jnp)
    env_a = _env(alax, anp)
    env_a.update({k: anp.asarray(v) for k, v in data.items()})

    def jax_fn(*args):
        return eval(expr, {**env_j, **dict(zip(names, args))})

    args = [jnp.asarray(data[k]) for k in names]
    ok_j, want = _run("run(*args)", {"run": jax_fn if values else
                                     lambda *a: jax.eval_shape(jax_fn, *a), "args": args})
    ok_a, got = _run(expr, env_a)
    if not ok_j:
        assert not ok_a, f"{expr}: JAX raises {type(want).__name__}: {want}; axc returned {got!r}"
        assert _builtin_base(got) is _builtin_base(want), (
            f"{expr}: axc raised {type(got).__name__}: {got}; JAX {type(want).__name__}: {want}")
        return
    if not ok_a:
        raise AssertionError(f"{expr}: axc raised, JAX returned {want!r}") from got
    assert (got.dtype, got.shape, got.weak_type) == (want.dtype, want.shape, want.weak_type), (
        f"{expr}: {got.dtype}{list(got.shape)} weak={got.weak_type} vs JAX {want}")
    if not values:
        return
    g, w = np.asarray(got), np.asarray(want)
    rtol = {"float16": 2e-3, "complex64": 1e-5}.get(w.dtype.name, 5e-6)
    if w.dtype.kind in "fc":
        np.testing.assert_allclose(g, w, rtol=rtol, atol=1e-6, equal_nan=True, err_msg=expr)
    else:
        np.testing.assert_array_equal(g, w, err_msg=expr)


@pytest.mark.parametrize("dt", ["bool", "int32", "float16", "float32", "complex64"])
@pytest.mark.parametrize("name", UNARY)
def test_unary_sweep(name: str, dt: str) -> None:
    _sweep_compare(f"lax.{name}(a)", dt == "float32", a=_sweep_data(dt, (2, 3)))


@pytest.mark.parametrize("shape", EDGE_SHAPES, ids=str)
@pytest.mark.parametrize("name", UNARY)
def test_unary_edge_shapes(name: str, shape: tuple) -> None:
    _sweep_compare(f"lax.{name}(a)", False, a=_sweep_data("float32", shape))


@pytest.mark.parametrize("dt", SWEEP_DTYPES)
@pytest.mark.parametrize("name", BINARY)
def test_binary_sweep(name: str, dt: str, request) -> None:
    if name == "atan2" and dt == "complex64":
        request.applymarker(pytest.mark.xfail(strict=True, reason="complex atan2 is not in "
                                              "atan2_p (kernels/elementwise.py)"))
    _sweep_compare(f"lax.{name}(a, b)", dt in ("int32", "float32"), a=_sweep_data(dt, (2, 3)),
                   b=_sweep_data(dt, (2, 3), second=True))


@pytest.mark.parametrize("shapes", [((), (0, 3)), ((2, 1), (1, 3)), ((2, 3), (3,))], ids=str)
@pytest.mark.parametrize("name", BINARY)
def test_binary_broadcasting(name: str, shapes: tuple) -> None:
    """lax broadcasts rank-0 operands and size-1 dimensions, never ranks."""
    _sweep_compare(f"lax.{name}(a, b)", False, a=_sweep_data("int32", shapes[0]),
                   b=_sweep_data("int32", shapes[1], second=True))


@pytest.mark.parametrize("name", BINARY)
def test_binary_python_scalars(name: str) -> None:
    """Python scalars are weakly typed operands of their default dtype, never promoted."""
    for scalar in (2, 0.5):
        _sweep_compare(f"lax.{name}(a, {scalar!r})", False, a=_sweep_data("float32", (2, 3)))
        _sweep_compare(f"lax.{name}({scalar!r}, {scalar!r})", False)


# --- eager semantics JAX's values cannot show -------------------------------------------------

def test_namespace_is_jax_lax_subset() -> None:
    """``axc.lax`` re-exports every public name, and each exists in ``jax.lax``."""
    from axc.kernels import lax as klax
    names = set(klax.__all__)
    assert names <= set(dir(jlax)), names - set(dir(jlax))
    assert all(callable(getattr(alax, n)) for n in names)


def test_cond_runs_both_branches_like_jax_traces_them() -> None:
    calls = []
    out = alax.cond(False, lambda v: calls.append("t") or v + 1, lambda v: calls.append("f") or v,
                    anp.float32(2))
    assert calls == ["t", "f"] and float(out) == 2.0


def test_while_loop_types_body_even_without_trips() -> None:
    calls = []

    def body(c):
        calls.append(c)
        return c + 1

    assert int(alax.while_loop(lambda c: c < 3, body, 0)) == 3
    assert len(calls) == 3
    calls.clear()
    out = alax.while_loop(lambda c: c < 0, body, 5)
    assert int(out) == 5 and len(calls) == 1  # one call to learn the carry's type


def test_fori_loop_counter_is_weak_int32() -> None:
    seen = []
    alax.fori_loop(anp.int8(0) if hasattr(anp, "int8") else 0, 2,
                   lambda i, x: seen.append((i.dtype, i.weak_type)) or x, 0.0)
    assert seen == [(np.dtype("int32"), True)] * 2


def test_scan_reverse_and_long_loop() -> None:
    carry, ys = alax.scan(lambda c, x: (c + x, c), 0, anp.arange(100), reverse=True)
    assert int(carry) == 4950
    np.testing.assert_array_equal(np.asarray(ys), 4950 - np.cumsum(np.arange(100)))
