"""Fine-tuning the namer: LoRA on Gemma 3 270M, trained to name a group from its titles alone.

The tuned model needs no examples in its prompt ("Items: t1; t2; ...\\nName:"), which keeps
prompts short. Training is seeded and driven by a config file; the loss only needs the
few answer tokens, so the output layer (262k words) is applied at those positions only.
"""

from __future__ import annotations

import json
import math
import random
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import yaml

from journeys.naming.data import NamingExample
from journeys.naming.language_model import BASE_MODEL

ADAPTER_CONFIG = "journeys_namer.json"


@dataclass
class TrainingConfig:
    """Everything a training run depends on; saved next to the adapter."""

    seed: int = 0
    steps: int = 600
    batch_size: int = 8
    learning_rate: float = 3e-4
    warmup_steps: int = 30
    lora_r: int = 8
    lora_alpha: int = 16
    lora_dropout: float = 0.05
    target_modules: list[str] = field(default_factory=lambda: ["q_proj", "k_proj", "v_proj", "o_proj"])
    max_titles: int = 8
    max_title_chars: int = 80
    # How often an example of each source is drawn, relative to the others.
    source_weights: dict[str, float] = field(default_factory=lambda: {"lastfm": 1.0, "movielens": 1.0, "written": 4.0})
    # At most this many training groups per name and source (None: all). Users tag with a few
    # names far more than others ("alternative rock" 146 times); uncapped, the model learns
    # to answer them whatever the group.
    max_per_name: int | None = None
    device: str = "auto"

    @classmethod
    def from_file(cls, path: Path) -> "TrainingConfig":
        """A config from a YAML file; unknown keys are an error that names them."""
        values = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        unknown = set(values) - set(cls.__dataclass_fields__)
        if unknown:
            raise ValueError(f"{path}: unknown setting(s) {', '.join(sorted(unknown))}; "
                             f"known ones are {', '.join(cls.__dataclass_fields__)}")
        return cls(**values)


def tuned_prompt(titles: Sequence[str], max_titles: int = 8, max_title_chars: int = 80) -> str:
    """The tuned namer's prompt: the group's titles only, no examples."""
    shown = [t.strip().replace("\n", " ")[:max_title_chars] for t in list(titles)[:max_titles]]
    return "Items: " + "; ".join(shown) + "\nName:"


def cap_per_name(examples: Sequence[NamingExample], cap: int | None) -> list[NamingExample]:
    """At most `cap` examples per (source, name), the kept ones fixed by a hash of their group id."""
    if cap is None:
        return list(examples)
    import hashlib

    by_name: dict[tuple[str, str], list[NamingExample]] = {}
    for example in examples:
        by_name.setdefault((example.source, example.name.strip().lower()), []).append(example)
    kept = {id(e) for group in by_name.values()
            for e in sorted(group, key=lambda e: hashlib.sha1(e.group_id.encode("utf-8")).hexdigest())[:cap]}
    return [e for e in examples if id(e) in kept]


def _weighted_sampler(examples: Sequence[NamingExample], weights: dict[str, float], rng: random.Random):
    by_source: dict[str, list[NamingExample]] = {}
    for example in examples:
        by_source.setdefault(example.source, []).append(example)
    sources = [s for s in by_source if weights.get(s, 1.0) > 0]
    source_weights = [weights.get(s, 1.0) for s in sources]

    def draw() -> NamingExample:
        return rng.choice(by_source[rng.choices(sources, source_weights)[0]])

    return draw


def answer_loss(model: Any, batch: dict[str, Any]) -> Any:
    """Cross-entropy of the answer tokens only, applying the output layer at those positions alone."""
    import torch

    base = model.get_base_model()
    hidden = base.model(input_ids=batch["input_ids"], attention_mask=batch["attention_mask"]).last_hidden_state
    # The token at position t+1 is predicted from the hidden state at t.
    rows, cols = torch.nonzero(batch["answer_mask"][:, 1:], as_tuple=True)
    logits = base.lm_head(hidden[rows, cols])
    targets = batch["input_ids"][rows, cols + 1]
    return torch.nn.functional.cross_entropy(logits.float(), targets)


