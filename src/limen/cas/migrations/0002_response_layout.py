"""The validation response layout per application.

Applications registered before this migration got EU Login's layout (attributes also directly
under cas:authenticationSuccess) from every validation endpoint; they keep it on /serviceValidate
and /proxyValidate ("eulogin"). New registrations get the plain CAS 3.0 layout ("cas3"). The
/p3/ endpoints answer as the CAS 3.0 schema says, whatever the registration.
"""

from django.db import migrations, models

CHOICES = [
    ("cas3", "CAS 3.0: attributes inside cas:attributes only"),
    ("eulogin", "EU Login: also directly under cas:authenticationSuccess, on /serviceValidate and /proxyValidate"),
]
HELP = ("EU Login applications read the attributes directly under cas:authenticationSuccess; they get that "
        "layout from /serviceValidate and /proxyValidate. The CAS 3.0 endpoints (/p3/...) always answer as the "
        "CAS 3.0 schema says.")


class Migration(migrations.Migration):

    dependencies = [
        ("cas", "0001_initial"),
    ]

    operations = [
        # Existing rows: what they had.
        migrations.AddField(
            model_name="service",
            name="response_layout",
            field=models.CharField(choices=CHOICES, default="eulogin", help_text=HELP, max_length=8,
                                   verbose_name="validation response layout"),
        ),
        # From now on: the standard layout.
        migrations.AlterField(
            model_name="service",
            name="response_layout",
            field=models.CharField(choices=CHOICES, default="cas3", help_text=HELP, max_length=8,
                                   verbose_name="validation response layout"),
        ),
    ]
