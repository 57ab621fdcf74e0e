"""The tuned namer as a standard Hugging Face checkpoint, for a GPU server (vLLM, TGI, transformers).

`journeys namer export --output DIR` writes the base model with the LoRA adapter merged in
(safetensors weights, config, tokenizer) plus a model card saying how to serve it. The
checkpoint needs neither peft nor this package: vLLM and transformers load it as it is,
and `--namer remote` against a server hosting it gives the same names as the local `tuned`
backend (the client builds the prompt and chooses among the candidates, see journeys.naming.backends).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from journeys.naming.language_model import BASE_MODEL, load_tuned_model
from journeys.naming.service import SERVED_MODEL

# Written beside the weights: what the checkpoint is and how the client prompts it.
EXPORT_MANIFEST = "journeys_namer.json"

SERVE_COMMAND = (
    "vllm serve {directory} --served-model-name " + SERVED_MODEL + " --dtype float32 --max-model-len 2048"
)


def export_namer(cache: Path, adapter: Path, output: Path) -> Path:
    """Write the merged tuned namer to `output` (created; an existing non-empty folder is refused).

    The folder is written under a temporary name and renamed at the end, so an interrupted
    export never leaves a half checkpoint under the requested name.
    """
    output = Path(output)
    if output.exists() and (not output.is_dir() or any(output.iterdir())):
        raise ValueError(f"{output} already exists and is not an empty folder; choose a new --output folder")
    if not (Path(adapter) / "adapter_config.json").is_file():
        raise ValueError(f"no namer adapter in {adapter} (adapter_config.json is missing); "
                         "train one with `journeys namer train` or leave --adapter out for the shipped one")
    model = load_tuned_model(cache, Path(adapter), device="cpu", quantized=False)
    partial = output.with_name(output.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir(parents=True)
    model.model.save_pretrained(partial, safe_serialization=True)
    model.tokenizer.save_pretrained(partial)
    manifest = {
        "base_model": BASE_MODEL,
        "adapter": str(adapter),
        "served_model_name": SERVED_MODEL,
        "prompt": "journeys.naming.training.tuned_prompt(titles); stop at the first newline",
        "serve": SERVE_COMMAND.format(directory=output),
    }
    (partial / EXPORT_MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    (partial / "README.md").write_text(_model_card(output, adapter), encoding="utf-8")
    if output.exists():
        output.rmdir()
    partial.rename(output)
    return output


def _model_card(output: Path, adapter: Path) -> str:
    return f"""# Journeys namer (merged checkpoint)

Gemma 3 270M with the Journeys namer LoRA adapter ({adapter}) merged in, saved as a standard
Hugging Face checkpoint (safetensors). It names a group of item titles with a short, specific
interest name; the prompt is built by `journeys.naming.training.tuned_prompt` on the client.

Serve it on a GPU host:

    {SERVE_COMMAND.format(directory=output)}

then name journeys from any machine with:

    journeys extract --namer remote --namer-url http://GPU-HOST:8000

The client asks for several beam-search candidates (OpenAI `n` with vLLM's `use_beam_search`)
and chooses the name locally, so the names are those of the local `tuned` backend.

Gemma is provided under and subject to the Gemma Terms of Use (https://ai.google.dev/gemma/terms).
"""
