def count_up(n):
    i, total = (0, 0)
    # converted from: while i < n:  (<file>:<line>)

    def loop_test():
        return i < n

    def loop_body():
        nonlocal total, i
        sq = i * i
        total = total + sq
        i += 1

    def get_state():
        return (total, i)

    def set_state(vars_):
        nonlocal total, i
        total, i = vars_
    ag.while_stmt(loop_test, loop_body, get_state, set_state, ('total', 'i'))
    return total
