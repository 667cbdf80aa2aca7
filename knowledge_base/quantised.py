"""Similarities to many vectors read as bytes, with a bound on how far each is from the exact one.

A search first compares the query with every variant's vector (knowledge_base/retrieval.py), and
reading them all is what grows with the knowledge base. Here each vector is kept as signed bytes
(scaled per row to its largest component) and the query as unsigned ones, multiplied by ONNX
Runtime's integer matrix product, which holds the codes ready for it once (MLAS). At 20,000
entries (80,000 vectors of 768) that read them in 4.4 ms on two cores of an AVX2-only AMD EPYC,
against 13 ms for torch in float16, the fastest 16-bit type there (measured).

The error is bounded, so a search can leave out exactly the entries that cannot be among the
best: with q~ and d~ the vectors the codes stand for, |q.d - q~.d~| <= |q - q~|max * |d|1 +
|q~|1 * |d - d~|max, and rounding makes each |..|max at most half a code's step.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Future
from typing import Any, Final

import numpy as np
import numpy.typing as npt

from knowledge_base.embeddings import Vector, Vectors

Submit = Callable[..., Future[Any]]

ROW_CODES: Final = 127
"""A vector's components are -127..127 times its step."""
QUERY_ZERO: Final = 64
"""The query's codes are 0..128, QUERY_ZERO meaning 0: without VNNI instructions, MLAS adds two
products of an unsigned and a signed byte in 16 bits, which saturate for codes above 128."""
_ROUNDING: Final = 2.0**-20
"""Room for float32 rounding: the exact similarity, a sum of up to 1,024 float32 products, and
the scaling of the integer product to a similarity each round a little."""


class QuantisedVectors:
    """Vectors (rows) kept as bytes for `similarities`, in `parts` of rows that can be read at
    the same time."""

    def __init__(self, vectors: Vectors, parts: int = 1) -> None:
        import onnxruntime

        rows = len(vectors)
        largest = np.abs(vectors).max(axis=1) if rows else np.zeros(0, dtype=np.float32)
        steps = np.where(largest > 0, largest / ROW_CODES, 1.0).astype(np.float32)
        codes = np.rint(vectors / steps[:, np.newaxis]).astype(np.int8)
        self._steps = steps
        self._largest_step = float(steps.max(initial=0.0))
        self._largest_l1 = float(np.abs(vectors).sum(axis=1).max(initial=0.0))
        self._parts = [
            _product(onnxruntime, np.ascontiguousarray(part.T))
            for part in np.array_split(codes, max(1, min(parts, rows)))
            if len(part)
        ]

    def similarities(self, vector: Vector, submit: Submit | None = None) -> tuple[Vectors, float]:
        """Each row's similarity to `vector`, and how far any of them can be from the exact
        one. `submit` (an executor's) reads the parts after the first beside the caller."""
        if not self._parts:
            return np.zeros(0, dtype=np.float32), 0.0
        largest = float(np.abs(vector).max())
        step = largest / QUERY_ZERO if largest > 0 else 1.0
        signed = np.rint(vector / step).astype(np.int32)
        codes = (signed + QUERY_ZERO).astype(np.uint8)[np.newaxis, :]
        if submit is None:
            products = [part(codes) for part in self._parts]
        else:
            first, *others = self._parts
            started = [submit(part, codes) for part in others]
            products = [first(codes), *(future.result() for future in started)]
        scores = (np.concatenate(products) * (self._steps * np.float32(step))).astype(np.float32)
        query_l1 = step * float(np.abs(signed).sum())
        bound = step / 2 * self._largest_l1 + self._largest_step / 2 * query_l1 + _ROUNDING
        return scores, bound


def _product(onnxruntime: Any, columns: npt.NDArray[np.int8]) -> Callable[[Any], Any]:
    """codes x `columns` (integer codes, width x rows) in ONNX Runtime, on the calling thread.
    The columns are handed over from memory, not copied into the model."""
    from onnx import TensorProto, helper

    width, rows = columns.shape
    stored = TensorProto(name="columns", data_type=TensorProto.INT8, dims=[width, rows])
    stored.data_location = TensorProto.EXTERNAL
    for key, value in (("location", "columns"), ("length", str(columns.nbytes))):
        stored.external_data.add(key=key, value=value)
    graph = helper.make_graph(
        [helper.make_node("MatMulInteger", ["query", "columns", "zero"], ["products"])],
        "similarities",
        [helper.make_tensor_value_info("query", TensorProto.UINT8, [1, width])],
        [helper.make_tensor_value_info("products", TensorProto.INT32, [1, rows])],
        initializer=[stored, helper.make_tensor("zero", TensorProto.UINT8, [], [QUERY_ZERO])],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = 1
    options.inter_op_num_threads = 1
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    value = onnxruntime.OrtValue.ortvalue_from_numpy(columns)
    options.add_external_initializers(["columns"], [value])
    session = onnxruntime.InferenceSession(
        model.SerializeToString(), options, providers=["CPUExecutionProvider"]
    )

    def product(codes: Any, kept: tuple[Any, ...] = (columns, value)) -> Any:
        # `kept`: the session reads the columns where they are, so they must live as long.
        return session.run(None, {"query": codes})[0][0]

    return product
