# The listing of seeds/001 (a module with Linear, ReLU and Dropout), on ember.
import ember as torch  # changed: import torch -> import ember as torch
import ember.nn as nn  # changed: import torch.nn as nn -> import ember.nn as nn

class SimpleNet(nn.Module):
    def __init__(self):
        super(SimpleNet, self).__init__()
        self.linear1 = nn.Linear(10, 20)
        self.relu = nn.ReLU()
        self.dropout = nn.Dropout(0.5)
        self.linear2 = nn.Linear(20, 1)

    def forward(self, x):
        x = self.linear1(x)
        x = self.relu(x)
        x = self.dropout(x)
        x = self.linear2(x)
        return x

model = SimpleNet()

# added: the listing stops at the model; show it and run one batch through it
print(model)
print(model(torch.randn(4, 10)).shape)
