"""ember.utils"""
