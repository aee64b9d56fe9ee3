from . import sehat_funnel_report
