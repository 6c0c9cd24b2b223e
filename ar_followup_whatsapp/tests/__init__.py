from . import test_graph_api
from . import test_install
from . import test_send_rate
from . import test_whatsapp_demo
from . import test_whatsapp_fuzz
from . import test_whatsapp_send
from . import test_whatsapp_template
from . import test_whatsapp_webhook
