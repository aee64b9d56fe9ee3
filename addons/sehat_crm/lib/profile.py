"""Medical profile completeness."""


def is_filled(value):
    """A profile value counts as given when it is not empty: None, False, blank text and
    empty collections are missing; numbers (0 included) and dates are given."""
    if value is None or value is False:
        return False
    if isinstance(value, str):
        return bool(value.strip())
    if isinstance(value, (int, float)):
        return True
    return bool(value)


def completeness(values, required):
    """``values``: {field: value}; ``required``: [(field, label)].

    Returns (percent 0..100 as int, [labels of missing fields]). No required field = 100.
    """
    if not required:
        return 100, []
    missing = [label for field, label in required if not is_filled(values.get(field))]
    done = len(required) - len(missing)
    return int(round(100.0 * done / len(required))), missing
