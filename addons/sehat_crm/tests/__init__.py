from . import test_patient
from . import test_doctor
from . import test_access
from . import test_capture
from . import test_lifecycle
from . import test_concurrency
from . import test_appointment
from . import test_appointment_race
