# By name.
terraform import talentbase_parameter.api_url /talentbase-prod/web/api-url
