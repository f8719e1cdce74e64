# The listings of seeds/003 (MyModel 784-128-64-10, MSELoss, SGD, the MNIST loaders), on ember.
import ember as torch  # changed: the listing uses `torch` without importing it; ember in its place
import ember.nn as nn  # changed: import torch.nn as nn -> import ember.nn as nn
import ember.optim as optim  # changed: import torch.optim as optim -> import ember.optim as optim
from ember.vision import datasets, transforms  # changed: from torchvision import ... -> from ember.vision import ...
import os  # added: to find the MNIST copy shipped in data/mnist

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "data", "mnist")  # added

transform = transforms.Compose([
    transforms.ToTensor(),
    transforms.Normalize((0.1307,), (0.3081,)),
    transforms.Lambda(lambda x: x.view(-1)),  # added: MyModel's first layer takes 784 flat inputs
])
# added: MSELoss compares the 10 outputs with a one-hot target, which the listing leaves undefined
one_hot = lambda y: torch.nn.functional.one_hot(torch.tensor(y), 10).float()  # noqa: E731

# changed: root='./data' -> the shipped copy (ROOT); download=True kept for users who are online
train_dataset = datasets.MNIST(root=ROOT, train=True, download=True, transform=transform, target_transform=one_hot)
test_dataset = datasets.MNIST(root=ROOT, train=False, download=True, transform=transform, target_transform=one_hot)

if os.environ.get("EMBER_EXAMPLE_BATCHES"):  # added: a short run for the test suite
    train_dataset = torch.utils.data.Subset(train_dataset, range(int(os.environ["EMBER_EXAMPLE_BATCHES"]) * 64))

train_loader = torch.utils.data.DataLoader(train_dataset, batch_size=64, shuffle=True)
test_loader = torch.utils.data.DataLoader(test_dataset, batch_size=64, shuffle=False)

class MyModel(nn.Module):
    def __init__(self):
        super(MyModel, self).__init__()
        self.layer1 = nn.Linear(784, 128)
        self.layer2 = nn.Linear(128, 64)
        self.layer3 = nn.Linear(64, 10)

    def forward(self, x):
        x = self.layer1(x)
        x = self.layer2(x)
        x = self.layer3(x)
        return x

model = MyModel()
criterion = nn.MSELoss()
optimizer = optim.SGD(model.parameters(), lr=0.01)

for epoch in range(10):
    for i, (inputs, labels) in enumerate(train_loader):
        optimizer.zero_grad()
        outputs = model(inputs)
        loss = criterion(outputs, labels)
        loss.backward()
        optimizer.step()
    print(f"epoch {epoch + 1}: loss {loss.item():.4f}")  # added: report progress
