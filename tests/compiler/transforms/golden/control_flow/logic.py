def logic(x, y):
    r = ag.Undefined('r')
    # converted from: if x > 0 and y > 0 or x < -5:  (<file>:<line>)

    def if_body():
        nonlocal r
        r = 1.0

    def else_body():
        nonlocal r
        # converted from: elif not x > 0:  (<file>:<line>)

        def if_body_1():
            nonlocal r
            r = 2.0

        def else_body_1():
            nonlocal r
            r = 3.0

        def get_state():
            return (r,)

        def set_state(vars_):
            nonlocal r
            r, = vars_
        ag.if_stmt(ag.not_(x > 0), if_body_1, else_body_1, get_state, set_state, ('r',))

    def get_state_1():
        return (r,)

    def set_state_1(vars_):
        nonlocal r
        r, = vars_
    ag.if_stmt(ag.or_(lambda: ag.and_(lambda: x > 0, lambda: y > 0), lambda: x < -5), if_body, else_body, get_state_1, set_state_1, ('r',))
    return r
