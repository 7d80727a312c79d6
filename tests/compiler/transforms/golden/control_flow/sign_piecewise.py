def sign_piecewise(x):
    y = ag.Undefined('y')
    # converted from: if x > 1.0:  (<file>:<line>)

    def if_body():
        nonlocal y
        y = x * 2.0

    def else_body():
        nonlocal y
        # converted from: elif x < -1.0:  (<file>:<line>)

        def if_body_1():
            nonlocal y
            y = -x

        def else_body_1():
            nonlocal y
            y = x * 0.5

        def get_state():
            return (y,)

        def set_state(vars_):
            nonlocal y
            y, = vars_
        ag.if_stmt(x < -1.0, if_body_1, else_body_1, get_state, set_state, ('y',))

    def get_state_1():
        return (y,)

    def set_state_1(vars_):
        nonlocal y
        y, = vars_
    ag.if_stmt(x > 1.0, if_body, else_body, get_state_1, set_state_1, ('y',))
    return y
