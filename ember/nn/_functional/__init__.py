"""Functional forms of the layers, split by concern; ``ember.nn.functional`` re-exports them."""
