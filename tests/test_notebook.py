"""notebooks/evaluation.ipynb is kept without outputs and runs from top to bottom.

The cells run in this process, in order, in one namespace, from the notebook's folder, as a
kernel runs them, with matplotlib's Agg backend; this costs a second where starting a Jupyter
kernel (and importing scikit-learn and matplotlib again in it) cost five to ten. CI also runs
the notebook in a real kernel (jupyter-execute in .ci/run).
"""

from __future__ import annotations

import contextlib
import io
from pathlib import Path

import nbformat

NOTEBOOK = Path(__file__).parents[1] / "notebooks" / "evaluation.ipynb"


def test_notebook_is_kept_without_outputs():
    nb = nbformat.read(NOTEBOOK, as_version=4)
    nbformat.validate(nb)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert code and all(not c.outputs and c.execution_count is None for c in code)


def test_notebook_runs_and_draws_the_histogram(monkeypatch, seed_kb, remembering):
    """The notebook scores the shipped question set on ``default_knowledge()``, the session's shipped guide;
    its encoder remembers the vectors of the golden tables' run of the same questions (conftest)."""
    monkeypatch.setattr(seed_kb, "encoder_", remembering(seed_kb).encoder_)
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    shown: list[int] = []
    monkeypatch.setattr(plt, "show", lambda *args, **kwargs: shown.extend(plt.get_fignums()))
    monkeypatch.chdir(NOTEBOOK.parent)
    nb = nbformat.read(NOTEBOOK, as_version=4)
    namespace: dict = {"__name__": "__main__"}
    printed = io.StringIO()
    try:
        with contextlib.redirect_stdout(printed):
            for n, cell in enumerate(c for c in nb.cells if c.cell_type == "code"):
                exec(compile(cell.source, f"{NOTEBOOK.name}, code cell {n + 1}", "exec"), namespace)
        assert namespace["kb"] is seed_kb
        text = printed.getvalue()
        assert "accuracy" in text and "confidence band" in text
        assert shown, "the notebook shows a figure"
        figure = plt.figure(shown[0])
        assert figure.axes[0].patches and figure.axes[0].get_xlabel() == "confidence"  # the histogram's bars
        png = io.BytesIO()
        figure.savefig(png, format="png")
        assert png.getvalue().startswith(b"\x89PNG")
    finally:
        plt.close("all")
