"""Turn the `model:` section into check specs (no numpy or scikit-learn here: load time)."""

from __future__ import annotations

from typing import Any

from mlgate.checks import CheckSpec
from mlgate.config.model import Config
from mlgate.config.yamlload import Document
from mlgate.errors import ConfigError
from mlgate.plan_helpers import entry_name, require_name, severity_of, spec
from mlgate.stats.decide import DEFAULT_CONFIDENCE, DEFAULT_RULE

FAIRNESS_MEASURES = (
    "demographic_parity_difference",
    "equalized_odds_difference",
    "disparate_impact_ratio",
)
#: What needs rows to run on (everything but `cases:`).
NEEDS_DATASET = (
    "metrics",
    "slices",
    "fairness",
    "invariance",
    "directional",
    "baseline",
    "latency",
)


def plan_model(config: Config, doc: Document) -> list[CheckSpec]:
    """One check per metric, slice metric, fairness measure, behavioural test, case and bound."""
    out: list[CheckSpec] = []
    issues: list[str] = []
    for i, entry in enumerate(doc.data.get("model") or []):
        p = ("model", i)
        issues += require_name(doc, (*p, "model"), entry["model"], config.models, "model")
        if "dataset" in entry:
            issues += require_name(
                doc, (*p, "dataset"), entry["dataset"], config.datasets, "dataset"
            )
        else:
            needs = [k for k in NEEDS_DATASET if k in entry]
            if needs:
                issues.append(
                    doc.error(p, f"`{needs[0]}:` needs rows to run on: add `dataset: NAME`")
                )
        base_name = (entry.get("baseline") or {}).get("model")
        if base_name is not None:
            issues += require_name(
                doc, (*p, "baseline", "model"), base_name, config.models, "model"
            )
        other = (entry.get("latency") or {}).get("relative_to")
        if other is not None:
            issues += require_name(
                doc, (*p, "latency", "relative_to"), other, config.models, "model"
            )
        issues += _target_issues(config, doc, entry, p)
        if issues:
            continue
        out += _plan_entry(doc, entry, i)
    if issues:
        raise ConfigError(issues)
    return out


def _target_issues(
    config: Config, doc: Document, entry: dict[str, Any], p: tuple[Any, ...]
) -> list[str]:
    model = config.models.get(entry["model"])
    if model is None or model.params.get("target"):
        return []
    users: list[str] = [k for k in ("metrics", "slices") if k in entry]
    if (entry.get("baseline") or {}).get("max_drop"):
        users.append("baseline.max_drop")
    if any("equalized_odds_difference" in f for f in entry.get("fairness") or []):
        users.append("fairness.equalized_odds_difference")
    if not users:
        return []
    return [
        doc.error(
            (*p, users[0].split(".")[0]),
            f"`{users[0]}` compares with the truth, but model {entry['model']!r} has no "
            "`target:` (set it under `models:`)",
        )
    ]


def _plan_entry(doc: Document, entry: dict[str, Any], i: int) -> list[CheckSpec]:
    out: list[CheckSpec] = []
    p = ("model", i)
    name = str(entry.get("name") or entry["model"])
    group = f"model:{i}"
    common: dict[str, Any] = {"model": entry["model"], "dataset": entry.get("dataset")}
    base_name = (entry.get("baseline") or {}).get("model")

    def add(
        path: tuple[Any, ...], ids: tuple[Any, ...], kind: str, params: dict[str, Any], *levels: Any
    ) -> None:
        out.append(
            spec(
                doc,
                (*p, *path),
                ("model", name, *ids),
                "model",
                kind,
                params={**common, **params},
                severity=severity_of(entry, *levels),
                group=group,
            )
        )

    for metric, bounds in (entry.get("metrics") or {}).items():
        add(
            ("metrics", metric),
            ("metrics", metric),
            "model.metric",
            {"metric": metric, **bounds, "base_model": base_name},
            bounds,
        )
    for j, sl in enumerate(entry.get("slices") or []):
        sname = entry_name(sl, j)
        for metric, bounds in (sl.get("metrics") or {}).items():
            add(
                ("slices", j, "metrics", metric),
                ("slices", sname, metric),
                "model.slice",
                {**sl, "metric": metric, "bounds": bounds},
                sl,
                bounds,
            )
        for metric, gap in (sl.get("max_gap") or {}).items():
            add(
                ("slices", j, "max_gap", metric),
                ("slices", sname, "max_gap", metric),
                "model.slice_gap",
                {**sl, "metric": metric, "max_gap": gap},
                sl,
            )
    for j, fair in enumerate(entry.get("fairness") or []):
        fname = entry_name(fair, j)
        for measure in FAIRNESS_MEASURES:
            if measure in fair:
                add(
                    ("fairness", j, measure),
                    ("fairness", fname, measure),
                    "model.fairness",
                    {**fair, "measure": measure, "bounds": fair[measure]},
                    fair,
                    fair[measure],
                )
    for j, inv in enumerate(entry.get("invariance") or []):
        add(("invariance", j), ("invariance", entry_name(inv, j)), "model.invariance", inv, inv)
    for j, d in enumerate(entry.get("directional") or []):
        add(("directional", j), ("directional", entry_name(d, j)), "model.directional", d, d)
    for j, case in enumerate(entry.get("cases") or []):
        add(
            ("cases", j),
            ("cases", entry_name(case, j)),
            "model.case",
            {**case, "index": j, "cases": entry["cases"]},
            case,
        )
    baseline = entry.get("baseline")
    if baseline:
        bcommon = {
            "base_model": baseline["model"],
            "decide": baseline.get("decide", DEFAULT_RULE),
            "confidence": baseline.get("confidence", DEFAULT_CONFIDENCE),
        }
        for metric, drop in (baseline.get("max_drop") or {}).items():
            add(
                ("baseline", "max_drop", metric),
                ("baseline", "max_drop", metric),
                "model.baseline_drop",
                {**bcommon, "metric": metric, "max_drop": drop},
                baseline,
            )
        if "min_agreement" in baseline:
            add(
                ("baseline", "min_agreement"),
                ("baseline", "min_agreement"),
                "model.baseline_agreement",
                {**bcommon, "min_agreement": baseline["min_agreement"]},
                baseline,
            )
        if "score_diff" in baseline:
            add(
                ("baseline", "score_diff"),
                ("baseline", "score_diff"),
                "model.baseline_score_diff",
                {**bcommon, "bounds": baseline["score_diff"]},
                baseline,
            )
    if "latency" in entry:
        add(("latency",), ("latency",), "model.latency", entry["latency"], entry["latency"])
    return out