def encode(tokenizer: Any, examples: Sequence[NamingExample], config: TrainingConfig, device: str) -> dict[str, Any]:
    """Token ids of prompt + answer for a batch, with a mask of the answer tokens (right-padded)."""
    import torch

    sequences, masks = [], []
    for example in examples:
        prompt = tokenizer(tuned_prompt(example.titles, config.max_titles, config.max_title_chars))["input_ids"]
        answer = tokenizer(" " + example.name + "\n", add_special_tokens=False)["input_ids"]
        sequences.append(prompt + answer)
        masks.append([0] * len(prompt) + [1] * len(answer))
    width = max(map(len, sequences))
    pad = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else 0
    ids = torch.tensor([s + [pad] * (width - len(s)) for s in sequences], device=device)
    attention = torch.tensor([[1] * len(s) + [0] * (width - len(s)) for s in sequences], device=device)
    answer = torch.tensor([m + [0] * (width - len(m)) for m in masks], device=device)
    return {"input_ids": ids, "attention_mask": attention, "answer_mask": answer}


def train_adapter(
    examples: Sequence[NamingExample],
    validation: Sequence[NamingExample],
    config: TrainingConfig,
    cache: Path,
    output: Path,
    on_step: Callable[[int, float], None] | None = None,
) -> dict[str, Any]:
    """Train a LoRA adapter on the examples and save it (with its config and log) in output."""
    import torch
    from peft import LoraConfig, get_peft_model
    from transformers import AutoModelForCausalLM, AutoTokenizer

    from journeys.naming.language_model import checkpoint_dir
    from journeys.settings import resolve_device

    examples = cap_per_name(examples, config.max_per_name)
    random.seed(config.seed)
    torch.manual_seed(config.seed)
    device = resolve_device(config.device)
    path = checkpoint_dir(cache)
    tokenizer = AutoTokenizer.from_pretrained(path)
    base = AutoModelForCausalLM.from_pretrained(path, dtype=torch.float32).to(device)
    model = get_peft_model(base, LoraConfig(
        r=config.lora_r, lora_alpha=config.lora_alpha, lora_dropout=config.lora_dropout,
        target_modules=config.target_modules, task_type="CAUSAL_LM",
    ))
    trainable = [p for p in model.parameters() if p.requires_grad]
    optimizer = torch.optim.AdamW(trainable, lr=config.learning_rate)

    def rate(step: int) -> float:
        if step < config.warmup_steps:
            return (step + 1) / config.warmup_steps
        return 0.5 * (1 + math.cos(math.pi * (step - config.warmup_steps) / max(1, config.steps - config.warmup_steps)))

    scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, rate)
    draw = _weighted_sampler(examples, config.source_weights, random.Random(config.seed))
    losses, start = [], time.perf_counter()
    model.train()
    for step in range(config.steps):
        batch = encode(tokenizer, [draw() for _ in range(config.batch_size)], config, device)
        loss = answer_loss(model, batch)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        scheduler.step()
        losses.append(float(loss))
        if on_step:
            on_step(step, float(loss))
    seconds = time.perf_counter() - start
    model.eval()
    with torch.no_grad():
        validation_loss = [
            float(answer_loss(model, encode(tokenizer, validation[i:i + config.batch_size], config, device)))
            for i in range(0, len(validation), config.batch_size)
        ]
    output.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(output)
    # The base is found through the cache at load time; don't ship this machine's cache path.
    adapter_config = json.loads((output / "adapter_config.json").read_text(encoding="utf-8"))
    adapter_config["base_model_name_or_path"] = BASE_MODEL
    (output / "adapter_config.json").write_text(json.dumps(adapter_config, indent=2) + "\n", encoding="utf-8")
    (output / "README.md").unlink(missing_ok=True)  # peft's empty card; the project writes its own
    log = {
        "config": asdict(config),
        "examples": {s: sum(e.source == s for e in examples) for s in sorted({e.source for e in examples})},
        "validation_examples": len(validation),
        "train_seconds": seconds,
        "seconds_per_step": seconds / max(1, config.steps),
        "first_losses": losses[:10],
        "last_losses": losses[-10:],
        "validation_loss": sum(validation_loss) / len(validation_loss) if validation_loss else None,
        "trainable_parameters": sum(p.numel() for p in trainable),
        "device": device,
    }
    (output / ADAPTER_CONFIG).write_text(json.dumps(log, indent=2) + "\n", encoding="utf-8")
    return log
