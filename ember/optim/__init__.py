"""``ember.optim``: optimizers."""
