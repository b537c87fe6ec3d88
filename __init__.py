from . import controllers
from . import models
from .oauth.log_filters import install_log_filters


def post_load():
    install_log_filters()
