def first_square_above(n, limit):
    do_return = False
    retval = None
    break_ = False
    # converted from: for i in range(n):  (<file>:<line>)

    def loop_body(i):
        nonlocal do_return, retval, break_
        # converted from: if i * i > limit:  (<file>:<line>)

        def if_body():
            nonlocal do_return, retval, break_
            do_return = True
            retval = i
            break_ = True

        def else_body():
            pass

        def get_state():
            return (do_return, retval, break_)

        def set_state(vars_):
            nonlocal do_return, retval, break_
            do_return, retval, break_ = vars_
        ag.if_stmt(i * i > limit, if_body, else_body, get_state, set_state, ('do_return', 'retval', 'break_'))

    def extra_test():
        return ag.not_(break_)

    def get_state_1():
        return (do_return, retval, break_)

    def set_state_1(vars_):
        nonlocal do_return, retval, break_
        do_return, retval, break_ = vars_
    ag.for_stmt(ag.range_(n), extra_test, loop_body, get_state_1, set_state_1, ('do_return', 'retval', 'break_'))
    # converted from: if not do_return:  (after <file>:<line>)

    def if_body_1():
        nonlocal retval
        retval = -1

    def else_body_1():
        pass

    def get_state_2():
        return (retval,)

    def set_state_2(vars_):
        nonlocal retval
        retval, = vars_
    ag.if_stmt(ag.not_(do_return), if_body_1, else_body_1, get_state_2, set_state_2, ('retval',))
    return retval
