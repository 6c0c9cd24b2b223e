from . import controllers
from . import demo
from . import models
from . import report
from . import tools
from . import wizards

# every record the suite's loggers emit is masked (numbers, addresses, secrets in URLs),
# tracebacks included: the loggers exist once the modules above are imported
tools.masking.install_log_filter()
