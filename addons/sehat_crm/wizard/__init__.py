from . import sehat_api_token_wizard
from . import sehat_lifecycle_override
from . import sehat_appointment_book
from . import sehat_doctor_match
from . import sehat_plan_cancel
from . import sehat_export
