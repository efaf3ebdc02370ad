"""The knowledge the bot ships with: the default guide and the word lists, installed as package data."""
