"""Pure statistics behind the gate's comparisons (numpy and scipy only, no mlgate imports).

- `paired`: intervals of a difference between two models scored on the same rows (DeLong for
  ROC AUC, exact McNemar, a seeded vectorised paired bootstrap);
- `decide`: the `evidence | estimate | proof` rule that turns an estimate and its interval
  into a verdict (shared by every check that compares with a limit);
- `multitest`: Holm and Benjamini-Hochberg adjusted p-values;
- `intervals`: one-sample intervals (Wilson for a rate, Newcombe for a difference of rates).
"""
