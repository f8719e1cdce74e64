"""Fit a third-order polynomial to sin(x) with torch.nn (PyTorch tutorials "polynomial_nn" and
"polynomial_optim").

The model is Linear(3, 1) over the features (x, x^2, x^3), flattened to a vector. ``--optimizer
manual`` updates the weights by hand as in "polynomial_nn"; ``rmsprop`` (the default) and ``sgd`` use
torch.optim as in "polynomial_optim".
"""
import argparse
import math

import torch


def main():
    parser = argparse.ArgumentParser(description="PyTorch polynomial regression with nn and optim")
    parser.add_argument("--steps", type=int, default=2000, help="optimisation steps (default: 2000)")
    parser.add_argument("--optimizer", choices=["manual", "sgd", "rmsprop"], default="rmsprop",
                        help="how to update the weights (default: rmsprop)")
    parser.add_argument("--seed", type=int, default=1, help="random seed (default: 1)")
    args = parser.parse_args()
    torch.manual_seed(args.seed)

    x = torch.linspace(-math.pi, math.pi, 2000)
    y = torch.sin(x)

    # Prepare the input tensor (x, x^2, x^3): xx has shape (2000, 3).
    p = torch.tensor([1, 2, 3])
    xx = x.unsqueeze(-1).pow(p)

    model = torch.nn.Sequential(
        torch.nn.Linear(3, 1),
        torch.nn.Flatten(0, 1)
    )
    loss_fn = torch.nn.MSELoss(reduction="sum")

    if args.optimizer == "rmsprop":
        optimizer = torch.optim.RMSprop(model.parameters(), lr=1e-3)
    elif args.optimizer == "sgd":
        optimizer = torch.optim.SGD(model.parameters(), lr=1e-6, momentum=0.9)
    else:
        optimizer = None
    learning_rate = 1e-6

    for t in range(args.steps):
        y_pred = model(xx)
        loss = loss_fn(y_pred, y)
        if t % 100 == 99:
            print(t, loss.item())

        if optimizer is None:
            model.zero_grad()
            loss.backward()
            with torch.no_grad():
                for param in model.parameters():
                    param -= learning_rate * param.grad
        else:
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()

    linear_layer = model[0]
    print(f"Result: y = {linear_layer.bias.item()} + {linear_layer.weight[:, 0].item()} x + "
          f"{linear_layer.weight[:, 1].item()} x^2 + {linear_layer.weight[:, 2].item()} x^3")
    with torch.no_grad():
        final = loss_fn(model(xx), y).item()
    print(f"FINAL loss={final:.4f}")


if __name__ == "__main__":
    main()
