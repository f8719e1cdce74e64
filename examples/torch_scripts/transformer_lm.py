"""A small Transformer language model over the characters of Shakespeare's sonnets (the bundled
data/text/sonnets.txt), following PyTorch's tutorial "Language Modeling with nn.Transformer".

Embedding scaled by sqrt(d_model), sinusoidal PositionalEncoding, nn.TransformerEncoder with the
causal mask from nn.Transformer.generate_square_subsequent_mask, and a linear decoder; trained with
SGD, gradient clipping and a StepLR schedule on batchified text with truncated windows of ``--bptt``.
Changes from the tutorial: characters instead of WikiText-2 words (no torchtext), flags for the sizes,
``--batches`` (cap per epoch), and a final ``FINAL loss=... perplexity=...`` line (per character, on
the held-out last 10% of the text).
"""
import argparse
import math
import os
import time

import torch
from torch import nn, Tensor
from torch.nn import TransformerEncoder, TransformerEncoderLayer

DEFAULT_TEXT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "data", "text",
                            "sonnets.txt")


class TransformerModel(nn.Module):

    def __init__(self, ntoken: int, d_model: int, nhead: int, d_hid: int,
                 nlayers: int, dropout: float = 0.5):
        super().__init__()
        self.model_type = 'Transformer'
        self.pos_encoder = PositionalEncoding(d_model, dropout)
        encoder_layers = TransformerEncoderLayer(d_model, nhead, d_hid, dropout)
        self.transformer_encoder = TransformerEncoder(encoder_layers, nlayers)
        self.embedding = nn.Embedding(ntoken, d_model)
        self.d_model = d_model
        self.linear = nn.Linear(d_model, ntoken)

        self.init_weights()

    def init_weights(self) -> None:
        initrange = 0.1
        self.embedding.weight.data.uniform_(-initrange, initrange)
        self.linear.bias.data.zero_()
        self.linear.weight.data.uniform_(-initrange, initrange)

    def forward(self, src: Tensor, src_mask: Tensor = None) -> Tensor:
        """
        Arguments:
            src: Tensor, shape ``[seq_len, batch_size]``
            src_mask: Tensor, shape ``[seq_len, seq_len]``

        Returns:
            output Tensor of shape ``[seq_len, batch_size, ntoken]``
        """
        src = self.embedding(src) * math.sqrt(self.d_model)
        src = self.pos_encoder(src)
        if src_mask is None:
            # Generates a square causal mask for the sequence: the masked positions are filled
            # with float('-inf'), unmasked positions with float(0.0).
            src_mask = nn.Transformer.generate_square_subsequent_mask(len(src))
        output = self.transformer_encoder(src, src_mask)
        output = self.linear(output)
        return output


class PositionalEncoding(nn.Module):

    def __init__(self, d_model: int, dropout: float = 0.1, max_len: int = 5000):
        super().__init__()
        self.dropout = nn.Dropout(p=dropout)

        position = torch.arange(max_len).unsqueeze(1)
        div_term = torch.exp(torch.arange(0, d_model, 2) * (-math.log(10000.0) / d_model))
        pe = torch.zeros(max_len, 1, d_model)
        pe[:, 0, 0::2] = torch.sin(position * div_term)
        pe[:, 0, 1::2] = torch.cos(position * div_term)
        self.register_buffer('pe', pe)

    def forward(self, x: Tensor) -> Tensor:
        """
        Arguments:
            x: Tensor, shape ``[seq_len, batch_size, embedding_dim]``
        """
        x = x + self.pe[:x.size(0)]
        return self.dropout(x)


def load_characters(path):
    """The text's characters as ids, its sorted alphabet, and a 90/10 train/validation split."""
    with open(path, encoding="utf-8") as f:
        text = f.read()
    vocab = sorted(set(text))
    stoi = {c: i for i, c in enumerate(vocab)}
    data = torch.tensor([stoi[c] for c in text], dtype=torch.long)
    split = int(0.9 * len(data))
    return vocab, data[:split], data[split:]


def batchify(data: Tensor, bsz: int) -> Tensor:
    """Divides the data into ``bsz`` separate sequences, removing extra elements
    that wouldn't cleanly fit.

    Arguments:
        data: Tensor, shape ``[N]``
        bsz: int, batch size

    Returns:
        Tensor of shape ``[N // bsz, bsz]``
    """
    seq_len = data.size(0) // bsz
    data = data[:seq_len * bsz]
    data = data.view(bsz, seq_len).t().contiguous()
    return data


