"""Messages of the pure libraries that the public web form shows in the visitor's language.

``_`` here only marks a template for Odoo's translation export, which collects the
``_('...')`` calls of every Python file of the add-on (the libraries do not import Odoo).
A :class:`Message` is the English text (what the JSON API answers) that also keeps its
template and values, so the web form can translate the template and fill it in again.
"""


def _(template):
    """Marks ``template`` for translation; returns it unchanged."""
    return template


class Message(str):
    """``template % values`` as a string, with ``template`` and the values (``args``: a tuple,
    or a dict for named placeholders, which templates with several values use) kept."""

    def __new__(cls, template, *args, **named):
        values = named or args
        message = super(Message, cls).__new__(cls, template % values if values else template)
        message.template = template
        message.args = values
        return message


def translate(message, gettext):
    """``message`` through ``gettext`` (a function translating one template, like odoo._).

    A plain string is translated as a whole. A translation whose placeholders do not fit the
    values (a translator's slip) falls back to the English text rather than failing."""
    template = getattr(message, 'template', message)
    args = getattr(message, 'args', ())
    translated = gettext(template)
    if not args:
        return translated
    try:
        return translated % args
    except (TypeError, ValueError):
        return str(message)
