# By name or by ARN; the value is neither read nor changed.
terraform import talentbase_secret.session talentbase-prod/web/session-secret
terraform import talentbase_secret.session arn:aws:secretsmanager:us-east-1:123456789012:secret:talentbase-prod/web/session-secret-AbCdEf
