"""Decisions: proposals whose method, criteria and terms are fixed before anyone votes,
ballots (open or secret, each with a receipt), the close that tallies and runs the carried
action once, and the recount anyone can do from the published ballots."""
