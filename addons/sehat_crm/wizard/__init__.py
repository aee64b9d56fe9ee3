from . import sehat_api_token_wizard
from . import sehat_lifecycle_override
