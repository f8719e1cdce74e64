"""Fit y = a + b x + c x^2 + d x^3 to sin(x) on [-pi, pi] by gradient descent, with tensors and
autograd alone (PyTorch's "polynomial_autograd" tutorial, starting from fixed coefficients so that
ember and torch follow the same path). Run it on torch by changing the import."""
import math

import ember as torch


def fit(steps: int = 2000, learning_rate: float = 1e-6) -> float:
    x = torch.linspace(-math.pi, math.pi, 2000)
    y = torch.sin(x)
    a, b, c, d = (torch.tensor(v, requires_grad=True) for v in (0.1, 0.2, -0.1, 0.05))
    for t in range(steps):
        y_pred = a + b * x + c * x ** 2 + d * x ** 3
        loss = (y_pred - y).pow(2).sum()
        if t % 500 == 499:
            print(t, loss.item())
        loss.backward()
        with torch.no_grad():
            for coef in (a, b, c, d):
                coef -= learning_rate * coef.grad
                coef.grad = None
    print(f"Result: y = {a.item()} + {b.item()} x + {c.item()} x^2 + {d.item()} x^3")
    return loss.item()


if __name__ == "__main__":
    fit()
