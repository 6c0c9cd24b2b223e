from . import exotel
