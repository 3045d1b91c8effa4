"""Analysis of a scenario alone: the packed machine, explore, randomtest, graph."""
