"""Angle policies: which marketing angle to write for this user and product, and with what
probability. Shared by the stream worker (events), the HTTP API and training (learning).

`decision` holds the interface every policy implements and the seeded sampling; `uniform` is the
cold start; `vowpal` the learned Vowpal Wabbit contextual bandit, featurized by `vw_format` and
configured by `exploration`; `registry` publishes it and loads whatever is current.
"""
