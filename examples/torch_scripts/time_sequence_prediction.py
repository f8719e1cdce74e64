"""Learn sine waves with two stacked LSTM cells, then let the model continue them on its own
(pytorch/examples time_sequence_prediction).

The original's generate_sine_wave.py is folded in: N phase-shifted sine waves of L samples with
period 2*pi*T. The first three waves are held out for testing. The model reads a wave step by step
and predicts the next sample; training uses LBFGS (as the original) or Adam, in double precision.
Changes from the original: ``--length``, ``--future`` and ``--optimizer`` flags; no plots; a final
``FINAL loss=...`` line with the test MSE on the held-out waves.
"""
import argparse

import numpy as np
import torch
import torch.nn as nn
import torch.optim as optim


def generate_sine_wave(T=20, L=1000, N=100):
    np.random.seed(2)
    x = np.empty((N, L), 'int64')
    x[:] = np.array(range(L)) + np.random.randint(-4 * T, 4 * T, N).reshape(N, 1)
    return np.sin(x / 1.0 / T).astype('float64')


class Sequence(nn.Module):
    def __init__(self):
        super(Sequence, self).__init__()
        self.lstm1 = nn.LSTMCell(1, 51)
        self.lstm2 = nn.LSTMCell(51, 51)
        self.linear = nn.Linear(51, 1)

    def forward(self, input, future=0):
        outputs = []
        h_t = torch.zeros(input.size(0), 51, dtype=torch.double)
        c_t = torch.zeros(input.size(0), 51, dtype=torch.double)
        h_t2 = torch.zeros(input.size(0), 51, dtype=torch.double)
        c_t2 = torch.zeros(input.size(0), 51, dtype=torch.double)

        for input_t in input.split(1, dim=1):
            h_t, c_t = self.lstm1(input_t, (h_t, c_t))
            h_t2, c_t2 = self.lstm2(h_t, (h_t2, c_t2))
            output = self.linear(h_t2)
            outputs += [output]
        for i in range(future):  # if we should predict the future
            h_t, c_t = self.lstm1(output, (h_t, c_t))
            h_t2, c_t2 = self.lstm2(h_t, (h_t2, c_t2))
            output = self.linear(h_t2)
            outputs += [output]
        outputs = torch.cat(outputs, dim=1)
        return outputs


def main():
    parser = argparse.ArgumentParser(description='PyTorch time sequence prediction')
    parser.add_argument('--steps', type=int, default=15, help='steps to run (default: 15)')
    parser.add_argument('--length', type=int, default=1000, help='samples per sine wave (default: 1000)')
    parser.add_argument('--future', type=int, default=1000,
                        help='samples to predict beyond each test wave (default: 1000)')
    parser.add_argument('--optimizer', choices=['lbfgs', 'adam'], default='lbfgs',
                        help='LBFGS as in the original, or Adam (default: lbfgs)')
    opt = parser.parse_args()
    # set random seed to 0
    np.random.seed(0)
    torch.manual_seed(0)
    # make the data and the training set
    data = generate_sine_wave(L=opt.length)
    input = torch.from_numpy(data[3:, :-1])
    target = torch.from_numpy(data[3:, 1:])
    test_input = torch.from_numpy(data[:3, :-1])
    test_target = torch.from_numpy(data[:3, 1:])
    # build the model
    seq = Sequence()
    seq.double()
    criterion = nn.MSELoss()
    if opt.optimizer == 'lbfgs':
        # use LBFGS as optimizer since we can load the whole data to train
        optimizer = optim.LBFGS(seq.parameters(), lr=0.8)
    else:
        optimizer = optim.Adam(seq.parameters(), lr=0.01)
    # begin to train
    for i in range(opt.steps):
        print('STEP: ', i)

        def closure():
            optimizer.zero_grad()
            out = seq(input)
            loss = criterion(out, target)
            print('loss:', loss.item())
            loss.backward()
            return loss
        optimizer.step(closure)
        # begin to predict, no need to track gradient here
        with torch.no_grad():
            future = opt.future
            pred = seq(test_input, future=future)
            loss = criterion(pred[:, :test_target.size(1)], test_target)
            print('test loss:', loss.item())
            y = pred.detach().numpy()
        print('prediction range: [{:.3f}, {:.3f}]'.format(y.min(), y.max()))
    print(f"FINAL loss={loss.item():.6f}")


if __name__ == '__main__':
    main()
