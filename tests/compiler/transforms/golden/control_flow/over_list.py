def over_list(ws, x):
    # converted from: for w in ws:  (<file>:<line>)

    def loop_body(w):
        nonlocal x
        x = x * w + 1.0

    def get_state():
        return (x,)

    def set_state(vars_):
        nonlocal x
        x, = vars_
    ag.for_stmt(ws, None, loop_body, get_state, set_state, ('x',))
    return x
