"""LeNet-5 on MNIST (as in PyTorch's "Neural Networks" and "Training a Classifier" tutorials): two
5x5 convolutions with max pooling, then three fully connected layers, trained with SGD and momentum
on cross-entropy. The 28x28 digits are padded to LeNet's 32x32 by the first convolution."""
import argparse
import os

import torch
import torch.nn as nn
import torch.nn.functional as F
import torch.optim as optim
from torchvision import datasets, transforms

DEFAULT_DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "data", "mnist")


class LeNet(nn.Module):

    def __init__(self):
        super().__init__()
        # 1 input image channel, 6 output channels, 5x5 square convolution kernel
        self.conv1 = nn.Conv2d(1, 6, 5, padding=2)
        self.conv2 = nn.Conv2d(6, 16, 5)
        # an affine operation: y = Wx + b
        self.fc1 = nn.Linear(16 * 5 * 5, 120)  # 5*5 from image dimension
        self.fc2 = nn.Linear(120, 84)
        self.fc3 = nn.Linear(84, 10)

    def forward(self, x):
        # Max pooling over a (2, 2) window
        x = F.max_pool2d(F.relu(self.conv1(x)), (2, 2))
        # If the size is a square, you can specify with a single number
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)
        x = torch.flatten(x, 1)  # flatten all dimensions except the batch dimension
        x = F.relu(self.fc1(x))
        x = F.relu(self.fc2(x))
        x = self.fc3(x)
        return x


def evaluate(net, loader, criterion, max_batches):
    net.eval()
    total_loss, correct, total = 0.0, 0, 0
    with torch.no_grad():
        for i, (images, labels) in enumerate(loader):
            if max_batches is not None and i >= max_batches:
                break
            outputs = net(images)
            total_loss += criterion(outputs, labels).item() * labels.size(0)
            _, predicted = torch.max(outputs, 1)
            total += labels.size(0)
            correct += (predicted == labels).sum().item()
    return total_loss / total, correct / total


def main():
    parser = argparse.ArgumentParser(description="LeNet-5 on MNIST")
    parser.add_argument("--data", default=DEFAULT_DATA, help="MNIST root, holding MNIST/raw")
    parser.add_argument("--epochs", type=int, default=2, help="training epochs (default: 2)")
    parser.add_argument("--batch-size", type=int, default=64, help="training batch size (default: 64)")
    parser.add_argument("--test-batch-size", type=int, default=1000,
                        help="evaluation batch size (default: 1000)")
    parser.add_argument("--lr", type=float, default=0.01, help="learning rate (default: 0.01)")
    parser.add_argument("--batches", type=int, default=None,
                        help="train and evaluate on at most this many batches per epoch (default: all)")
    parser.add_argument("--seed", type=int, default=0, help="random seed (default: 0)")
    args = parser.parse_args()
    torch.manual_seed(args.seed)

    transform = transforms.Compose([transforms.ToTensor(), transforms.Normalize((0.1307,), (0.3081,))])
    trainset = datasets.MNIST(args.data, train=True, download=False, transform=transform)
    testset = datasets.MNIST(args.data, train=False, download=False, transform=transform)
    trainloader = torch.utils.data.DataLoader(trainset, batch_size=args.batch_size, shuffle=True)
    testloader = torch.utils.data.DataLoader(testset, batch_size=args.test_batch_size, shuffle=False)

    net = LeNet()
    print(net)
    criterion = nn.CrossEntropyLoss()
    optimizer = optim.SGD(net.parameters(), lr=args.lr, momentum=0.9)

    for epoch in range(args.epochs):
        net.train()
        running_loss = 0.0
        for i, (inputs, labels) in enumerate(trainloader):
            if args.batches is not None and i >= args.batches:
                break
            optimizer.zero_grad()
            outputs = net(inputs)
            loss = criterion(outputs, labels)
            loss.backward()
            optimizer.step()

            running_loss += loss.item()
            if i % 200 == 199:
                print(f"[{epoch + 1}, {i + 1:5d}] loss: {running_loss / 200:.3f}")
                running_loss = 0.0

        test_loss, accuracy = evaluate(net, testloader, criterion, args.batches)
        print(f"Epoch {epoch + 1}: test loss {test_loss:.4f}, accuracy {100 * accuracy:.2f}%")

    print(f"FINAL loss={test_loss:.4f} accuracy={accuracy:.4f}")


if __name__ == "__main__":
    main()
