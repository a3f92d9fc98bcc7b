from tests.factors.mobile_app.conftest import api, make_phone, phone, start_enrolment  # noqa: F401
