"""Tencent Cloud SMS through its official SDK (tencentcloud-sdk-python-sms, API 2021-01-11).

Settings (all from the environment, see liaison/settings.py): SMS_TENCENT_SECRET_ID,
SMS_TENCENT_SECRET_KEY, SMS_TENCENT_SDK_APP_ID, SMS_TENCENT_REGION, SMS_TENCENT_ENDPOINT,
SMS_TENCENT_PROTOCOL, SMS_SIGN_NAME and SMS_TEMPLATE_IDS (our template name -> Tencent template id).
"""

from django.conf import settings
from tencentcloud.common import credential
from tencentcloud.common.exception.tencent_cloud_sdk_exception import TencentCloudSDKException
from tencentcloud.common.profile.client_profile import ClientProfile
from tencentcloud.common.profile.http_profile import HttpProfile
from tencentcloud.sms.v20210111 import models, sms_client

from liaison.lib.validators import normalize_mobile

from .base import BaseSmsBackend, SmsError, SmsResult
from .templates import ordered_params

# Error codes worth retrying later: the provider or the network is busy, a per-number rate limit
# will lift, a prepaid package can be topped up. Everything else (bad number, unapproved template
# or signature, parameter format, blacklist, authentication) fails the same way next time.
TEMPORARY_PREFIXES = ("InternalError", "LimitExceeded", "RequestLimitExceeded", "ClientNetworkError", "ServerNetworkError")
TEMPORARY_CODES = frozenset(
    {
        "FailedOperation.InsufficientBalanceInSmsPackage",
        "FailedOperation.FailResolvePacket",
        "AuthFailure.SignatureExpire",  # clock skew on our side; the next attempt signs anew
        "ResourceUnavailable",
        "ServiceUnavailable",
    }
)


def is_temporary(code):
    return code in TEMPORARY_CODES or code.startswith(TEMPORARY_PREFIXES)


def e164(phone):
    """Tencent wants +86 numbers; our rows keep 11-digit mainland numbers."""
    phone = normalize_mobile(phone)
    return phone if phone.startswith("+") else f"+86{phone}"


class TencentSmsBackend(BaseSmsBackend):
    def __init__(self, **overrides):
        # Every SMS_TENCENT_* setting is declared, with its default, in liaison/settings.py.
        def setting(name):
            return overrides.get(name.lower(), getattr(settings, f"SMS_TENCENT_{name}"))

        self.sdk_app_id = str(setting("SDK_APP_ID"))
        self.sign_name = overrides.get("sign_name", settings.SMS_SIGN_NAME)
        self.template_ids = overrides.get("template_ids", settings.SMS_TEMPLATE_IDS)
        http_profile = HttpProfile(
            protocol=setting("PROTOCOL"),
            endpoint=setting("ENDPOINT"),
            reqTimeout=int(setting("TIMEOUT")),
        )
        self.client = sms_client.SmsClient(
            credential.Credential(setting("SECRET_ID"), setting("SECRET_KEY")),
            setting("REGION"),
            ClientProfile(httpProfile=http_profile),
        )

    def send(self, message):
        template_id = self.template_ids.get(message.template)
        if not template_id:
            raise SmsError(
                f"No Tencent template id for {message.template!r} in SMS_TEMPLATE_IDS", permanent=True, code="NoTemplateId"
            )
        request = models.SendSmsRequest()
        request.SmsSdkAppId = self.sdk_app_id
        request.SignName = self.sign_name
        request.TemplateId = str(template_id)
        request.TemplateParamSet = ordered_params(message.template, message.params or {})
        request.PhoneNumberSet = [e164(message.phone)]
        request.SessionContext = str(message.pk or "")
        try:
            response = self.client.SendSms(request)
        except TencentCloudSDKException as exc:
            code = exc.get_code() or ""
            raise SmsError(exc.get_message() or code, permanent=not is_temporary(code), code=code)
        statuses = response.SendStatusSet or []
        if not statuses:
            raise SmsError("Tencent returned no send status", permanent=False, code="EmptySendStatusSet")
        status = statuses[0]
        if status.Code != "Ok":
            raise SmsError(status.Message or status.Code, permanent=not is_temporary(status.Code or ""), code=status.Code)
        return SmsResult(provider_message_id=status.SerialNo or "", provider_code=status.Code, template_id=str(template_id))
