"""Find catalogue symptoms mentioned in free text (emails, free-text complaints)."""
import re


def _phrases(name, keywords):
    phrases = [name] + [k for k in (keywords or '').split(',')]
    return [p.strip().lower() for p in phrases if p and len(p.strip()) >= 3]


def match_symptoms(text, catalogue):
    """``catalogue``: [(code, name, keywords comma-separated)]. Returns matched codes, in catalogue order.

    A symptom matches when its name or one of its keywords appears as whole words,
    case-insensitively.
    """
    if not text:
        return []
    haystack = ' '.join(re.findall(r'\w+', text.lower()))
    found = []
    for code, name, keywords in catalogue:
        for phrase in _phrases(name, keywords):
            words = ' '.join(re.findall(r'\w+', phrase))
            if words and re.search(r'(?<!\w)%s(?!\w)' % re.escape(words), haystack):
                found.append(code)
                break
    return found
