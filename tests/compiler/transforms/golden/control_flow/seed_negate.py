def seed_negate(x, neg):
    return ag.if_exp(neg, lambda: -x, lambda: x)
