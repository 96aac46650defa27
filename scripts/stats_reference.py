#!/usr/bin/env python3
"""Trail's statistics computed by the Python libraries teams use, for StatisticsTests to compare with.

  stats_reference.py DATA.json

DATA.json: {"datasets": [{"name", "coders": [[code or null, ...] per coder] (one column per unit),
"truth": [code, ...], "predicted": [code, ...]}]}. Prints one JSON object to stdout:
{"versions": {...}, "results": [{"name", "alpha", "fleiss", "cohen", "accuracy", "labels",
"precision", "recall", "f1", "support", "macro_precision", "macro_recall", "macro_f1",
"confusion"}]}, with null wherever a statistic is undefined (the libraries' NaN or ValueError).

- alpha: krippendorff.alpha, nominal, on the coders' rows as given (missing values as NaN).
- fleiss: statsmodels' fleiss_kappa over aggregate_raters, only when every unit has the same
  number n >= 2 of values (Trail's rule: Fleiss' kappa assumes it; statsmodels has no missing values).
- the rest: scikit-learn on truth and predicted, default zero_division (0, with a warning).

Exits 3, saying what to install, when a library is missing (scripts/setup.sh --tests installs them
into .venv-tests).
"""
import json, math, sys, warnings

try:
    from importlib.metadata import version
    import numpy as np
    import krippendorff
    import sklearn
    import statsmodels
    from sklearn.metrics import (accuracy_score, cohen_kappa_score, confusion_matrix, f1_score,
                                 precision_recall_fscore_support)
    from statsmodels.stats.inter_rater import aggregate_raters, fleiss_kappa
except ImportError as e:
    print(f"{e}. The statistics tests need the Python packages krippendorff, statsmodels and scikit-learn "
          f"(run scripts/setup.sh --tests: it installs them into .venv-tests)", file=sys.stderr)
    sys.exit(3)


def number(x):
    x = float(x)
    return None if math.isnan(x) else x


def alpha(coders):
    data = np.array([[math.nan if v is None else v for v in row] for row in coders], dtype=float)
    try:
        return number(krippendorff.alpha(reliability_data=data, level_of_measurement="nominal"))
    except ValueError:  # "at least one unit with values assigned by at least two coders", "more than one value"
        return None


def fleiss(coders):
    units = [[row[u] for row in coders if row[u] is not None] for u in range(len(coders[0]))] if coders else []
    sizes = {len(u) for u in units}
    if len(sizes) != 1 or sizes.pop() < 2:
        return None
    table, _ = aggregate_raters(np.array(units))
    return number(fleiss_kappa(table, method="fleiss"))


def scores(truth, predicted):
    if not truth:
        return {}
    p, r, f, s = precision_recall_fscore_support(truth, predicted, average=None)
    mp, mr, mf, _ = precision_recall_fscore_support(truth, predicted, average="macro")
    return {
        "cohen": number(cohen_kappa_score(truth, predicted)),
        "accuracy": number(accuracy_score(truth, predicted)),
        "labels": sorted(set(truth) | set(predicted)),
        "precision": [float(x) for x in p], "recall": [float(x) for x in r],
        "f1": [float(x) for x in f], "support": [int(x) for x in s],
        "macro_precision": float(mp), "macro_recall": float(mr),
        "macro_f1": float(f1_score(truth, predicted, average="macro")),
        "macro_f1_prfs": float(mf),
        "confusion": confusion_matrix(truth, predicted, labels=list(range(max(truth + predicted) + 1))).tolist(),
    }


def main():
    if len(sys.argv) != 2:
        print(__doc__.strip().split("\n\n")[1], file=sys.stderr)
        sys.exit(2)
    with open(sys.argv[1], encoding="utf-8") as f:
        data = json.load(f)
    warnings.simplefilter("ignore")  # scikit-learn's zero-division and single-label warnings
    results = []
    for d in data["datasets"]:
        result = {"name": d["name"], "alpha": alpha(d["coders"]), "fleiss": fleiss(d["coders"])}
        result.update(scores(d.get("truth", []), d.get("predicted", [])))
        results.append(result)
    versions = {name: version(name) for name in ("krippendorff", "statsmodels", "scikit-learn", "numpy")}
    json.dump({"versions": versions, "results": results}, sys.stdout)


if __name__ == "__main__":
    main()