def get_batch(source: Tensor, i: int, bptt: int):
    """
    Arguments:
        source: Tensor, shape ``[full_seq_len, batch_size]``
        i: int

    Returns:
        tuple (data, target), where data has shape ``[seq_len, batch_size]`` and
        target has shape ``[seq_len * batch_size]``
    """
    seq_len = min(bptt, len(source) - 1 - i)
    data = source[i:i+seq_len]
    target = source[i+1:i+1+seq_len].reshape(-1)
    return data, target


def train(model, train_data, criterion, optimizer, scheduler, epoch, args, ntokens):
    model.train()  # turn on train mode
    total_loss = 0.
    start_time = time.time()

    num_batches = len(train_data) // args.bptt
    for batch, i in enumerate(range(0, train_data.size(0) - 1, args.bptt)):
        if args.batches is not None and batch >= args.batches:
            break
        data, targets = get_batch(train_data, i, args.bptt)
        output = model(data)
        output_flat = output.view(-1, ntokens)
        loss = criterion(output_flat, targets)

        optimizer.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 0.5)
        optimizer.step()

        total_loss += loss.item()
        if batch % args.log_interval == 0 and batch > 0:
            lr = scheduler.get_last_lr()[0]
            ms_per_batch = (time.time() - start_time) * 1000 / args.log_interval
            cur_loss = total_loss / args.log_interval
            ppl = math.exp(cur_loss)
            print(f'| epoch {epoch:3d} | {batch:5d}/{num_batches:5d} batches | '
                  f'lr {lr:02.2f} | ms/batch {ms_per_batch:5.2f} | '
                  f'loss {cur_loss:5.2f} | ppl {ppl:8.2f}')
            total_loss = 0
            start_time = time.time()


def evaluate(model, eval_data, criterion, bptt, ntokens):
    model.eval()  # turn on evaluation mode
    total_loss = 0.
    with torch.no_grad():
        for i in range(0, eval_data.size(0) - 1, bptt):
            data, targets = get_batch(eval_data, i, bptt)
            seq_len = data.size(0)
            output = model(data)
            output_flat = output.view(-1, ntokens)
            total_loss += seq_len * criterion(output_flat, targets).item()
    return total_loss / (len(eval_data) - 1)


def main():
    parser = argparse.ArgumentParser(description="Transformer character language model")
    parser.add_argument("--text", default=DEFAULT_TEXT, help="training text (default: the bundled sonnets)")
    parser.add_argument("--epochs", type=int, default=20, help="epochs (default: 20)")
    parser.add_argument("--batches", type=int, default=None, help="at most this many batches per epoch")
    parser.add_argument("--batch-size", type=int, default=20, help="training batch size (default: 20)")
    parser.add_argument("--bptt", type=int, default=64, help="window length (default: 64)")
    parser.add_argument("--emsize", type=int, default=128, help="embedding dimension (default: 128)")
    parser.add_argument("--d-hid", type=int, default=256, help="feedforward dimension (default: 256)")
    parser.add_argument("--nlayers", type=int, default=2, help="encoder layers (default: 2)")
    parser.add_argument("--nhead", type=int, default=4, help="attention heads (default: 4)")
    parser.add_argument("--dropout", type=float, default=0.1, help="dropout (default: 0.1)")
    parser.add_argument("--lr", type=float, default=5.0, help="SGD learning rate (default: 5.0)")
    parser.add_argument("--log-interval", type=int, default=10, help="batches between reports")
    parser.add_argument("--seed", type=int, default=42, help="random seed (default: 42)")
    args = parser.parse_args()
    torch.manual_seed(args.seed)

    vocab, train_text, val_text = load_characters(args.text)
    train_data = batchify(train_text, args.batch_size)  # shape ``[seq_len, batch_size]``
    val_data = batchify(val_text, 10)

    ntokens = len(vocab)  # size of vocabulary
    model = TransformerModel(ntokens, args.emsize, args.nhead, args.d_hid, args.nlayers, args.dropout)
    criterion = nn.CrossEntropyLoss()
    optimizer = torch.optim.SGD(model.parameters(), lr=args.lr)
    scheduler = torch.optim.lr_scheduler.StepLR(optimizer, 1.0, gamma=0.95)

    for epoch in range(1, args.epochs + 1):
        epoch_start_time = time.time()
        train(model, train_data, criterion, optimizer, scheduler, epoch, args, ntokens)
        val_loss = evaluate(model, val_data, criterion, args.bptt, ntokens)
        val_ppl = math.exp(val_loss)
        elapsed = time.time() - epoch_start_time
        print('-' * 89)
        print(f'| end of epoch {epoch:3d} | time: {elapsed:5.2f}s | '
              f'valid loss {val_loss:5.2f} | valid ppl {val_ppl:8.2f}')
        print('-' * 89)
        scheduler.step()

    print(f"FINAL loss={val_loss:.4f} perplexity={math.exp(val_loss):.2f}")


if __name__ == "__main__":
    main()
