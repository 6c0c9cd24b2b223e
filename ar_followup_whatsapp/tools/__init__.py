from . import graph_api
from . import send_rate
