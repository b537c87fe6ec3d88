from . import main
from . import authorize
from . import tokens
