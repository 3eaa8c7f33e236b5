"""The model card: ``README.md`` in every bundle, in the Hugging Face model-card format.

The YAML header (``huggingface_hub.ModelCardData``: language, license, datasets, base model and a
``model-index`` with the reported metrics) is what the Hub indexes; the body says what the model is for,
its labels and thresholds, its scores (with the held-out estimate beside every calibrated score), how it
was trained, and its limits. ``emotune push`` uploads the bundle with it.
"""

from __future__ import annotations

from typing import Any

from jinja2 import Environment, StrictUndefined

from emotune.config import RunConfig
from emotune.data.labels import LabelSchema
from emotune.decisions.thresholds import ThresholdCalibrator
from emotune.models.catalogue import CATALOGUE

# Hub dataset ids of the presets' datasets (presets of users' own data have none).
DATASETS = {
    "semeval2018-ec": "sem_eval_2018_task_1",
    "goemotions": "google-research-datasets/go_emotions",
    "dair-emotion": "dair-ai/emotion",
    "dailydialog": "li2017dailydialog/daily_dialog",
    "cedr": "sagteam/cedr_v1",
}
METRICS = (("macro_f1", "f1", "macro-F1"), ("micro_f1", "f1", "micro-F1"), ("jaccard", "jaccard", "Jaccard"),
           ("balanced_accuracy", "accuracy", "balanced accuracy"))  # fmt: skip

# Which scores a bundle's metrics hold (train, cv, blend): (key path, what they were measured on).
SCORES = (
    (("dev",), "dev, thresholds tuned on dev"),
    (("dev_two_fold",), "dev, held-out estimate"),
    (("dev_two_fold_with_epoch_choice",), "dev, held-out estimate with the epoch also chosen held out"),
    (("oof",), "out-of-fold, all train rows"),
    (("oof_two_fold",), "out-of-fold, held-out estimate"),
    (("dev", "ensemble"), "dev file, fold ensemble"),
    (("scores",), "tuning rows of the blend"),
    (("two_fold",), "blend, held-out estimate"),
    (("dev", "blend"), "dev file, blend"),
)

BODY = """\
# {{ name }}

An emotion classifier made with [emotune](https://pypi.org/project/emotune/): a **{{ task }}** model over
{{ labels | length }} labels, {{ origin }}.

## Intended use

Detecting the emotions expressed in short {{ language_name }} texts
{%- if preset %} like those of `{{ preset }}`{% endif %}.
{{ "A text can carry several labels, or none." if task == "multilabel" else "Each text gets exactly one label." }}

It is a research and analysis tool: it reads what a text expresses, not what its author feels, and it is not fit
for decisions about individuals (hiring, health, policing, moderation without review).

## How to use

```bash
pip install emotune
emotune predict --model ./{{ name }} "I can't believe they cancelled the show"
```

```python
from emotune import EmotionClassifier
clf = EmotionClassifier.load("./{{ name }}")
clf.predict(["I can't believe they cancelled the show"])
```

## Labels and decisions

| label | {{ "threshold" if task == "multilabel" else "offset" }} |
|---|---:|
{% for label, value in decisions %}
| {{ label }} | {{ value }} |
{% endfor %}

{{ decision_note }}

## Scores

{% if scores %}
| measured on | {% for _, _, title in metric_names %}{{ title }} | {% endfor %}

|---|{% for _ in metric_names %}---:|{% endfor %}

{% for where, values in scores %}
| {{ where }} | {% for key, _, _ in metric_names %}{{ "%.4f" % values[key] if key in values else "" }} | {% endfor %}

{% endfor %}

Scores with thresholds tuned on the same rows are optimistic; the held-out estimate is what to expect on new
text of the same kind.
{% else %}
No scores were recorded with this bundle.
{% endif %}

## Training

{% for key, value in recipe %}
- {{ key }}: {{ value }}
{% endfor %}

## Limitations and bias

- Trained on {{ rows }}; emotion labels are subjective and annotators disagree, most on rare labels.
- Rare labels are the least reliable: check the per-label scores before relying on one.
- Text unlike the training data (another language, domain, register or era) scores lower, often much lower.
- Sarcasm, irony, negation and mixed emotions are common failure cases; so is dialect and slang the data lacks.
- Label distributions of the data reflect who wrote and who annotated it; so do the model's errors.
"""


def _scores(metrics: dict[str, Any]) -> list[tuple[str, dict[str, float]]]:
    found = []
    for path, where in SCORES:
        section: Any = metrics
        for key in path:
            section = section.get(key) if isinstance(section, dict) else None
        if isinstance(section, dict) and isinstance(section.get("macro_f1"), int | float):
            found.append((where, {k: float(v) for k, v in section.items() if isinstance(v, int | float)}))
    return found


