# The listing of seeds/004 (the 784-128-64-10 MLP with CrossEntropyLoss and SGD), on ember.
import ember as torch  # changed: import torch -> import ember as torch
import ember.nn as nn  # changed: import torch.nn as nn -> import ember.nn as nn
import ember.optim as optim  # changed: import torch.optim as optim -> import ember.optim as optim
import ember.nn.functional as F  # added: the listing uses F without importing it
from _mnist import mnist_loader  # added: the listing uses `trainloader` without defining it

trainloader = mnist_loader(train=True, flatten=True)  # added: fc1 takes 784 flat inputs

# 定义神经网络
class Net(nn.Module):
    def __init__(self):
        super(Net, self).__init__()
        self.fc1 = nn.Linear(784, 128)
        self.fc2 = nn.Linear(128, 64)
        self.fc3 = nn.Linear(64, 10)

    def forward(self, x):
        x = F.relu(self.fc1(x))
        x = F.relu(self.fc2(x))
        x = self.fc3(x)
        return x

# 创建神经网络实例
net = Net()

# 定义损失函数
criterion = nn.CrossEntropyLoss()

# 定义优化器
optimizer = optim.SGD(net.parameters(), lr=0.01)

# 训练神经网络
for epoch in range(10):
    running_loss = 0.0
    for i, data in enumerate(trainloader, 0):
        inputs, labels = data
        optimizer.zero_grad()
        outputs = net(inputs)
        loss = criterion(outputs, labels)
        loss.backward()
        optimizer.step()
        running_loss += loss.item()
    print('Epoch: %d loss: %.3f' % (epoch + 1, running_loss / len(trainloader)))
