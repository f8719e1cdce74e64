"""Classify names by their (invented) language with a character-level GRU, in the manner of
PyTorch's tutorial "Classifying Names with a Character-Level RNN".

The names are made up in the script, so nothing needs downloading: each of four languages strings
together two to four syllables, each drawn from the language's own inventory or, half the time, from
a pool all languages share. A name made only of shared syllables could be any language's, so even a
perfect model errs on about one name in ten. Names are padded into batches and packed
with pack_padded_sequence; Embedding -> GRU -> Linear on the last hidden state, trained with Adam on
cross-entropy. Prints ``FINAL loss=... accuracy=...`` on held-out names.
"""
import argparse
import random
import string

import torch
import torch.nn as nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_sequence

LANGUAGES = {
    "Sylvan": ["ae", "lor", "iel", "wen", "thal", "ri", "an", "dil", "gal", "ndor", "el", "ia", "sil", "mir"],
    "Stone": ["thor", "grim", "dur", "bar", "in", "gim", "li", "dwa", "kha", "zar", "um", "ok", "bal", "nor"],
    "Marsh": ["gor", "bag", "ug", "nak", "sha", "grish", "az", "ruk", "ol", "mog", "uk", "zog", "lug", "bur"],
    "Shire": ["bil", "bo", "fro", "do", "sam", "wise", "per", "re", "gryn", "took", "mer", "ry", "lo", "pip"],
}
COMMON = ["ar", "en", "mo", "ta", "ki", "ros", "bel", "dan", "i", "o"]
ALPHABET = string.ascii_lowercase
PAD = 0  # character ids start at 1


def make_names(count, rng):
    """``count`` (name, language index) pairs drawn uniformly over the languages."""
    names = []
    for _ in range(count):
        label = rng.randrange(len(LANGUAGES))
        syllables = list(LANGUAGES.values())[label]
        name = "".join(rng.choice(syllables if rng.random() < 0.5 else COMMON)
                       for _ in range(rng.randint(2, 4)))
        names.append((name.capitalize(), label))
    return names


def encode(name):
    return torch.tensor([ALPHABET.index(c) + 1 for c in name.lower()], dtype=torch.long)


def collate(pairs):
    """Pad a list of (name, label) pairs into a batch: ids (B, T), lengths (B,), labels (B,)."""
    seqs = [encode(name) for name, _ in pairs]
    lengths = torch.tensor([len(s) for s in seqs])
    labels = torch.tensor([label for _, label in pairs])
    return pad_sequence(seqs, batch_first=True, padding_value=PAD), lengths, labels


class NameClassifier(nn.Module):
    def __init__(self, vocab_size, embed_size, hidden_size, num_classes):
        super().__init__()
        self.embedding = nn.Embedding(vocab_size, embed_size, padding_idx=PAD)
        self.gru = nn.GRU(embed_size, hidden_size, batch_first=True)
        self.fc = nn.Linear(hidden_size, num_classes)

    def forward(self, ids, lengths):
        packed = pack_padded_sequence(self.embedding(ids), lengths, batch_first=True, enforce_sorted=False)
        _, hidden = self.gru(packed)
        return self.fc(hidden[-1])


def evaluate(model, names, criterion, batch_size):
    model.eval()
    total_loss, correct = 0.0, 0
    with torch.no_grad():
        for start in range(0, len(names), batch_size):
            ids, lengths, labels = collate(names[start:start + batch_size])
            logits = model(ids, lengths)
            total_loss += criterion(logits, labels).item() * len(labels)
            correct += (logits.argmax(1) == labels).sum().item()
    return total_loss / len(names), correct / len(names)


def main():
    parser = argparse.ArgumentParser(description="GRU name classifier")
    parser.add_argument("--epochs", type=int, default=10, help="training epochs (default: 10)")
    parser.add_argument("--train-size", type=int, default=4000, help="training names (default: 4000)")
    parser.add_argument("--test-size", type=int, default=1000, help="test names (default: 1000)")
    parser.add_argument("--batch-size", type=int, default=64, help="batch size (default: 64)")
    parser.add_argument("--hidden", type=int, default=64, help="GRU hidden size (default: 64)")
    parser.add_argument("--lr", type=float, default=5e-3, help="Adam learning rate (default: 5e-3)")
    parser.add_argument("--seed", type=int, default=0, help="random seed (default: 0)")
    args = parser.parse_args()
    torch.manual_seed(args.seed)
    rng = random.Random(args.seed)

    train_names = make_names(args.train_size, rng)
    test_names = make_names(args.test_size, rng)
    print("examples:", ", ".join(f"{n} ({list(LANGUAGES)[c]})" for n, c in train_names[:5]))

    model = NameClassifier(len(ALPHABET) + 1, 16, args.hidden, len(LANGUAGES))
    criterion = nn.CrossEntropyLoss()
    optimizer = torch.optim.Adam(model.parameters(), lr=args.lr)

    for epoch in range(1, args.epochs + 1):
        model.train()
        rng.shuffle(train_names)
        for start in range(0, len(train_names), args.batch_size):
            ids, lengths, labels = collate(train_names[start:start + args.batch_size])
            optimizer.zero_grad()
            loss = criterion(model(ids, lengths), labels)
            loss.backward()
            optimizer.step()
        test_loss, accuracy = evaluate(model, test_names, criterion, args.batch_size)
        print(f"epoch {epoch}: test loss {test_loss:.4f}, accuracy {100 * accuracy:.1f}%")

    print(f"FINAL loss={test_loss:.4f} accuracy={accuracy:.4f}")


if __name__ == "__main__":
    main()
