"""Recall curves of a simulation (one line per seed, with random order and the perfect ranking for scale)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from litreview.screening.labelled import LabelledDataset


def recall_curves(dataset: LabelledDataset, runs: list, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, axes = plt.subplots(figsize=(6.4, 4.8))
    n = len(dataset)
    for run in runs:
        prior_set = set(run.priors)
        sequence = [r for r in run.order if r not in prior_set]
        found = np.cumsum(dataset.labels[sequence])
        axes.plot(100 * np.arange(1, len(sequence) + 1) / len(sequence), 100 * found / found[-1],
                  linewidth=1, label=f"seed {run.seed}")
        axes.axvline(run.stop_fraction, color=axes.lines[-1].get_color(), linestyle=":", linewidth=0.8)
    axes.plot([0, 100], [0, 100], color="grey", linestyle="--", linewidth=0.8, label="random")
    axes.axhline(95, color="black", linewidth=0.5)
    axes.set_xlabel("records screened (%)")
    axes.set_ylabel("relevant records found (%)")
    axes.set_title(f"{dataset.name} (n={n}, {int(dataset.labels.sum())} included); dotted: suggested stop")
    axes.legend(loc="lower right", fontsize=8)
    figure.tight_layout()
    figure.savefig(path, dpi=120)
    plt.close(figure)
