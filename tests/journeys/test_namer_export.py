"""`journeys namer export`: the merged checkpoint loads with plain transformers and names as the tuned backend.

The export is the full-precision model (what a GPU server runs); on a CPU the tuned backend quantises its
output layer and computes the rest in bfloat16 where the CPU can, which keeps the names of the full-precision
model for most groups and near ones for the others (checked here too).
"""

import json

import pytest

from journeys.naming.backends import SHIPPED_ADAPTER, NamingRequest, TunedNamer, with_keywords
from journeys.naming.export import EXPORT_MANIFEST, export_namer
from journeys.naming.language_model import LanguageModel
from journeys.naming.training import tuned_prompt

pytestmark = pytest.mark.slow

GROUPS = [
    NamingRequest(["Ukulele chords for beginners", "Strumming patterns on the ukulele", "Fingerpicking ukulele songs"],
                  ["ukulele"]),
    NamingRequest(["Sourdough starter from scratch", "Shaping a sourdough loaf", "Why my bread is dense"],
                  ["sourdough"]),
    NamingRequest(["Rust ownership explained", "Borrow checker errors", "Lifetimes in Rust"], ["rust"]),
    NamingRequest(["Toy Story", "Shrek", "Monsters, Inc.", "Ice Age"], ["animation", "children"]),
]


def test_the_export_is_a_plain_checkpoint_that_names_exactly_as_the_tuned_backend(model_cache, tmp_path):
    from transformers import AutoModelForCausalLM, AutoTokenizer

    output = export_namer(model_cache, SHIPPED_ADAPTER, tmp_path / "namer")

    files = {path.name for path in output.iterdir()}
    assert "config.json" in files and "tokenizer_config.json" in files
    assert any(name.endswith(".safetensors") for name in files), files
    assert not any(name.startswith("adapter_") for name in files), "the adapter must be merged, not shipped beside"
    manifest = json.loads((output / EXPORT_MANIFEST).read_text())
    assert manifest["serve"].startswith(f"vllm serve {output}")
    assert not (tmp_path / "namer.partial").exists()

    # Loaded as any server would: transformers alone, no peft, no Journeys code.
    exported = LanguageModel(AutoModelForCausalLM.from_pretrained(output).eval(),
                             AutoTokenizer.from_pretrained(output), "cpu")
    tuned = TunedNamer(model_cache, device="cpu", quantized=False)  # full precision, as on a GPU
    prompts = [tuned_prompt(group.titles) for group in GROUPS]
    proposed = [[text for text, _ in answers] for answers in exported.candidates(prompts, tuned.candidates, 16)]
    from_export = tuned.chooser.choose(GROUPS, with_keywords(GROUPS, proposed, tuned.backend), tuned.backend)

    assert [n.name for n in from_export] == [n.name for n in tuned.name_many(GROUPS)]


def test_on_a_cpu_the_output_layer_is_int8_the_body_bfloat16_where_the_cpu_has_it_and_names_stay_close(model_cache):
    import torch

    from journeys.naming.language_model import has_bfloat16_instructions, load_tuned_model
    from journeys.naming.rules import _word_keys

    cpu = load_tuned_model(model_cache, SHIPPED_ADAPTER, "cpu").model
    assert isinstance(cpu.lm_head, torch.ao.nn.quantized.dynamic.Linear)
    body = next(cpu.model.parameters()).dtype
    assert body == (torch.bfloat16 if has_bfloat16_instructions() else torch.float32)
    full_model = load_tuned_model(model_cache, SHIPPED_ADAPTER, "cpu", quantized=False).model
    assert isinstance(full_model.lm_head, torch.nn.Linear) and next(full_model.parameters()).dtype == torch.float32

    quantized = [n.name for n in TunedNamer(model_cache, device="cpu").name_many(GROUPS)]
    full = [n.name for n in TunedNamer(model_cache, device="cpu", quantized=False).name_many(GROUPS)]
    pairs = list(zip(quantized, full))
    # Most names are the same; any other one is a near neighbour, about the same thing.
    assert sum(a == b for a, b in pairs) >= len(GROUPS) // 2, pairs
    assert all(set(_word_keys(a)) & set(_word_keys(b)) for a, b in pairs), pairs


def test_an_export_refuses_a_folder_in_use_and_a_missing_adapter(model_cache, tmp_path):
    used = tmp_path / "used"
    used.mkdir()
    (used / "keep.txt").write_text("mine")
    with pytest.raises(ValueError, match="already exists and is not an empty folder"):
        export_namer(model_cache, SHIPPED_ADAPTER, used)
    assert (used / "keep.txt").read_text() == "mine"
    with pytest.raises(ValueError, match="no namer adapter in"):
        export_namer(model_cache, tmp_path / "nowhere", tmp_path / "out")
    assert not (tmp_path / "out").exists()
