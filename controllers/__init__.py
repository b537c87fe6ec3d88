from . import main
from . import authorize
