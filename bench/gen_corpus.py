"""Deterministic benchmark corpus: files of 2-20 KB of real French prose (Debian's
manpages-fr, see french_prose.py), wrapped at 80 columns, with machine-translation
artifacts injected about once per 2 KB, mixing apostrophes (' and ’) and case.

    python3 bench/gen_corpus.py OUT_DIR --size-mb 100 --seed 1
"""
import argparse
import pathlib
import random
import textwrap

from french_prose import prose

# Sentences with artifacts, as the shipped glossaries' examples show them, and bare
# mangled names dropped into prose.
SENTENCES = [
    "Les modèles de l'IA profonde de la Chine coûtent peu.",
    "Construit sur la profondeur open-source-v3, il consomme peu.",
    "Selon Nvidia, la profondeur a lancé un chatbot.",
    "Nvidia a connu l'automne la plus forte, avec une baisse de 16 %.",
    "Trump a qualifié DeepSeek de réveiller pour l'industrie.",
    "Bien que cette réclamation ait été contestée, les investisseurs doutent.",
    "Ce processus violie les conditions d'utilisation.",
    "Les données des sociétés d'IA américaines à la tête.",
    "Une décision d'un bureau de droit d'auteur américain a tout changé.",
    "Microsoft, Meta Plateformes et Alphabet ont reculé.",
]
NAMES = ["Openai", "Chatgpt", "chatppt", "Deepseek", "Chat GPT", "Deep Seek", "chatgtp"]


def vary(text, rng):
    """Typographic apostrophes half of the time; capitals or upper case now and then."""
    if rng.random() < 0.5:
        text = text.replace("'", "\u2019")
    roll = rng.random()
    if roll < 0.1:
        text = text.upper()
    elif roll < 0.3:
        text = text[:1].upper() + text[1:]
    return text


def inject(paragraph, rng):
    """The paragraph with an artifact sentence or name put in."""
    sentences = paragraph.split(". ")
    at = rng.randrange(len(sentences) + 1)
    if rng.random() < 0.5:
        sentences.insert(at, vary(rng.choice(SENTENCES), rng).rstrip("."))
    else:
        words = paragraph.split(" ")
        words.insert(rng.randrange(len(words) + 1), "selon " + vary(rng.choice(NAMES), rng))
        return " ".join(words)
    return ". ".join(sentences)


def article(paragraphs, size, rng):
    parts, length, budget = [], 0, 0.0
    while length < size:
        paragraph = rng.choice(paragraphs)
        budget += len(paragraph) / 2048
        while budget >= 1:
            paragraph = inject(paragraph, rng)
            budget -= 1
        wrapped = textwrap.fill(paragraph, 80, break_long_words=False, break_on_hyphens=False)
        parts.append(wrapped)
        length += len(wrapped.encode()) + 2
    return "\n\n".join(parts) + "\n"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=pathlib.Path)
    parser.add_argument("--size-mb", type=float, default=100)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    paragraphs = prose()
    total, index = 0, 0
    target = int(args.size_mb * 1_000_000)
    while total < target:
        text = article(paragraphs, rng.randint(2_000, 20_000), rng)
        path = args.out / f"{index % 100:02d}" / f"article-{index:06d}.txt"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        total += len(text.encode())
        index += 1
    print(f"{index} articles, {total / 1e6:.1f} MB in {args.out}")


if __name__ == "__main__":
    main()
