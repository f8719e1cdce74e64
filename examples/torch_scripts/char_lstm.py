"""A character-level LSTM language model on Shakespeare's sonnets (the bundled data/text/sonnets.txt),
in the manner of PyTorch's word_language_model example and char-rnn.

The text is encoded as character ids; the first 90% trains the model and the last 10% evaluates it.
Each step trains on a batch of random windows with truncated backpropagation through
``--seq-len`` characters: Embedding -> 2-layer LSTM -> Linear, cross-entropy, Adam, gradient
clipping. At the end the model writes a short sample and prints ``FINAL loss=... perplexity=...``
(per character, on the held-out text).
"""
import argparse
import math
import os

import torch
import torch.nn as nn
import torch.nn.functional as F

DEFAULT_TEXT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "data", "text",
                            "sonnets.txt")


class Corpus:
    """The characters of a text file as a 1-D tensor of ids, split into training and validation."""

    def __init__(self, path, valid_fraction=0.1):
        with open(path, encoding="utf-8") as f:
            text = f.read()
        self.chars = sorted(set(text))
        self.char_to_id = {c: i for i, c in enumerate(self.chars)}
        ids = torch.tensor([self.char_to_id[c] for c in text], dtype=torch.long)
        split = int(len(ids) * (1 - valid_fraction))
        self.train, self.valid = ids[:split], ids[split:]

    def decode(self, ids):
        return "".join(self.chars[i] for i in ids)


class CharLSTM(nn.Module):
    def __init__(self, vocab_size, embed_size, hidden_size, num_layers, dropout):
        super().__init__()
        self.encoder = nn.Embedding(vocab_size, embed_size)
        self.rnn = nn.LSTM(embed_size, hidden_size, num_layers, dropout=dropout, batch_first=True)
        self.drop = nn.Dropout(dropout)
        self.decoder = nn.Linear(hidden_size, vocab_size)

    def forward(self, input, hidden=None):
        output, hidden = self.rnn(self.encoder(input), hidden)
        return self.decoder(self.drop(output)), hidden


def random_batch(data, batch_size, seq_len):
    """``batch_size`` windows of ``seq_len`` characters at random offsets, and the same shifted by one."""
    starts = torch.randint(0, len(data) - seq_len - 1, (batch_size,))
    offsets = torch.arange(seq_len)
    idx = starts.unsqueeze(1) + offsets
    return data[idx], data[idx + 1]


def evaluate(model, data, seq_len):
    """Mean cross-entropy per character over ``data``, read in consecutive windows."""
    model.eval()
    total, count, hidden = 0.0, 0, None
    with torch.no_grad():
        for i in range(0, len(data) - 1, seq_len):
            n = min(seq_len, len(data) - 1 - i)
            input = data[i:i + n].unsqueeze(0)
            target = data[i + 1:i + 1 + n].unsqueeze(0)
            output, hidden = model(input, hidden)
            total += F.cross_entropy(output.view(-1, output.size(-1)), target.view(-1), reduction="sum").item()
            count += n
    return total / count


def sample(model, corpus, prime, length, temperature):
    model.eval()
    ids = [corpus.char_to_id[c] for c in prime]
    with torch.no_grad():
        output, hidden = model(torch.tensor([ids]))
        for _ in range(length):
            probs = F.softmax(output[0, -1] / temperature, dim=-1)
            next_id = torch.multinomial(probs, 1).item()
            ids.append(next_id)
            output, hidden = model(torch.tensor([[next_id]]), hidden)
    return corpus.decode(ids)


def main():
    parser = argparse.ArgumentParser(description="Character-level LSTM language model")
    parser.add_argument("--text", default=DEFAULT_TEXT, help="training text (default: the bundled sonnets)")
    parser.add_argument("--steps", type=int, default=2000, help="training steps (default: 2000)")
    parser.add_argument("--batch-size", type=int, default=32, help="windows per batch (default: 32)")
    parser.add_argument("--seq-len", type=int, default=64, help="characters per window (default: 64)")
    parser.add_argument("--hidden", type=int, default=256, help="LSTM hidden size (default: 256)")
    parser.add_argument("--layers", type=int, default=2, help="LSTM layers (default: 2)")
    parser.add_argument("--dropout", type=float, default=0.2, help="dropout (default: 0.2)")
    parser.add_argument("--lr", type=float, default=2e-3, help="Adam learning rate (default: 2e-3)")
    parser.add_argument("--clip", type=float, default=1.0, help="gradient norm clip (default: 1.0)")
    parser.add_argument("--log-interval", type=int, default=100, help="steps between reports")
    parser.add_argument("--sample-length", type=int, default=200, help="characters to generate")
    parser.add_argument("--seed", type=int, default=1111, help="random seed (default: 1111)")
    args = parser.parse_args()
    torch.manual_seed(args.seed)

    corpus = Corpus(args.text)
    print(f"{len(corpus.train)} training and {len(corpus.valid)} validation characters, "
          f"vocabulary of {len(corpus.chars)}")
    model = CharLSTM(len(corpus.chars), 64, args.hidden, args.layers, args.dropout)
    optimizer = torch.optim.Adam(model.parameters(), lr=args.lr)
    criterion = nn.CrossEntropyLoss()

    running = 0.0
    for step in range(1, args.steps + 1):
        model.train()
        input, target = random_batch(corpus.train, args.batch_size, args.seq_len)
        optimizer.zero_grad()
        output, _ = model(input)
        loss = criterion(output.reshape(-1, len(corpus.chars)), target.reshape(-1))
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), args.clip)
        optimizer.step()
        running += loss.item()
        if step % args.log_interval == 0:
            print(f"step {step:5d} | train loss {running / args.log_interval:.4f}")
            running = 0.0

    print(sample(model, corpus, "Shall I ", args.sample_length, temperature=0.8))
    valid_loss = evaluate(model, corpus.valid, args.seq_len)
    print(f"FINAL loss={valid_loss:.4f} perplexity={math.exp(valid_loss):.2f}")


if __name__ == "__main__":
    main()
