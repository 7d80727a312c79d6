def early_return(x):
    retval = ag.Undefined('retval')
    # converted from: if x > 0:  (<file>:<line>)

    def if_body():
        nonlocal retval
        retval = x * SCALE

    def else_body():
        nonlocal retval
        y = x - 1.0
        retval = y * y

    def get_state():
        return (retval,)

    def set_state(vars_):
        nonlocal retval
        retval, = vars_
    ag.if_stmt(x > 0, if_body, else_body, get_state, set_state, ('retval',))
    return retval
