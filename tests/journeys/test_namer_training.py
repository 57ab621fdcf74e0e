"""Fine-tuning the namer on the real base model: the loss, a short run, and the tuned backend."""

import pytest

from journeys.naming.backends import NamingRequest, TunedNamer
from journeys.naming.data import NamingExample
from journeys.naming.rules import NEUTRAL_NAME
from journeys.naming.training import TrainingConfig, answer_loss, encode, train_adapter, tuned_prompt

pytestmark = pytest.mark.slow

EXAMPLES = [
    NamingExample("written", f"w{i}", f"w{i}", titles, name, "train")
    for i, (titles, name) in enumerate([
        (["Knitting socks toe-up", "Heel flap vs short row heel", "Best sock yarn"], "knitting socks"),
        (["Pruning apple trees in winter", "When to prune a plum tree", "Pruning saw review"], "pruning fruit trees"),
        (["Docker compose tutorial", "Dockerfile best practices", "docker volumes explained"], "docker for developers"),
        (["Trail running shoes 2026", "Downhill running technique", "Ultra trail nutrition"], "trail running"),
    ])
]


@pytest.fixture(scope="module")
def cache(model_cache):
    return model_cache


def test_the_answer_only_loss_equals_the_full_masked_loss(cache):
    import torch
    from peft import LoraConfig, get_peft_model
    from transformers import AutoModelForCausalLM, AutoTokenizer

    from journeys.naming.language_model import checkpoint_dir

    path = checkpoint_dir(cache)
    tokenizer = AutoTokenizer.from_pretrained(path)
    model = get_peft_model(AutoModelForCausalLM.from_pretrained(path, dtype=torch.float32),
                           LoraConfig(r=4, target_modules=["q_proj"], task_type="CAUSAL_LM"))
    batch = encode(tokenizer, EXAMPLES[:2], TrainingConfig(), "cpu")
    labels = torch.where(batch["answer_mask"] == 1, batch["input_ids"], torch.full_like(batch["input_ids"], -100))
    with torch.no_grad():
        full = model(input_ids=batch["input_ids"], attention_mask=batch["attention_mask"], labels=labels).loss
        fast = answer_loss(model, batch)
    assert float(fast) == pytest.approx(float(full), rel=1e-4)


def test_a_short_training_run_saves_an_adapter_the_tuned_namer_uses(cache, tmp_path):
    config = TrainingConfig(steps=4, batch_size=2, warmup_steps=1, device="cpu")
    log = train_adapter(EXAMPLES, EXAMPLES[:2], config, cache, tmp_path / "adapter")
    assert (tmp_path / "adapter" / "adapter_config.json").is_file()
    assert len(log["first_losses"]) == 4 and log["validation_loss"] > 0 and log["trainable_parameters"] > 0
    names = TunedNamer(cache, tmp_path / "adapter", device="cpu").name_many(
        [NamingRequest(["Sourdough starter feeding", "Why is my loaf flat?", "Banneton basket review"])])
    assert names[0].source == "tuned"
    assert names[0].name == NEUTRAL_NAME or 2 <= len(names[0].name.split()) <= 6


def test_the_tuned_namer_says_how_to_get_an_adapter_when_none_is_there(cache, tmp_path):
    with pytest.raises(ValueError, match="journeys namer train"):
        TunedNamer(cache, tmp_path / "missing").name_many([NamingRequest(["a b", "c d"])])


def test_the_tuned_prompt_holds_only_the_titles():
    prompt = tuned_prompt(["First title", "Second\ntitle"] + [f"t{i}" for i in range(20)], max_titles=3)
    assert prompt == "Items: First title; Second title; t0\nName:"


def test_an_unknown_config_setting_is_named(tmp_path):
    path = tmp_path / "config.yaml"
    path.write_text("steps: 10\nlearnig_rate: 0.1\n")
    with pytest.raises(ValueError, match="learnig_rate"):
        TrainingConfig.from_file(path)


def test_the_shipped_adapter_names_a_group_it_never_saw(cache):
    from journeys.naming.backends import SHIPPED_ADAPTER

    [naming] = TunedNamer(cache, SHIPPED_ADAPTER, device="cpu").name_many([NamingRequest([
        "Ukulele chords for absolute beginners", "How to strum reggae upstroke on ukulele",
        "Am F C G progression for beginners", "Best soprano ukulele under $100",
    ])])
    assert naming.source == "tuned" and naming.name != NEUTRAL_NAME, naming
    assert 2 <= len(naming.name.split()) <= 6
