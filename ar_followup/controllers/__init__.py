from . import statement
from . import portal
from . import tracking
