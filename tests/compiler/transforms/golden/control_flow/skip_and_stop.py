def skip_and_stop(xs):
    total = 0
    break_ = False
    # converted from: for k in range(len(xs)):  (<file>:<line>)

    def loop_body(k):
        nonlocal break_, total
        # converted from: if xs[k] < 0:  (<file>:<line>)

        def if_body():
            pass

        def else_body():
            nonlocal break_, total
            # converted from: if xs[k] > 10:  (<file>:<line>)

            def if_body_1():
                nonlocal break_
                break_ = True

            def else_body_1():
                nonlocal total
                total += xs[k]

            def get_state():
                return (break_, total)

            def set_state(vars_):
                nonlocal break_, total
                break_, total = vars_
            ag.if_stmt(xs[k] > 10, if_body_1, else_body_1, get_state, set_state, ('break_', 'total'))

        def get_state_1():
            return (break_, total)

        def set_state_1(vars_):
            nonlocal break_, total
            break_, total = vars_
        ag.if_stmt(xs[k] < 0, if_body, else_body, get_state_1, set_state_1, ('break_', 'total'))

    def extra_test():
        return ag.not_(break_)

    def get_state_2():
        return (break_, total)

    def set_state_2(vars_):
        nonlocal break_, total
        break_, total = vars_
    ag.for_stmt(ag.range_(len(xs)), extra_test, loop_body, get_state_2, set_state_2, ('break_', 'total'))
    # converted from: if not break_:  (after <file>:<line>)

    def if_body_2():
        nonlocal total
        total = -1

    def else_body_2():
        pass

    def get_state_3():
        return (total,)

    def set_state_3(vars_):
        nonlocal total
        total, = vars_
    ag.if_stmt(ag.not_(break_), if_body_2, else_body_2, get_state_3, set_state_3, ('total',))
    return total
