def calls_helper(x, y):
    return ag.converted_call(helper_abs, x) + ag.converted_call(helper_abs, y)
