# The listing of seeds/002 (a 784-128-10 network trained with SGD and momentum), on ember.
import ember as torch  # changed: import torch -> import ember as torch
import ember.nn as nn  # changed: import torch.nn as nn -> import ember.nn as nn
import ember.optim as optim  # changed: import torch.optim as optim -> import ember.optim as optim
from _mnist import mnist_loader  # added: the listing uses `trainloader` without defining it

trainloader = mnist_loader(train=True)  # added: MNIST, as the listing's text describes

# 定义神经网络
class Net(nn.Module):
    def __init__(self):
        super(Net, self).__init__()
        self.fc1 = nn.Linear(784, 128)
        self.fc2 = nn.Linear(128, 10)

    def forward(self, x):
        x = torch.flatten(x, 1)
        x = self.fc1(x)
        x = torch.relu(x)
        x = self.fc2(x)
        output = torch.log_softmax(x, dim=1)
        return output

# 初始化网络
net = Net()

# 定义损失函数和优化器
criterion = nn.CrossEntropyLoss()
optimizer = optim.SGD(net.parameters(), lr=0.01, momentum=0.9)

# 训练网络
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
    print(f"Epoch {epoch+1}/{10}, Loss: {running_loss/len(trainloader)}")
