from . import sehat_funnel_report
from . import sehat_adherence_report
from . import sehat_nps_report
from . import sehat_sla_report
