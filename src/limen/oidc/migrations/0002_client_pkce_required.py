"""PKCE on by default for every client (RFC 9700 §2.1.1), existing ones included.

A confidential client registered earlier that sends no code_challenge now gets invalid_request at the
authorization endpoint; an operator can relax it (limen oidc_client pkce <client id> --optional, or
the admin site). Public clients cannot be relaxed.
"""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('oidc', '0001_initial'),
    ]

    operations = [
        migrations.AddField(
            model_name='client',
            name='pkce_required',
            field=models.BooleanField(default=True, help_text='Every authorization request must carry a code_challenge (S256). Always on for public clients; clear it only for a confidential application that cannot send one.', verbose_name='PKCE required'),
        ),
    ]
