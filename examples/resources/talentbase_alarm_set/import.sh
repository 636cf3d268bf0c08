# The alarms named after the service ("<service name>-cpu-high", ...):
terraform import talentbase_alarm_set.web talentbase-prod/talentbase-web-prod

# With another name_prefix:
terraform import talentbase_alarm_set.web talentbase-prod/talentbase-web-prod/talentbase-web-prod