def _origin(config: RunConfig, kind: str) -> str:
    if kind == "tfidf":
        return "a TF-IDF + logistic regression model"
    if kind == "ensemble":
        return f"an average of several `{config.model.name}` models (a cv fold ensemble or a blend)"
    peft = config.model.peft.method
    return f"fine-tuned from `{config.model.name}`" + (f" with {peft}" if peft != "none" else "")


def card_data(config: RunConfig, schema: LabelSchema, metrics: dict[str, Any], name: str) -> Any:
    """The YAML header as ``huggingface_hub.ModelCardData``."""
    from huggingface_hub import EvalResult, ModelCardData

    base = CATALOGUE.get(config.model.name)
    dataset = DATASETS.get(config.data.preset)
    task_name = "Multi-label emotion classification" if schema.task == "multilabel" else "Emotion classification"
    results = [
        EvalResult(task_type="text-classification", task_name=task_name, dataset_type=dataset or config.data.preset,
                   dataset_name=config.data.preset, dataset_split="validation", metric_type=kind,
                   metric_value=round(values[key], 4), metric_name=f"{title} ({where})")
        for where, values in _scores(metrics) for key, kind, title in METRICS if key in values
    ]  # fmt: skip
    return ModelCardData(
        language=config.preprocess.language, license=base.licence_id if base else "unknown",
        library_name="emotune",
        pipeline_tag="text-classification", tags=["emotion", "emotune", schema.task], datasets=[dataset] if dataset
        else None, base_model=base.base_model if base else None, model_name=name, eval_results=results or None,
    )  # fmt: skip


def model_card(config: RunConfig, schema: LabelSchema, calibrator: ThresholdCalibrator, metrics: dict[str, Any],
               kind: str, name: str = "model") -> str:  # fmt: skip
    """The bundle's ``README.md``: YAML header, then the body above."""
    state = calibrator.to_dict()
    values = state.get("thresholds") if schema.task == "multilabel" else state.get("offsets")
    default = config.thresholds.default if schema.task == "multilabel" else 0.0
    decisions = [(label, f"{v:.3f}") for label, v in zip(schema.names, values or [default] * schema.n_labels,
                                                             strict=True)]  # fmt: skip
    if schema.task == "multilabel":
        strategy = f"`{state['strategy']}`"
        if state["strategy"] == "auto" and state.get("held_out"):
            scores = ", ".join(f"{k} {v:.3f}" for k, v in state["held_out"].items())
            strategy += f", which chose `{state['chosen']}` (held out on halves of validation: {scores})"
        elif state["strategy"] == "auto":
            strategy += f", which kept `{state.get('chosen') or 'fixed'}`: too few validation rows to test tuning"
        note = (f"A label is predicted when its probability reaches its threshold (strategy {strategy}, "
                f"objective `{state['objective']}`, fitted on validation probabilities).")  # fmt: skip
        if state.get("min_labels_fitted"):
            note += (f" Every text gets at least {state['min_labels_fitted']} label(s): where too few reach their "
                     "thresholds, those nearest their thresholds are added.")  # fmt: skip
    else:
        note = f"Decision `{state.get('decision', 'argmax')}`: the top class after the per-class log-offsets above."
    train, loss, base = config.train, config.train.loss, CATALOGUE.get(config.model.name)
    recipe = [
        ("model kind", kind),
        *([("base model", f"`{base.base_model}`, {base.licence}")] if base else []),
        ("data", f"preset `{config.data.preset}`"),
        ("loss", f"{loss.name} (pos_weight {loss.pos_weight}, class_weight {loss.class_weight})"),
        (
            "optimisation",
            f"lr {train.lr}, {train.epochs} epochs, batch {train.batch_size}, warmup {train.warmup_ratio},"
            f" {train.scheduler} schedule, precision {train.precision}, seed {train.seed}",
        ),
        ("inputs", f"max_length {config.model.max_length}, label-aware {config.model.label_aware}"),
        ("emotune config", "the full resolved config is in `emotune.json` (key `config`)"),
    ]
    rows = ", ".join(f"{metrics[k]} {k.removesuffix('_rows')} rows" for k in ("train_rows", "dev_rows")
                     if isinstance(metrics.get(k), int)) or "the data named above"  # fmt: skip
    env = Environment(undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True, autoescape=False)
    body = env.from_string(BODY).render(
        name=name, task=schema.task, labels=schema.names, origin=_origin(config, kind),
        language_name={"en": "English", "ru": "Russian", "it": "Italian"}.get(config.preprocess.language,
                                                                             config.preprocess.language),
        preset=config.data.preset if config.data.preset != "generic" else "", decisions=decisions,
        decision_note=note, scores=_scores(metrics), metric_names=METRICS, recipe=recipe, rows=rows,
    )  # fmt: skip
    return f"---\n{card_data(config, schema, metrics, name).to_yaml()}\n---\n\n{body}"
