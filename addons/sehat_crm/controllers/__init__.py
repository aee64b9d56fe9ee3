from . import rest_dispatch
from . import api
from . import consult
from . import appointment_links
